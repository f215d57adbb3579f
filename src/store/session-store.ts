import type { CallState } from '../engine/state.js';

/** Releases a lock taken with `SessionStore.lock`. */
export type Release = () => Promise<void>;

/**
 * Where call state lives between notifications. The engine holds all call state
 * (the provider keeps none for us), so a store that survives restarts keeps calls
 * alive across them.
 *
 * Contract (the shared store test suite checks it for every store):
 * - `put` then `get` returns an equal state; `get` of an unknown id is undefined;
 * - `claimSession` is atomic: of two claims for one provider session, one wins;
 * - `lock` excludes every other holder of the same id, across processes where the
 *   store is shared, until released;
 * - ended calls stay readable for `endedRetentionMs`, then disappear.
 */
export interface SessionStore {
  readonly kind: string;
  get(id: string): Promise<CallState | undefined>;
  put(state: CallState): Promise<void>;
  delete(id: string): Promise<void>;
  /** Binds a provider session to a call; false if another call has it (a duplicate ringing). */
  claimSession(session: string, id: string): Promise<boolean>;
  /** The call a provider session belongs to. */
  findBySession(session: string): Promise<string | undefined>;
  lock(id: string): Promise<Release>;
  /** Calls not yet ended. */
  active(): Promise<CallState[]>;
  /** Removes ended calls past retention and active calls idle past the TTL; returns the idle ones expired. */
  sweep(now: number): Promise<CallState[]>;
  close(): Promise<void>;
}

export interface StoreTimings {
  /** An active call with no event for this long is expired (default 4 h). */
  readonly idleTtlMs: number;
  /** Ended calls are kept this long for inspection and duplicate `ended` notifications (default 10 min). */
  readonly endedRetentionMs: number;
}

export const DEFAULT_STORE_TIMINGS: StoreTimings = { idleTtlMs: 4 * 60 * 60 * 1000, endedRetentionMs: 10 * 60 * 1000 };
