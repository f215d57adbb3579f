/**
 * Test helpers: a reply parsed by a real XML parser into a canonical form
 * (elements in order, attributes sorted, text as is), so that our TwiML can be
 * compared with what the `twilio` package's VoiceResponse builds.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { MessagePart } from '../../../src/engine/parts.js';
import { sayVoice } from '../../../src/provider/twiml/voices.js';
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';

export interface XmlNode {
  readonly name: string;
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly children: ReadonlyArray<XmlNode | string>;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
});

function canonical(items: unknown[]): Array<XmlNode | string> {
  const out: Array<XmlNode | string> = [];
  for (const item of items as Array<Record<string, unknown>>) {
    const attrs = (item[':@'] ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(item)) {
      if (key === ':@') continue;
      if (key === '#text') {
        out.push(String(value));
        continue;
      }
      out.push({ name: key, attributes: Object.entries(attrs).sort(([a], [b]) => (a < b ? -1 : 1)), children: canonical(value as unknown[]) });
    }
  }
  return out;
}

/** The document's `<Response>` in canonical form; throws if the XML is not well formed. */
export function parseTwiml(xml: string): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}\n${xml}`);
  const [root] = canonical(parser.parse(xml) as unknown[]);
  if (root === undefined || typeof root === 'string' || root.name !== 'Response') throw new Error(`no <Response> root in ${xml}`);
  return root;
}

/** Every element named `name`, depth first. */
export function elements(node: XmlNode, name: string): XmlNode[] {
  const out: XmlNode[] = node.name === name ? [node] : [];
  for (const child of node.children) if (typeof child !== 'string') out.push(...elements(child, name));
  return out;
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  return node?.attributes.find(([k]) => k === name)?.[1];
}

export function text(node: XmlNode | undefined): string {
  return node === undefined ? '' : node.children.map((c) => (typeof c === 'string' ? c : text(c))).join('');
}

export function newResponse(): VoiceResponse {
  return new twilio.twiml.VoiceResponse();
}

type Sayer = Pick<VoiceResponse.Gather, 'say' | 'play' | 'pause'>;

/** What VoiceResponse builds for message parts, with the voice our table picks. */
export function oracleParts(node: Sayer, parts: readonly MessagePart[] | undefined): void {
  for (const part of parts ?? []) {
    if (part.type === 'say') {
      const { voice, language } = sayVoice(part.voice);
      node.say({ voice: voice as VoiceResponse.SayAttributes['voice'], language: language as VoiceResponse.SayAttributes['language'], loop: 1 }, part.text);
    } else if (part.type === 'play') {
      node.play({ loop: 1 }, part.url);
    } else {
      node.pause({ length: part.seconds });
    }
  }
}
