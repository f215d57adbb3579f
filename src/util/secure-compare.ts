/**
 * The one place secrets are compared (tokens, signatures, bearer keys): in time
 * that does not depend on where two values first differ, so an attacker cannot
 * guess a secret a byte at a time. Strings are compared as their UTF-8 bytes;
 * values of different byte lengths are simply unequal (the length of a secret is
 * not the secret, and `timingSafeEqual` throws on unequal lengths).
 */
import { timingSafeEqual } from 'node:crypto';

export function sameSecret(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return x.length === y.length && timingSafeEqual(x, y);
}
