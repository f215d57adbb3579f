import type { CallState } from '../engine/state.js';
import { DEFAULT_STORE_TIMINGS, type Release, type SessionStore, type StoreTimings } from './session-store.js';

/**
 * Calls in process memory: fast and simple, and every call in progress is lost
 * when the process stops. For tests, development and throwaway runs.
 */
export class MemoryStore implements SessionStore {
  readonly kind = 'memory';
  private readonly calls = new Map<string, CallState>();
  private readonly sessions = new Map<string, string>();
  private readonly timings: StoreTimings;

  constructor(timings: Partial<StoreTimings> = {}) {
    this.timings = { ...DEFAULT_STORE_TIMINGS, ...timings };
  }

  async get(id: string): Promise<CallState | undefined> {
    return this.calls.get(id);
  }

  async put(state: CallState): Promise<void> {
    this.calls.set(state.id, state);
    if (state.session !== '' && !this.sessions.has(state.session)) this.sessions.set(state.session, state.id);
  }

  async delete(id: string): Promise<void> {
    const state = this.calls.get(id);
    this.calls.delete(id);
    if (state !== undefined && this.sessions.get(state.session) === id) this.sessions.delete(state.session);
  }

  async claimSession(session: string, id: string): Promise<boolean> {
    const holder = this.sessions.get(session);
    if (holder !== undefined && holder !== id) return false;
    this.sessions.set(session, id);
    return true;
  }

  async findBySession(session: string): Promise<string | undefined> {
    return this.sessions.get(session);
  }

  // One process owns the memory, and the runtime already serialises each call's
  // events in that process: nothing else can interleave.
  async lock(): Promise<Release> {
    return noop;
  }

  async active(): Promise<CallState[]> {
    return [...this.calls.values()].filter((s) => s.status !== 'ended');
  }

  async sweep(now: number): Promise<CallState[]> {
    const expired: CallState[] = [];
    for (const state of this.calls.values()) {
      if (state.status === 'ended') {
        if (now - state.updatedAt >= this.timings.endedRetentionMs) await this.delete(state.id);
      } else if (now - state.updatedAt >= this.timings.idleTtlMs) {
        expired.push(state);
        await this.delete(state.id);
      }
    }
    return expired;
  }

  get size(): number {
    return this.calls.size;
  }

  async close(): Promise<void> {
    this.calls.clear();
    this.sessions.clear();
  }
}

const noop: Release = async () => {};
