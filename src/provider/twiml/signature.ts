/**
 * Webhook authenticity for the TwiML family (../shared/providers.md §4):
 * Twilio and SignalWire sign the URL they requested plus the sorted form
 * fields with HMAC-SHA1 (base64); Telnyx signs `timestamp|raw body` with
 * Ed25519. The URL is always the one built from the configured public URL,
 * never one rebuilt from `Host` (behind a proxy or tunnel that would differ
 * from what the provider signed).
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { hmac } from '../../util/hmac.js';
import { sameSecret } from '../../util/secure-compare.js';
import type { FormFields } from './form.js';

export type { FormFields } from './form.js';

export type SignatureVerdict = 'valid' | 'invalid' | 'missing';

/** Telnyx refuses webhooks whose timestamp is further than this from now (its own library's window). */
export const TELNYX_TOLERANCE_SECONDS = 300;

/**
 * The string Twilio signs: the URL, then each field name and value, names in
 * JavaScript's default string order. A repeated name contributes each distinct
 * value once, sorted, on Twilio; SignalWire's library keeps them as sent.
 */
function signedString(url: string, fields: FormFields, repeated: 'distinct-sorted' | 'as-sent'): string {
  const { names, values } = fields;
  const order = byName(names);
  let data = url;
  for (let i = 0; i < order.length; ) {
    const first = order[i] as number;
    const name = names[first] as string;
    let j = i + 1;
    while (j < order.length && names[order[j] as number] === name) j++;
    // Nearly every field comes once: no set or sort to build for it (this runs on every webhook).
    if (j === i + 1) {
      data += name + values[first];
    } else {
      const sent = order.slice(i, j).map((k) => values[k] as string);
      const ordered = repeated === 'distinct-sorted' ? [...new Set(sent)].sort() : sent;
      for (const value of ordered) data += name + value;
    }
    i = j;
  }
  return data;
}

/** Below this many fields an insertion sort beats the built-in sort's set-up; above it, n log n whatever a forger sends. */
const INSERTION_SORT_MAX = 48;

