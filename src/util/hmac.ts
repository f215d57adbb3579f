/**
 * HMAC (RFC 2104) of a UTF-8 message, exactly as `createHmac(algorithm, key)
 * .update(message, 'utf8').digest(encoding)` computes it, for the HMAC
 * webhook signatures checked on every request (Twilio, SignalWire, Hoiio,
 * jambonz).
 *
 * Why not `createHmac`: each call builds an HMAC context object in C++ and
 * keys it (two hashes of the padded key), then three more calls across the
 * boundary to update and digest it: 2.2 µs for a 1 KB webhook against 1.1 µs
 * this way (docs/performance.md, "The eleventh look"). Here the key's two
 * padded blocks are computed once per key, and a signature is two one-shot
 * `crypto.hash` calls over them:
 * H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)).
 *
 * The inner pad is kept as text to go in front of the message, which
 * `crypto.hash` encodes as UTF-8: that is the pad's own bytes only when they
 * are all ASCII, which they are exactly when the key's are (the pad's top bit
 * is the key's). A key with a byte of 0x80 or more, or one longer than a
 * block (hashed first, to random bytes), is signed with `createHmac` instead.
 * The providers' secrets (hex or base64 tokens) are short ASCII.
 */
import { createHmac, hash } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256';
export type HmacEncoding = 'base64' | 'hex';

/** Both algorithms hash 64-byte blocks. */
const BLOCK_BYTES = 64;
const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha1: 20, sha256: 32 };

/** A short ASCII key's padded blocks (a key with null for them is signed by `createHmac`). */
interface Pads {
  /** K ⊕ ipad as text of its bytes (all ASCII). */
  readonly inner: string;
  /** K ⊕ opad, then room for the inner digest, rewritten by each signature (signing is synchronous). */
  readonly outer: Buffer;
}

/** Keys are the few configured secrets; a process that somehow sees more starts the cache again rather than grow it. */
const CACHE_MAX = 64;
const caches: Readonly<Record<HmacAlgorithm, Map<string, Pads | null>>> = { sha1: new Map(), sha256: new Map() };

function padsOf(algorithm: HmacAlgorithm, key: string): Pads | null {
  const cache = caches[algorithm];
  let pads = cache.get(key);
  if (pads !== undefined) return pads;
  const bytes = Buffer.from(key, 'utf8');
  pads = bytes.length <= BLOCK_BYTES && bytes.every((b) => b < 0x80) ? padded(algorithm, bytes) : null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, pads);
  return pads;
}

function padded(algorithm: HmacAlgorithm, key: Buffer): Pads {
  const inner = Buffer.alloc(BLOCK_BYTES, 0x36);
  const outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES[algorithm]);
  outer.fill(0x5c, 0, BLOCK_BYTES);
  for (let i = 0; i < key.length; i++) {
    inner[i] = (key[i] as number) ^ 0x36;
    outer[i] = (key[i] as number) ^ 0x5c;
  }
  return { inner: inner.toString('latin1'), outer };
}

/** HMAC of `message` (UTF-8) under `key` (UTF-8), in `encoding`. */
export function hmac(algorithm: HmacAlgorithm, key: string, message: string, encoding: HmacEncoding): string {
  const pads = padsOf(algorithm, key);
  if (pads === null) return createHmac(algorithm, key).update(message, 'utf8').digest(encoding);
  const { outer } = pads;
  outer.write(hash(algorithm, pads.inner + message, 'binary'), BLOCK_BYTES, 'latin1');
  return hash(algorithm, outer, encoding);
}
