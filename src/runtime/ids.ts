import { randomBytes } from 'node:crypto';

/** Sources of ids and secrets, injectable so tests can make them predictable. */
export interface IdSource {
  /** Our id for a call: short, unique, safe in a URL path. Not secret. */
  callId(): string;
  /** The per-call secret carried by every notify URL: 128 random bits. */
  token(): string;
}

export const randomIds: IdSource = {
  callId: () => `c${randomBytes(9).toString('base64url')}`,
  token: () => randomBytes(16).toString('base64url'),
};
