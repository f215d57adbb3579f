import { randomFillSync } from 'node:crypto';

/** Sources of ids and secrets, injectable so tests can make them predictable. */
export interface IdSource {
  /** Our id for a call: short, unique, safe in a URL path. Not secret. */
  callId(): string;
  /** The per-call secret carried by every notify URL: 128 random bits. */
  token(): string;
}

/**
 * Random bytes from the CSPRNG, fetched 4 KB at a time: one `randomBytes` call
 * per id cost a buffer and a trip into OpenSSL each (like `randomUUID`, which
 * caches the same way). Every byte is handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let used = POOL_SIZE;

function take(n: number): number {
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

/** Where a call id is assembled: `c` and 12 base64url characters, as one flat string. */
const idScratch = Buffer.allocUnsafe(13);
idScratch[0] = 0x63; // 'c'

export const randomIds: IdSource = {
  callId: () => {
    // Written into one buffer: `c${…}` would be a V8 cons string, 32 bytes more in every parked call.
    const at = take(9);
    idScratch.write(pool.toString('base64url', at, at + 9), 1, 'latin1');
    return idScratch.toString('latin1');
  },
  token: () => {
    const at = take(16);
    return pool.toString('base64url', at, at + 16);
  },
};
