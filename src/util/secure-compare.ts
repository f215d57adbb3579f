/**
 * The one place secrets are compared (tokens, signatures, bearer keys): in time
 * that does not depend on where two values first differ, so an attacker cannot
 * guess a secret a byte at a time. Strings are compared as their UTF-8 bytes;
 * values of different byte lengths are simply unequal (the length of a secret is
 * not the secret, and `timingSafeEqual` throws on unequal lengths).
 */
import { timingSafeEqual } from 'node:crypto';

export function sameSecret(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a === 'string' && typeof b === 'string') return sameText(a, b);
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Two strings compared code unit by code unit, every unit visited and no branch on what
 * differs (the XOR loop constant-time comparisons use over bytes). Equal strings are
 * exactly those with equal code units; comparing as UTF-8 bytes also took two buffers and
 * two UTF-8 conversions per check, two checks per webhook (the signature and the URL's token).
 */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
