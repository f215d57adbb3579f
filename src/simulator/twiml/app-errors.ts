/**
 * How a TwiML provider judges the app's answer before running it, and the
 * error it reports when it cannot (Twilio's debugger codes, which SignalWire's
 * compatibility API reuses; Telnyx's equivalents are UNCONFIRMED, so the same
 * codes stand in for them): no answer or an HTTP error (11200; 11205 when the
 * app cannot be reached), a reply that is not XML it can parse (12100), a
 * content type it does not run (12300), a reply over its size limit (11750).
 * What the provider does next (the fallback URL, then the apology to the
 * caller) is the player's.
 */
import { parseTwimlReply, TwimlParseError, type TwimlElement } from './xml.js';

/** What the app answered one request with, as the simulator received it. */
export type WebhookAnswer =
  | { readonly status: number; readonly contentType: string; readonly text: string }
  /** No answer: `timeout` (past the provider's webhook timeout), `unreachable` (refused, reset, DNS), or anything else. */
  | { readonly failure: 'timeout' | 'unreachable' | 'other'; readonly detail: string };

export interface AppError {
  /** The provider's error code, e.g. `11200`. */
  readonly code: string;
  /** The code's title, then what went wrong. */
  readonly message: string;
}

export type ReadAnswer = { readonly twiml: TwimlElement } | { readonly audio: string } | { readonly error: AppError };

/** Twilio's limit on a TwiML document (error 11750). */
export const MAX_TWIML_BYTES = 64 * 1024;

const TWIML_TYPES = new Set(['text/xml', 'application/xml', 'text/html']);

/** The answer as the provider takes it: a document to run, audio to play (a URL that answers with audio is played), or an error. */
export function readAnswer(answer: WebhookAnswer, url: string): ReadAnswer {
  if ('failure' in answer) {
    return answer.failure === 'unreachable'
      ? { error: { code: '11205', message: `HTTP connection failure: ${answer.detail}` } }
      : { error: { code: '11200', message: `HTTP retrieval failure: ${answer.detail}` } };
  }
  if (answer.status < 200 || answer.status > 299) {
    return { error: { code: '11200', message: `HTTP retrieval failure: ${url} answered ${answer.status}: ${answer.text.slice(0, 200)}` } };
  }
  const type = (answer.contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (type.startsWith('audio/')) return { audio: url };
  if (!TWIML_TYPES.has(type)) {
    return { error: { code: '12300', message: `Invalid Content-Type: ${url} answered ${type === '' ? 'no content type' : type}; TwiML is text/xml or application/xml` } };
  }
  if (Buffer.byteLength(answer.text, 'utf8') > MAX_TWIML_BYTES) {
    return { error: { code: '11750', message: `TwiML response body too large: ${url} answered ${Buffer.byteLength(answer.text, 'utf8')} bytes, over ${MAX_TWIML_BYTES}` } };
  }
  try {
    return { twiml: parseTwimlReply(answer.text) };
  } catch (err) {
    const why = err instanceof TwimlParseError || err instanceof Error ? err.message : String(err);
    return { error: { code: '12100', message: `Document parse failure: ${url}: ${why}` } };
  }
}

/** A URL a verb names, resolved the provider's way: absolute as written (signatures cover it verbatim), relative against the document's URL, absent = the document's URL. */
export function resolveUrl(ref: string | undefined, documentUrl: string): string {
  const value = ref?.trim() ?? '';
  if (value === '') return documentUrl;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  return new URL(value, documentUrl).toString();
}
