/**
 * jambonz webhook authenticity (../shared/providers.md §4.4): the header
 * `Jambonz-Signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256 of `<t>.<raw body>` keyed with the account's webhook secret,
 * refused more than 300 s from now either way (as `@jambonz/sdk` does). Always
 * over the raw bytes: a body parsed and serialised again may differ from what
 * jambonz signed.
 */
import { hmac } from '../../util/hmac.js';
import { sameSecret } from '../../util/secure-compare.js';

export type SignatureVerdict = 'valid' | 'invalid' | 'missing';

/** The window `@jambonz/sdk`'s verifier allows, in seconds. */
export const JAMBONZ_TOLERANCE_SECONDS = 300;

/** The hex `v1` signature of `body` sent at `timestamp` (seconds). */
export function jambonzSignature(secret: string, timestamp: string, body: string): string {
  return hmac('sha256', secret, `${timestamp}.${body}`, 'hex');
}

/** The whole header value, as jambonz sends it: what tests and a simulator sign with. */
export function jambonzSignatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${jambonzSignature(secret, String(timestamp), body)}`;
}

interface ParsedHeader {
  readonly timestamp: string;
  readonly signatures: readonly string[];
}

/** `t=…,v1=…[,v1=…]`; several `v1` entries are allowed (the SDK's verifier takes any that matches). */
function parseHeader(header: string): ParsedHeader | undefined {
  let timestamp = '';
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') timestamp = value;
    else if (key === 'v1') signatures.push(value);
  }
  return timestamp === '' || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/** Checks a webhook's `Jambonz-Signature` over its raw body at `nowSeconds`. */
export function verifyJambonzSignature(secret: string, header: string | undefined, body: string, nowSeconds: number): SignatureVerdict {
  if (header === undefined || header.trim() === '') return 'missing';
  const parsed = parseHeader(header);
  if (parsed === undefined || !/^\d{1,12}$/.test(parsed.timestamp)) return 'invalid';
  if (Math.abs(nowSeconds - Number(parsed.timestamp)) > JAMBONZ_TOLERANCE_SECONDS) return 'invalid';
  const expected = jambonzSignature(secret, parsed.timestamp, body);
  const ok = parsed.signatures.some((sig) => sameSecret(sig, expected));
  return ok ? 'valid' : 'invalid';
}
