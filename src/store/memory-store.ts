import type { CallState } from '../engine/state.js';
import { StaleLeaseError } from './errors.js';
import { LocalLocks } from './local-locks.js';
import {
  DEFAULT_ACTIVE_LIMIT,
  DEFAULT_LOCK_WAIT_MS,
  DEFAULT_STORE_TIMINGS,
  SCRIPT_GRACE_MS,
  type ActiveOptions,
  type ImmediateStore,
  type Lease,
  type LockOptions,
  type PutOptions,
  type SessionStore,
  type StoreOptions,
  type StoredScript,
  type StoreTimings,
} from './session-store.js';
import type { TranscriptEntry } from './transcript.js';

/** Ended calls a memory store keeps at most (the most recently ended), whatever `--ended-retention` allows. */
export const DEFAULT_MEMORY_ENDED_LIMIT = 10_000;

export interface MemoryStoreOptions extends StoreOptions {
  /** The most ended calls kept for their retention (default `DEFAULT_MEMORY_ENDED_LIMIT`); the oldest ended goes first. */
  readonly endedLimit?: number;
}

/**
 * Calls in process memory: fast and simple, and every call in progress is lost
 * when the process stops. For tests, development and throwaway runs.
 *
 * Keeps no transcripts unless `transcriptLimit` asks for them: a parked call costs
 * about 0.8 KB here, and its transcript would more than double that.
 *
 * Ended calls are kept for `--ended-retention`, and at most `endedLimit` of them: at
 * 1,500 calls a second, ten minutes of ended calls would be 900,000 states on the heap.
 * Every collection of the old generation walks what is kept, and the bench measured
 * about 5 % of a call's CPU going to 100,000 of them (docs/performance.md, "The tenth look").
 * Calls in progress are never dropped for the limit.
 */
