import { randomBytes } from 'node:crypto';

/** Sources of ids and secrets, injectable so tests can make them predictable. */
export interface IdSource {
  /** Our id for a call: short, unique, safe in a URL path. Not secret. */
  callId(): string;
  /** The per-call secret carried by every notify URL: 128 random bits. */
  token(): string;
}

export const randomIds: IdSource = {
  callId: () => {
    // Written into one buffer: `c${…}` would be a V8 cons string, 32 bytes more in every parked call.
    const id = Buffer.allocUnsafe(13);
    id[0] = 0x63; // 'c'
    id.write(randomBytes(9).toString('base64url'), 1, 'latin1');
    return id.toString('latin1');
  },
  token: () => randomBytes(16).toString('base64url'),
};
