/**
 * Checks a block's `msg` the way Hoiio's TTS front end would: length first, then the
 * `<speech>` / `<url>` voice markup (contract §3.9).
 *
 * Decisions where the contract is silent: any `<` starts a tag (so a bare `<` in text is
 * `error_msg_invalid_xml`); `&` needs no escaping; tags do not nest; plain text may be mixed
 * with several tagged parts.
 */
import { parseInlineMarkup } from '../markup/hoiio-inline.js';
import { isHttpUrl } from '../util/http-url.js';
import { isDefaultVoice } from '../voices/default-voice.js';
import type { HeardPart } from './types.js';

export const MSG_MAX_LENGTH = 1000;

const SPEECH_OPEN = /^<speech((?:\s+[A-Za-z_][\w-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*>/;
const ATTRIBUTE = /([A-Za-z_][\w-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;
const LANGUAGE = /^[a-z]{2,3}(?:-[a-z]{2,4})?$/i;

/** Returns the Hoiio error status for `msg`, or undefined when Hoiio would accept it. */
export function checkMsg(msg: string): string | undefined {
  if ([...msg].length > MSG_MAX_LENGTH) return 'error_msg_invalid_length';
  let inside: 'speech' | 'url' | undefined;
  let urlStart = 0;
  let i = 0;
  while (i < msg.length) {
    const lt = msg.indexOf('<', i);
    if (lt < 0) break;
    const rest = msg.slice(lt);
    if (inside === undefined) {
      const speech = SPEECH_OPEN.exec(rest);
      if (speech) {
        const err = checkSpeechAttributes(speech[1] ?? '');
        if (err) return err;
        inside = 'speech';
        i = lt + speech[0].length;
        continue;
      }
      if (rest.startsWith('<url>')) {
        inside = 'url';
        i = lt + 5;
        urlStart = i;
        continue;
      }
      return 'error_msg_invalid_xml';
    }
    if (inside === 'speech' && rest.startsWith('</speech>')) {
      inside = undefined;
      i = lt + 9;
      continue;
    }
    if (inside === 'url' && rest.startsWith('</url>')) {
      if (!isHttpUrl(msg.slice(urlStart, lt).trim())) return 'error_msg_invalid_url';
      inside = undefined;
      i = lt + 6;
      continue;
    }
    return 'error_msg_invalid_xml';
  }
  return inside === undefined ? undefined : 'error_msg_invalid_xml';
}

function checkSpeechAttributes(text: string): string | undefined {
  const seen = new Set<string>();
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = m[1] ?? '';
    const value = m[2] ?? m[3] ?? '';
    if (seen.has(name)) return 'error_msg_invalid_xml';
    seen.add(name);
    if (name === 'language') {
      if (!LANGUAGE.test(value)) return 'error_msg_invalid_language';
    } else if (name === 'gender') {
      if (value !== 'male' && value !== 'female') return 'error_msg_invalid_gender';
    } else {
      return 'error_msg_invalid_xml';
    }
  }
  return undefined;
}

/** The spoken text of `msg` with markup removed (what a phone UI shows). */
export function spokenText(msg: string): string {
  return msg
    .replace(/<url>([^<]*)<\/url>/g, '[audio $1]')
    .replace(/<\/?speech[^>]*>/g, '')
    .trim();
}

/**
 * What the caller hears for `msg`, part by part, read the way Hoiio reads its
 * markup: `<speech language gender>` gives the voice (Hoiio's default one,
 * English female, is heard as the default), `<url>` the audio; a message Hoiio
 * would take as plain text is one text part, as written.
 */
export function heardParts(msg: string): HeardPart[] {
  const segments = parseInlineMarkup(msg);
  if (segments === undefined) return msg.trim() === '' ? [] : [{ type: 'say', text: msg }];
  return segments.map((segment): HeardPart => {
    if (segment.kind === 'url') return { type: 'play', url: segment.source };
    if (isDefaultVoice(segment)) return { type: 'say', text: segment.source };
    const voice = { ...(segment.language !== undefined ? { language: segment.language } : {}), ...(segment.gender !== undefined ? { gender: segment.gender } : {}) };
    return { type: 'say', text: segment.source, voice };
  });
}
