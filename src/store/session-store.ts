import type { CallState } from '../engine/state.js';
import type { TranscriptEntry } from './transcript.js';

/**
 * A held call lock. `fence` grows with every grant of the lock of a stored call,
 * so a write carrying an older lease (whose lock expired and went to someone
 * else, or was released) is refused instead of overwriting a newer state.
 */
export interface Lease {
  readonly id: string;
  readonly fence: number;
  /**
   * The call's previous holder may have died holding the lock, in the middle of its work:
   * a block committed may not have reached the provider, or a notification taken may have
   * been lost (see docs/durability.md). The holder reconciles the call before letting go.
   */
  readonly interrupted?: boolean;
  /** Gives the lock up; the lease is stale from then on. Never throws for an already lost lock. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another holder to let go before `LockTimeoutError` (default: the store's). */
  readonly waitMs?: number;
}

export interface PutOptions {
  /** The caller's lease on the call: the write is refused (`StaleLeaseError`) unless it is still current. */
  readonly lease?: Lease;
  /** Appended to the call's transcript in the same write. */
  readonly transcript?: readonly TranscriptEntry[];
}

export interface ActiveOptions {
  /** At most this many calls (default 1000). */
  readonly limit?: number;
  /** Only calls whose id sorts after this one: pages through `active()` by the last id seen. */
  readonly after?: string;
}

/** A script version calls may be pinned to, kept so any server can recompile it. */
export interface StoredScript {
  readonly name: string;
  /** Content hash of `source` (`scriptVersion`). */
  readonly version: string;
  readonly source: string;
  readonly file?: string;
}

/**
 * Where call state lives between notifications. The engine holds all call state
 * (the provider keeps none for us), so a store that survives restarts keeps calls
 * alive across them.
 *
 * Contract (the shared store test suite, `test/store/`, checks it for every store):
 * - `put` then `get` returns an equal state; `get` of an unknown id is undefined;
 * - `claimSession` is atomic: of two claims for one provider session, one wins;
 * - `lock` excludes every other holder of the same id, across processes where the
 *   store is shared, until released (or, for a holder that died, until its lock
 *   expires); waiting is bounded and ends in `LockTimeoutError`;
 * - a `put` with a lease that is no longer current throws `StaleLeaseError` and
 *   changes nothing;
 * - transcripts are kept per call, capped at `TRANSCRIPT_LIMIT` (oldest dropped);
 * - script versions are kept by (name, version) while calls may need them;
 * - active calls idle past `idleTtlMs` are expired by `sweep` (each reported once,
 *   even with several servers sweeping); ended calls stay readable for
 *   `endedRetentionMs`, then disappear.
 */
export interface SessionStore {
  readonly kind: 'memory' | 'sqlite' | 'redis';
  /** False for stores that lose calls when the process stops. */
  readonly durable: boolean;
  /** False when `put` drops transcript entries (so callers may skip building them); kept when absent. */
  readonly keepsTranscripts?: boolean;
  /** The same store without promises, when its reads and writes take effect before they return (memory). */
  readonly immediate?: ImmediateStore;
  get(id: string): Promise<CallState | undefined>;
  put(state: CallState, options?: PutOptions): Promise<void>;
  delete(id: string): Promise<void>;
  /** Binds a provider session to a call; false if another call has it (a duplicate ringing). */
  claimSession(session: string, id: string): Promise<boolean>;
  /** The call a provider session belongs to. */
  findBySession(session: string): Promise<string | undefined>;
  lock(id: string, options?: LockOptions): Promise<Lease>;
  /** Calls not yet ended, ordered by id. */
  active(options?: ActiveOptions): Promise<CallState[]>;
  /**
   * Ids (ordered) of calls a dead holder may have left in the middle of their work, for
   * recovery to lock (the grant then says `interrupted`). Memory: none. SQLite (one server
   * per file): every call active when the file was opened and not written since. Redis: every
   * call whose lock was granted and never released (held now, or by a holder that died).
   */
  interrupted(options?: ActiveOptions): Promise<string[]>;
  /** The call's transcript, oldest first (empty for an unknown call). */
  transcript(id: string): Promise<TranscriptEntry[]>;
  /** Keeps a script version (idempotent). */
  putScript(script: StoredScript): Promise<void>;
  getScript(name: string, version: string): Promise<StoredScript | undefined>;
  /** Removes ended calls past retention and active calls idle past the TTL; returns the idle ones expired. */
  sweep(now: number): Promise<CallState[]>;
  /**
   * Forgets every call (state, session binding, transcript, lock); script versions
   * stay. For the dev server, whose built-in simulator's calls end with the process
   * and whose session ids start again at S1.
   */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A store's calls, read and written without waiting: what the runner uses to apply a
 * webhook in one synchronous pass when the call's lock is free (docs/performance.md).
 * Only a store whose writes are done when they return offers it: a durable store
 * answers a write once it is committed (SQLite's group commit, Redis), and a webhook
 * must not be answered before that. Each method keeps its `SessionStore` contract.
 */
export interface ImmediateStore {
  get(id: string): CallState | undefined;
  /** Throws `StaleLeaseError` as `SessionStore.put` rejects with it. */
  put(state: CallState, options?: PutOptions): void;
  findBySession(session: string): string | undefined;
  claimSession(session: string, id: string): boolean;
  /** The call's lock if no one holds it; undefined when someone does (then wait with `SessionStore.lock`). */
  tryLock(id: string): Lease | undefined;
  /** Gives the lock up, as `Lease.release` does. */
  unlock(lease: Lease): void;
}

export interface StoreTimings {
  /** An active call with no event for this long is expired (default 4 h). */
  readonly idleTtlMs: number;
  /** Ended calls are kept this long for inspection and duplicate `ended` notifications (default 10 min). */
  readonly endedRetentionMs: number;
}

export const DEFAULT_STORE_TIMINGS: StoreTimings = { idleTtlMs: 4 * 60 * 60 * 1000, endedRetentionMs: 10 * 60 * 1000 };

/** What every store can be tuned with; `openStore` fills these from the command line. */
export interface StoreOptions extends Partial<StoreTimings> {
  /** Default bound on `lock()` waits (ms). */
  readonly lockWaitMs?: number;
  /** Transcript entries kept per call (default `TRANSCRIPT_LIMIT`; 0 keeps none). */
  readonly transcriptLimit?: number;
}

/** `active()` without a limit returns at most this many calls. */
export const DEFAULT_ACTIVE_LIMIT = 1000;

/** A lock holder that needs longer than this to give up its lock makes waiters fail (`LockTimeoutError`). */
export const DEFAULT_LOCK_WAIT_MS = 20_000;

/**
 * A script version no call references is kept at least this long after it was
 * last stored: a call that starts on it stores it again first (see `ScriptArchive`).
 */
export const SCRIPT_GRACE_MS = 60 * 60 * 1000;
