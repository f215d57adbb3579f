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

/**
 * Calls in process memory: fast and simple, and every call in progress is lost
 * when the process stops. For tests, development and throwaway runs.
 *
 * Keeps no transcripts unless `transcriptLimit` asks for them: a parked call costs
 * about 0.8 KB here, and its transcript would more than double that.
 */
export class MemoryStore implements SessionStore {
  readonly kind = 'memory';
  readonly durable = false;
  private readonly calls = new Map<string, CallState>();
  private readonly sessions = new Map<string, string>();
  private readonly transcripts = new Map<string, TranscriptEntry[]>();
  private readonly scripts = new Map<string, { script: StoredScript; storedAt: number }>();
  private readonly timings: StoreTimings;
  private readonly transcriptLimit: number;
  private readonly locks: LocalLocks;

  constructor(options: StoreOptions = {}) {
    this.timings = {
      idleTtlMs: options.idleTtlMs ?? DEFAULT_STORE_TIMINGS.idleTtlMs,
      endedRetentionMs: options.endedRetentionMs ?? DEFAULT_STORE_TIMINGS.endedRetentionMs,
    };
    this.transcriptLimit = options.transcriptLimit ?? 0;
    this.locks = new LocalLocks(options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  }

  get keepsTranscripts(): boolean {
    return this.transcriptLimit > 0;
  }

  readonly immediate: ImmediateStore = {
    get: (id) => this.calls.get(id),
    put: (state, options) => this.putNow(state, options),
    findBySession: (session) => this.sessions.get(session),
    claimSession: (session, id) => this.claimNow(session, id),
    tryLock: (id) => this.locks.tryAcquire(id),
    unlock: (lease) => this.locks.release(lease),
  };

  async get(id: string): Promise<CallState | undefined> {
    return this.calls.get(id);
  }

  async put(state: CallState, options: PutOptions = {}): Promise<void> {
    this.putNow(state, options);
  }

  private putNow(state: CallState, options: PutOptions = {}): void {
    if (options.lease !== undefined && !this.locks.holds(options.lease)) throw new StaleLeaseError(state.id, options.lease.fence);
    this.calls.set(state.id, state);
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

  async delete(id: string): Promise<void> {
    const state = this.calls.get(id);
    this.calls.delete(id);
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
    const ids = [...this.calls.keys()].filter((id) => after === undefined || id > after).sort();
    const out: CallState[] = [];
    for (const id of ids) {
      if (out.length >= limit) break;
      const state = this.calls.get(id);
      if (state !== undefined && state.status !== 'ended') out.push(state);
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
    for (const state of this.calls.values()) {
      if (state.status === 'ended') {
        if (now - state.updatedAt >= this.timings.endedRetentionMs) await this.delete(state.id);
        else uses(state);
      } else if (now - state.updatedAt >= this.timings.idleTtlMs) {
        expired.push(state);
        await this.delete(state.id);
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
    this.calls.clear();
    this.sessions.clear();
    this.transcripts.clear();
  }

  get size(): number {
    return this.calls.size;
  }

  async close(): Promise<void> {
    this.calls.clear();
    this.sessions.clear();
    this.transcripts.clear();
    this.scripts.clear();
  }
}

export function scriptKey(name: string, version: string): string {
  return `${name}@${version}`;
}
