/**
 * Just enough XML to read a TwiML reply as a provider does: elements,
 * attributes and text, the five predefined entities and character references.
 * The simulator reads replies with its own reader (not the adapter's code), so
 * a reply our renderer got wrong is caught here, not agreed with.
 */
export interface TwimlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: ReadonlyArray<TwimlElement | string>;
}

/** A reply the simulated provider could not read (Twilio's error 12100). */
export class TwimlParseError extends Error {
  readonly code = 'SIM_TWIML_PARSE';
  constructor(message: string) {
    super(message);
    this.name = 'TwimlParseError';
  }
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);|&/g, (_whole: string, name: string | undefined) => {
    switch (name) {
      case undefined:
        throw new TwimlParseError('a bare & in the reply');
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10));
    }
  });
}

const TAG = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[A-Za-z][\w.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
const ATTRIBUTE = /([A-Za-z][\w.-]*)\s*=\s*"([^"<]*)"/g;

/** The `<Response>` of a reply; throws TwimlParseError for anything that is not well-formed TwiML. */
export function parseTwimlReply(xml: string): TwimlElement {
  let at = 0;
  const declaration = /^<\?xml[^?]*\?>/.exec(xml);
  if (declaration !== null) at = declaration[0].length;
  const root: { name: string; attributes: Record<string, string>; children: Array<TwimlElement | string> } = { name: '#document', attributes: {}, children: [] };
  const stack = [root];
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const top = stack[stack.length - 1] ?? root;
    if (lt !== at) {
      const raw = xml.slice(at, lt < 0 ? xml.length : lt);
      if (top === root) {
        if (raw.trim() !== '') throw new TwimlParseError('text outside <Response>');
      } else {
        top.children.push(decode(raw));
      }
      if (lt < 0) break;
      at = lt;
    }
    TAG.lastIndex = at;
    const tag = TAG.exec(xml);
    if (tag === null) throw new TwimlParseError(`malformed markup at ${at}: ${xml.slice(at, at + 40)}`);
    at = TAG.lastIndex;
    const [, closing = '', name = '', attrs = '', selfClosing = ''] = tag;
    if (closing === '/') {
      if (top.name !== name) throw new TwimlParseError(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key = '', value = ''] of attrs.matchAll(ATTRIBUTE)) {
      if (Object.hasOwn(attributes, key)) throw new TwimlParseError(`attribute ${key} twice on <${name}>`);
      attributes[key] = decode(value);
    }
    const element = { name, attributes, children: [] as Array<TwimlElement | string> };
    top.children.push(element);
    if (selfClosing !== '/') stack.push(element);
  }
  if (stack.length !== 1) throw new TwimlParseError(`<${stack[stack.length - 1]?.name ?? ''}> is never closed`);
  const [response, ...rest] = root.children;
  if (response === undefined || typeof response === 'string' || response.name !== 'Response' || rest.length > 0) {
    throw new TwimlParseError('a reply is one <Response> element');
  }
  return response;
}

/** The text inside an element. */
export function textOf(element: TwimlElement): string {
  return element.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