/** The indexes of `names` in JavaScript's default string order, a repeated name's in the order sent (a stable sort). */
function byName(names: readonly string[]): number[] {
  // A loop, not Array.from({ length }): that reads each index of the array-like generically, 40k instructions a call.
  const order: number[] = [];
  for (let i = 0; i < names.length; i++) order.push(i);
  if (names.length > INSERTION_SORT_MAX) {
    return order.sort((a, b) => {
      const x = names[a] as string;
      const y = names[b] as string;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
  }
  for (let i = 1; i < order.length; i++) {
    const k = order[i] as number;
    const name = names[k] as string;
    let j = i - 1;
    while (j >= 0 && (names[order[j] as number] as string) > name) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = k;
  }
  return order;
}

/** `X-Twilio-Signature` for a request (HMAC-SHA1, or SHA-256 for Twilio's SharedKey rules). */
export function twilioSignature(authToken: string, url: string, fields: FormFields, hash: 'sha1' | 'sha256' = 'sha1'): string {
  return hmac(hash, authToken, signedString(url, fields, 'distinct-sorted'), 'base64');
}

/** `X-SignalWire-Signature`: Twilio's scheme keyed with the project's Signing Key, repeated values as sent. */
export function signalwireSignature(signingKey: string, url: string, fields: FormFields): string {
  return hmac('sha1', signingKey, signedString(url, fields, 'as-sent'), 'base64');
}

/**
 * The URL with and without its scheme's default port: the providers' own
 * validators accept either, as their signing back ends have not been consistent.
 */
function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#]+)(.*)$/i.exec(url);
  if (match === null) return [url];
  const [, scheme = '', authority = '', rest = ''] = match;
  const port = scheme.toLowerCase() === 'https' ? ':443' : ':80';
  const bare = authority.endsWith(port) ? authority.slice(0, -port.length) : authority;
  const variants = new Set([url, `${scheme}://${bare}${rest}`, `${scheme}://${bare}${port}${rest}`]);
  return [...variants];
}

function sameText(a: string, b: string): boolean {
  return sameSecret(a, b);
}

/** Checks a Twilio or SignalWire signature header against the request's URL and fields. */
export function verifyHmacSignature(
  scheme: 'twilio' | 'signalwire',
  key: string,
  header: string | undefined,
  url: string,
  fields: FormFields,
): SignatureVerdict {
  if (header === undefined || header === '') return 'missing';
  const expected = (u: string): string => (scheme === 'twilio' ? twilioSignature(key, u, fields) : signalwireSignature(key, u, fields));
  // The URL as given first: the other spellings are only worth building when it fails.
  if (sameText(header, expected(url))) return 'valid';
  return urlVariants(url).some((u) => u !== url && sameText(header, expected(u))) ? 'valid' : 'invalid';
}

/**
 * Twilio's SharedKey signatures: when a Webhooks Rule matches, Twilio signs with
 * the rule's SharedKey secret instead of the Auth Token, with the algorithm its
 * `X-Twilio-Webhooks-Signature-Settings` header names
 * (`key=webhooks_sharedkey_…,algorithm=HMAC_SHA256`; absent = HMAC_SHA1), as the
 * twilio package's webhook() checks it (../shared/providers.md §4.1).
 */
export function signatureAlgorithm(settings: string | undefined): 'sha1' | 'sha256' | undefined {
  let algorithm = '';
  for (const part of (settings ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === 'algorithm') algorithm = part.slice(eq + 1).trim().toUpperCase();
  }
  if (algorithm === '' || algorithm === 'HMAC_SHA1') return 'sha1';
  return algorithm === 'HMAC_SHA256' ? 'sha256' : undefined;
}

/** Checks `X-Twilio-Signature`: with the Auth Token, or with the SharedKey secret and its algorithm when the settings header says so. */
export function verifyTwilioSignature(
  keys: { readonly authToken: string; readonly sharedKey?: string | undefined },
  header: string | undefined,
  settings: string | undefined,
  url: string,
  fields: FormFields,
): SignatureVerdict {
  if (header === undefined || header === '') return 'missing';
  if (settings === undefined || settings.trim() === '') return verifyHmacSignature('twilio', keys.authToken, header, url, fields);
  const hash = signatureAlgorithm(settings);
  // A SharedKey signature with no SharedKey configured, or an algorithm Twilio's own library does not know, cannot be checked: refused.
  if (hash === undefined || keys.sharedKey === undefined || keys.sharedKey === '') return 'invalid';
  const key = keys.sharedKey;
  return urlVariants(url).some((u) => sameText(header, twilioSignature(key, u, fields, hash))) ? 'valid' : 'invalid';
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The account's public key from the Telnyx portal (base64 of the 32 raw bytes) as a key object. */
export function telnyxPublicKey(base64: string): KeyObject {
  const raw = Buffer.from(base64.trim(), 'base64');
  if (raw.length !== 32) throw new TelnyxKeyError(`TELNYX_PUBLIC_KEY must be the base64 of a 32-byte Ed25519 key, got ${raw.length} bytes`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** A Telnyx public key that is not one. */
export class TelnyxKeyError extends Error {
  readonly code = 'CS_PROVIDER_BAD_KEY';
  constructor(message: string) {
    super(message);
    this.name = 'TelnyxKeyError';
  }
}

/** `telnyx-signature-ed25519` for a body sent at `timestamp` (seconds): what Telnyx (and the tests, and a simulator) send. */
export function telnyxSignature(privateKey: KeyObject, timestamp: string, body: string): string {
  return sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
}

/** Checks a Telnyx webhook: the signature over `timestamp|raw body`, and a timestamp within ±300 s of `nowSeconds`. */
export function verifyTelnyxSignature(
  publicKey: KeyObject,
  signature: string | undefined,
  timestamp: string | undefined,
  body: string,
  nowSeconds: number,
): SignatureVerdict {
  if (signature === undefined || signature === '' || timestamp === undefined || timestamp === '') return 'missing';
  const sent = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - sent) > TELNYX_TOLERANCE_SECONDS) return 'invalid';
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return 'invalid';
  try {
    return verify(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), publicKey, bytes) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}