export class MemoryStore implements SessionStore {
  readonly kind = 'memory';
  readonly durable = false;
  /**
   * Calls in progress, apart from the ended ones: every webhook reads and writes its call here,
   * and a table of the few dozen calls in progress stays in the CPU's caches where one shared
   * with 10,000 ended calls did not. A call moves to `endedCalls` as it ends. `get` looks here
   * first, so whatever was written last for an id is what it reads.
   */
  private readonly live = new Map<string, CallState>();
  private readonly endedCalls = new Map<string, CallState>();
  private readonly sessions = new Map<string, string>();
  private readonly transcripts = new Map<string, TranscriptEntry[]>();
  private readonly scripts = new Map<string, { script: StoredScript; storedAt: number }>();
  private readonly timings: StoreTimings;
  private readonly transcriptLimit: number;
  private readonly locks: LocalLocks;
  /** Ids of the most recently ended calls, oldest first from `nextEnded` (a ring, so dropping one costs nothing). */
  private readonly ended: Array<string | undefined>;
  private nextEnded = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.timings = {
      idleTtlMs: options.idleTtlMs ?? DEFAULT_STORE_TIMINGS.idleTtlMs,
      endedRetentionMs: options.endedRetentionMs ?? DEFAULT_STORE_TIMINGS.endedRetentionMs,
    };
    this.transcriptLimit = options.transcriptLimit ?? 0;
    this.locks = new LocalLocks(options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    const limit = options.endedLimit ?? DEFAULT_MEMORY_ENDED_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`endedLimit must be a positive integer, got ${limit}`);
    this.ended = new Array<string | undefined>(limit);
  }

  get keepsTranscripts(): boolean {
    return this.transcriptLimit > 0;
  }

  readonly immediate: ImmediateStore = {
    get: (id) => this.stateOf(id),
    put: (state, options) => this.putNow(state, options),
    findBySession: (session) => this.sessions.get(session),
    claimSession: (session, id) => this.claimNow(session, id),
    tryLock: (id) => this.locks.tryAcquire(id),
    unlock: (lease) => this.locks.release(lease),
  };

  async get(id: string): Promise<CallState | undefined> {
    return this.stateOf(id);
  }

  /** What was written last for `id`: a call in progress is looked for first (see `live`). */
  private stateOf(id: string): CallState | undefined {
    return this.live.get(id) ?? this.endedCalls.get(id);
  }

  async put(state: CallState, options: PutOptions = {}): Promise<void> {
    this.putNow(state, options);
  }

  private putNow(state: CallState, options: PutOptions = {}): void {
    if (options.lease !== undefined && !this.locks.holds(options.lease)) throw new StaleLeaseError(state.id, options.lease.fence);
    if (state.status !== 'ended') {
      this.live.set(state.id, state);
    } else {
      // Counted against the limit once: when it leaves the calls in progress, or arrives ended.
      if (this.live.delete(state.id) || !this.endedCalls.has(state.id)) this.endedNow(state.id);
      this.endedCalls.set(state.id, state);
    }
    const entries = options.transcript;
    if (entries !== undefined && entries.length > 0 && this.transcriptLimit > 0) {
      let list = this.transcripts.get(state.id);
      if (list === undefined) {
        list = [];
        this.transcripts.set(state.id, list);
      }
      list.push(...entries);
      if (list.length > this.transcriptLimit) list.splice(0, list.length - this.transcriptLimit);
    }
  }

  /** `id` has just ended: it takes the place of the call that ended longest ago, once `endedLimit` are kept. */
  private endedNow(id: string): void {
    const oldest = this.ended[this.nextEnded];
    this.ended[this.nextEnded] = id;
    this.nextEnded = (this.nextEnded + 1) % this.ended.length;
    if (oldest === undefined) return;
    // Gone already (swept, deleted): nothing to drop. Fewer lookups than deleteNow: each is of a key
    // 10,000 calls old, out of the caches.
    const state = this.endedCalls.get(oldest);
    if (state === undefined) return;
    this.endedCalls.delete(oldest);
    if (this.transcripts.size > 0) this.transcripts.delete(oldest);
    if (this.sessions.get(state.session) === oldest) this.sessions.delete(state.session);
  }

  async delete(id: string): Promise<void> {
    this.deleteNow(id);
  }

  private deleteNow(id: string): void {
    const state = this.stateOf(id);
    this.live.delete(id);
    this.endedCalls.delete(id);
    this.transcripts.delete(id);
    if (state !== undefined && this.sessions.get(state.session) === id) this.sessions.delete(state.session);
  }

  async claimSession(session: string, id: string): Promise<boolean> {
    return this.claimNow(session, id);
  }

  private claimNow(session: string, id: string): boolean {
    const holder = this.sessions.get(session);
    if (holder !== undefined && holder !== id) return false;
    this.sessions.set(session, id);
    return true;
  }

  async findBySession(session: string): Promise<string | undefined> {
    return this.sessions.get(session);
  }

  lock(id: string, options: LockOptions = {}): Promise<Lease> {
    return this.locks.acquire(id, options.waitMs);
  }

  async active(options: ActiveOptions = {}): Promise<CallState[]> {
    const limit = options.limit ?? DEFAULT_ACTIVE_LIMIT;
    const after = options.after;
    const ids = [...this.live.keys()].filter((id) => after === undefined || id > after).sort();
    const out: CallState[] = [];
    for (const id of ids) {
      if (out.length >= limit) break;
      const state = this.live.get(id);
      if (state !== undefined) out.push(state);
    }
    return out;
  }

  /** Nothing: a memory store does not outlive the holders of its locks. */
  async interrupted(): Promise<string[]> {
    return [];
  }

  async transcript(id: string): Promise<TranscriptEntry[]> {
    return [...(this.transcripts.get(id) ?? [])];
  }

  async putScript(script: StoredScript): Promise<void> {
    this.scripts.set(scriptKey(script.name, script.version), { script, storedAt: Date.now() });
  }

  async getScript(name: string, version: string): Promise<StoredScript | undefined> {
    return this.scripts.get(scriptKey(name, version))?.script;
  }

  async sweep(now: number): Promise<CallState[]> {
    const expired: CallState[] = [];
    const inUse = new Set<string>();
    // Every retained call is looked at, each sweep: its script's key is built only when it
    // differs from the call before's (nearly all calls share one version), not once per call
    // (an ended call retained 10 minutes is swept 20 times; docs/performance.md, "The seventh look").
    let script: string | undefined;
    let version: string | undefined;
    const uses = (state: CallState): void => {
      if (state.script === script && state.version === version) return;
      script = state.script;
      version = state.version;
      inUse.add(scriptKey(script, version));
    };
    for (const state of this.endedCalls.values()) {
      if (now - state.updatedAt >= this.timings.endedRetentionMs) this.deleteNow(state.id);
      else uses(state);
    }
    for (const state of this.live.values()) {
      if (now - state.updatedAt >= this.timings.idleTtlMs) {
        expired.push(state);
        this.deleteNow(state.id);
      } else {
        uses(state);
      }
    }
    for (const [key, { storedAt }] of this.scripts) {
      if (!inUse.has(key) && now - storedAt >= SCRIPT_GRACE_MS) this.scripts.delete(key);
    }
    return expired;
  }

  async clear(): Promise<void> {
    this.live.clear();
    this.endedCalls.clear();
    this.sessions.clear();
    this.transcripts.clear();
  }

  /** Calls kept: in progress and ended. */
  get size(): number {
    return this.live.size + this.endedCalls.size;
  }

  async close(): Promise<void> {
    await this.clear();
    this.scripts.clear();
  }
}

export function scriptKey(name: string, version: string): string {
  return `${name}@${version}`;
}
