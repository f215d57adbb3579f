/**
 * The store contract (src/store/session-store.ts), run against every store: memory,
 * SQLite (a real file) and Redis (a real redis-server on a loopback port). What a
 * store shares across processes (Redis) is checked with two store instances.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallState } from '../../src/engine/state.js';
import { LockTimeoutError, StaleLeaseError } from '../../src/store/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { Redis } from 'ioredis';
import { RedisStore, type RedisStoreOptions } from '../../src/store/redis-store.js';
import { SCRIPT_GRACE_MS, type SessionStore } from '../../src/store/session-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { TRANSCRIPT_LIMIT } from '../../src/store/transcript.js';
import { callState, sentEntry } from './states.js';
import { startRedisServer, type TestRedis } from './redis-server.js';
import { requireRedis } from '../helpers/optional-deps.js';

// Without redis-server only the Redis part is skipped: memory and SQLite need nothing installed.
const withRedis = requireRedis(import.meta.url);

interface Harness {
  readonly name: string;
  /** A store on fresh, empty data. */
  fresh(options?: RedisStoreOptions): Promise<SessionStore>;
  /** Another store instance on the same data (a second process or a restart), when the store allows it. */
  again?(store: SessionStore, options?: RedisStoreOptions): Promise<SessionStore>;
  /** Whether two instances may be open on the same data at once (several servers). */
  readonly shared: boolean;
  /** Resolves once a `lock(id)` call on `store` is parked waiting for the holder (not still trying). */
  parked?(store: SessionStore, id: string): Promise<void>;
}

let redis: TestRedis;
/** A plain client for looking at keys and injecting faults. */
let raw: Redis;
let tmp: string;
let prefixes = 0;
const open: SessionStore[] = [];

beforeAll(async () => {
  if (withRedis) {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
  }
  tmp = mkdtempSync(join(tmpdir(), 'callscript-store-'));
});

afterAll(async () => {
  await raw?.quit();
  await redis?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function track<T extends SessionStore>(store: T): T {
  open.push(store);
  return store;
}

const harnesses: Harness[] = [
  {
    name: 'memory',
    shared: false,
    // Transcripts are opt-in for the memory store (see below).
    fresh: async (options) => track(new MemoryStore({ transcriptLimit: TRANSCRIPT_LIMIT, ...options })),
  },
  {
    name: 'sqlite',
    shared: false,
    fresh: async (options) => track(new SqliteStore(join(tmp, `s${++prefixes}`, 'sessions.db'), options)),
    again: async (store, options) => {
      const path = (store as SqliteStore).path;
      await store.close();
      return track(new SqliteStore(path, options));
    },
  },
  {
    name: 'redis',
    shared: true,
    fresh: async (options) => track(await RedisStore.open(redis.url, { prefix: `t${++prefixes}:`, ...options })),
    again: async (store, options) => track(await RedisStore.open(redis.url, { prefix: (store as RedisStore).prefix, ...options })),
    // The waiter subscribes to the call's unlock channel before its last try; its
    // store's later commands (the release) reach Redis after that try.
    parked: async (store, id) => {
      const channel = `${(store as RedisStore).prefix}unlock:${id}`;
      for (let i = 0; i < 1000; i++) {
        const [, count] = (await raw.pubsub('NUMSUB', channel)) as [string, number];
        if (count > 0) return;
      }
      throw new Error('the waiter never subscribed');
    },
  },
];

for (const h of harnesses) describe.skipIf(h.name === 'redis' && !withRedis)(`${h.name} store`, () => {
  describe('state', () => {
    it('gives back what was put, field for field; unknown ids are undefined', async () => {
      const store = await h.fresh();
      const state = callState();
      expect(await store.get(state.id)).toBeUndefined();
      await store.put(state);
      expect(await store.get(state.id)).toEqual(state);
      const next = { ...state, step: 'account', seq: 3, path: [...state.path, 'account'], vars: { account: '1' } };
      await store.put(next);
      expect(await store.get(state.id)).toEqual(next);
      expect(await store.get('c-nope')).toBeUndefined();
    });

    it('delete removes the state, its transcript and its session binding', async () => {
      const store = await h.fresh();
      const state = callState();
      expect(await store.claimSession(state.session, state.id)).toBe(true);
      await store.put(state, { transcript: [sentEntry(1, 'hello')] });
      await store.delete(state.id);
      expect(await store.get(state.id)).toBeUndefined();
      expect(await store.transcript(state.id)).toEqual([]);
      expect(await store.findBySession(state.session)).toBeUndefined();
    });
  });

  describe('sessions', () => {
    it('binds a provider session to one call: the first claim wins, repeating it is fine', async () => {
      const store = await h.fresh();
      expect(await store.claimSession('S1', 'cA')).toBe(true);
      expect(await store.claimSession('S1', 'cA')).toBe(true);
      expect(await store.claimSession('S1', 'cB')).toBe(false);
      expect(await store.findBySession('S1')).toBe('cA');
      expect(await store.findBySession('S2')).toBeUndefined();
    });

    it('an ended call keeps its session until it is removed: found by it, read by id, claimed by no other call', async () => {
      const store = await h.fresh();
      const call = callState();
      expect(await store.claimSession(call.session, call.id)).toBe(true);
      await store.put(call);
      const ended: CallState = { ...call, status: 'ended', outcome: 'completed', pending: null, updatedAt: call.updatedAt + 1 };
      await store.put(ended);
      expect(await store.get(call.id)).toEqual(ended);
      expect(await store.findBySession(call.session)).toBe(call.id);
      expect(await store.claimSession(call.session, 'c-late')).toBe(false);
      expect(await store.claimSession(call.session, call.id)).toBe(true);
      expect((await store.active()).map((s) => s.id)).not.toContain(call.id);
      await store.delete(call.id);
      expect(await store.get(call.id)).toBeUndefined();
      expect(await store.findBySession(call.session)).toBeUndefined();
      expect(await store.claimSession(call.session, 'c-late')).toBe(true);
    });

    it('a call written ended straight away, or claiming its session once ended, is found by that session', async () => {
      const store = await h.fresh();
      const first = callState({ status: 'ended', outcome: 'caller-hangup', pending: null });
      await store.claimSession(first.session, first.id);
      await store.put(first);
      const second = callState({ status: 'ended', outcome: 'caller-hangup', pending: null });
      await store.put(second);
      expect(await store.claimSession(second.session, second.id)).toBe(true);
      for (const s of [first, second]) {
        expect(await store.findBySession(s.session)).toBe(s.id);
        expect(await store.get(s.id)).toEqual(s);
      }
      await store.delete(second.id);
      expect(await store.findBySession(second.session)).toBeUndefined();
      expect(await store.findBySession(first.session)).toBe(first.id);
    });

    it('of many concurrent claims for one session, exactly one wins', async () => {
      const stores = [await h.fresh()];
      if (h.shared && h.again) stores.push(await h.again(stores[0]!));
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.claimSession('S-race', `c${i}`)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await stores[0]!.findBySession('S-race')).toBe(`c${claims.indexOf(true)}`);
    });
  });

  describe('locks', () => {
    it('exclude other holders: concurrent read-modify-write sections lose no update', async () => {
      const stores = [await h.fresh()];
      if (h.shared && h.again) stores.push(await h.again(stores[0]!));
      const base = callState({ steps: 0 });
      await stores[0]!.put(base);
      const sections = 12;
      await Promise.all(
        Array.from({ length: sections }, async (_, i) => {
          const store = stores[i % stores.length]!;
          const lease = await store.lock(base.id);
          try {
            const state = await store.get(base.id);
            // Give every other section the chance to interleave if exclusion were broken.
            await new Promise((r) => setImmediate(r));
            await store.get(base.id);
            await store.put({ ...state!, steps: state!.steps + 1 }, { lease });
          } finally {
            await lease.release();
          }
        }),
      );
      expect((await stores[0]!.get(base.id))?.steps).toBe(sections);
    });

    it('a waiter gets the lock as soon as the holder releases it', async () => {
      // Locks that would not expire within the test's time: only the release can wake the waiter.
      const store = await h.fresh({ lockWaitMs: 60_000, lockTtlMs: 60_000 });
      await store.put(callState({ id: 'c-wait' }));
      const first = await store.lock('c-wait');
      let granted = false;
      const second = store.lock('c-wait').then((lease) => {
        granted = true;
        return lease;
      });
      await h.parked?.(store, 'c-wait');
      expect(granted).toBe(false);
      await first.release();
      const lease = await second;
      expect(lease.fence).toBeGreaterThan(first.fence);
      await lease.release();
    });

    it('a lock held past the wait bound ends the wait with LockTimeoutError', async () => {
      const store = await h.fresh();
      const holder = await store.lock('c-busy');
      const err = await store.lock('c-busy', { waitMs: 50 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect(err).toMatchObject({ code: 'CS_LOCK_TIMEOUT', id: 'c-busy' });
      await holder.release();
      const after = await store.lock('c-busy', { waitMs: 50 });
      await after.release();
    });

    it('fencing: a write with a lease that is no longer current is refused and changes nothing', async () => {
      const store = await h.fresh();
      const state = callState();
      const old = await store.lock(state.id);
      await store.put(state, { lease: old });
      await old.release();
      const current = await store.lock(state.id);
      expect(current.fence).toBeGreaterThan(old.fence);
      const stale = store.put({ ...state, step: 'stale' }, { lease: old, transcript: [sentEntry(9, 'stale')] });
      await expect(stale).rejects.toBeInstanceOf(StaleLeaseError);
      await expect(stale).rejects.toMatchObject({ code: 'CS_STALE_LEASE' });
      expect(await store.get(state.id)).toEqual(state);
      expect(await store.transcript(state.id)).toEqual([]);
      await store.put({ ...state, step: 'fresh' }, { lease: current });
      expect((await store.get(state.id))?.step).toBe('fresh');
      await current.release();
      // Releasing twice is harmless.
      await current.release();
    });
  });

  describe('transcripts', () => {
    it('append in order with each write, and keep only the newest entries past the cap', async () => {
      const store = await h.fresh({ transcriptLimit: 5 });
      const state = callState();
      expect(await store.transcript(state.id)).toEqual([]);
      await store.put(state, { transcript: [sentEntry(1, 'one'), sentEntry(2, 'two')] });
      await store.put(state);
      await store.put(state, { transcript: [sentEntry(3, 'three')] });
      expect((await store.transcript(state.id)).map((e) => e.type === 'sent' && e.text)).toEqual(['one', 'two', 'three']);
      await store.put(state, { transcript: [4, 5, 6, 7].map((n) => sentEntry(n, `n${n}`)) });
      const entries = await store.transcript(state.id);
      expect(entries.map((e) => ('seq' in e ? e.seq : -1))).toEqual([3, 4, 5, 6, 7]);
      expect(entries[0]).toEqual({ ...sentEntry(3, 'three'), at: entries[0]!.at });
    });
  });

  describe('long transcripts', () => {
    it('many writes: the newest entries are kept, the rest is dropped, and all of it goes with the call', async () => {
      const store = await h.fresh({ transcriptLimit: 3 });
      const state = callState();
      const other = callState();
      for (let n = 1; n <= 8; n++) {
        await store.put(state, { transcript: [sentEntry(n, `n${n}`)] });
        await store.put(other, { transcript: [sentEntry(n, `other${n}`)] });
      }
      expect((await store.transcript(state.id)).map((e) => ('seq' in e ? e.seq : -1))).toEqual([6, 7, 8]);
      await store.delete(state.id);
      expect(await store.transcript(state.id)).toEqual([]);
      expect((await store.transcript(other.id)).map((e) => e.type === 'sent' && e.text)).toEqual(['other6', 'other7', 'other8']);
    });
  });

  describe('active calls', () => {
    it('lists calls not ended, ordered by id, in pages', async () => {
      const store = await h.fresh();
      const ids = ['c-b', 'c-d', 'c-a', 'c-e', 'c-c'];
      for (const id of ids) await store.put(callState({ id }));
      await store.put(callState({ id: 'c-x', status: 'ended', outcome: 'completed', pending: null }));
      await store.put(callState({ id: 'c-d', status: 'ended', outcome: 'caller-hangup', pending: null }));
      expect((await store.active()).map((s) => s.id)).toEqual(['c-a', 'c-b', 'c-c', 'c-e']);
      const page1 = await store.active({ limit: 2 });
      expect(page1.map((s) => s.id)).toEqual(['c-a', 'c-b']);
      const page2 = await store.active({ limit: 2, after: page1.at(-1)!.id });
      expect(page2.map((s) => s.id)).toEqual(['c-c', 'c-e']);
      expect(await store.active({ limit: 2, after: 'c-e' })).toEqual([]);
    });
  });

  describe('script versions', () => {
    it('keeps a version by name and hash; storing it again is harmless', async () => {
      const store = await h.fresh();
      const v = { name: 'acme', version: 'abcdef0123456789', source: 'steps:\n  a: { hangup: "Bye" }\n', file: 'scripts/acme.yaml' };
      await store.putScript(v);
      await store.putScript(v);
      expect(await store.getScript('acme', 'abcdef0123456789')).toEqual(v);
      expect(await store.getScript('acme', 'ffffffffffffffff')).toBeUndefined();
      expect(await store.getScript('other', 'abcdef0123456789')).toBeUndefined();
    });

    it('a version a call is pinned to survives sweeps', async () => {
      const store = await h.fresh();
      await store.putScript({ name: 'acme', version: 'v-in-use', source: 'x' });
      const later = Date.now() + SCRIPT_GRACE_MS + 1000;
      await store.put(callState({ script: 'acme', version: 'v-in-use', updatedAt: later }));
      await store.sweep(later);
      expect(await store.getScript('acme', 'v-in-use')).toBeDefined();
    });

    it('sweeps keep every version some call is on, however the calls interleave', async () => {
      const store = await h.fresh();
      for (const version of ['v-a', 'v-b', 'v-unused']) await store.putScript({ name: 'acme', version, source: 'x' });
      await store.putScript({ name: 'other', version: 'v-a', source: 'x' });
      const later = Date.now() + SCRIPT_GRACE_MS + 1000;
      for (const [script, version] of [['acme', 'v-a'], ['acme', 'v-b'], ['acme', 'v-a'], ['other', 'v-a'], ['acme', 'v-a']] as const) {
        await store.put(callState({ script, version, updatedAt: later }));
      }
      await store.sweep(later);
      expect(await store.getScript('acme', 'v-a')).toBeDefined();
      expect(await store.getScript('acme', 'v-b')).toBeDefined();
      expect(await store.getScript('other', 'v-a')).toBeDefined();
      // Versions no call is on go after their grace period: at this sweep on stores that sweep them, later by expiry on Redis.
      if (store.kind !== 'redis') expect(await store.getScript('acme', 'v-unused')).toBeUndefined();
    });
  });

  describe('expiry', () => {
    it('sweep expires calls idle past the TTL once, and removes ended calls past retention', async () => {
      const store = await h.fresh({ idleTtlMs: 60_000, endedRetentionMs: 10_000 });
      const now = Date.now();
      const idle = callState({ updatedAt: now - 60_000 });
      const busy = callState({ updatedAt: now - 59_000 });
      const endedOld = callState({ status: 'ended', outcome: 'completed', pending: null, updatedAt: now - 10_000 });
      const endedNew = callState({ status: 'ended', outcome: 'completed', pending: null, updatedAt: now - 9_000 });
      for (const s of [idle, busy, endedOld, endedNew]) {
        await store.claimSession(s.session, s.id);
        await store.put(s, { transcript: [sentEntry(1, 'hi')] });
      }
      const expired = await store.sweep(now);
      expect(expired).toEqual([idle]);
      expect(await store.get(idle.id)).toBeUndefined();
      expect(await store.transcript(idle.id)).toEqual([]);
      expect(await store.findBySession(idle.session)).toBeUndefined();
      expect(await store.get(endedOld.id)).toBeUndefined();
      expect(await store.findBySession(endedOld.session)).toBeUndefined();
      expect(await store.get(busy.id)).toEqual(busy);
      expect(await store.get(endedNew.id)).toEqual(endedNew);
      expect(await store.transcript(endedNew.id)).toHaveLength(1);
      expect(await store.sweep(now)).toEqual([]);
    });

    it('by default, calls idle for 4 h expire and ended calls stay 10 minutes', async () => {
      const store = await h.fresh();
      const now = Date.now();
      const idle = callState({ updatedAt: now - 4 * 3_600_000 });
      const busy = callState({ updatedAt: now - 4 * 3_600_000 + 60_000 });
      const endedOld = callState({ status: 'ended', outcome: 'completed', pending: null, updatedAt: now - 10 * 60_000 });
      const endedNew = callState({ status: 'ended', outcome: 'completed', pending: null, updatedAt: now - 9 * 60_000 });
      for (const s of [idle, busy, endedOld, endedNew]) await store.put(s);
      expect(await store.sweep(now)).toEqual([idle]);
      expect(await store.get(idle.id)).toBeUndefined();
      expect(await store.get(endedOld.id)).toBeUndefined();
      expect(await store.get(busy.id)).toEqual(busy);
      expect(await store.get(endedNew.id)).toEqual(endedNew);
    });

    it('with several servers sweeping at once, each idle call is reported exactly once', async () => {
      const stores = [await h.fresh({ idleTtlMs: 1000 })];
      if (h.shared && h.again) stores.push(await h.again(stores[0]!, { idleTtlMs: 1000 }), await h.again(stores[0]!, { idleTtlMs: 1000 }));
      const now = Date.now();
      const idle = Array.from({ length: 30 }, () => callState({ updatedAt: now - 5000 }));
      for (const s of idle) await stores[0]!.put(s);
      const reports = (await Promise.all(stores.map((s) => s.sweep(now)))).flat();
      expect(reports.map((s) => s.id).sort()).toEqual(idle.map((s) => s.id).sort());
    });
  });

  describe('clear', () => {
    it('forgets every call, its session and transcript, and keeps script versions', async () => {
      const store = await h.fresh();
      const state = callState();
      await store.claimSession(state.session, state.id);
      await store.put(state, { transcript: [sentEntry(1, 'hi')] });
      await store.put(callState({ status: 'ended', outcome: 'completed', pending: null }));
      await store.putScript({ name: 'acme', version: 'v-kept', source: 'src' });
      await store.clear();
      expect(await store.get(state.id)).toBeUndefined();
      expect(await store.findBySession(state.session)).toBeUndefined();
      expect(await store.transcript(state.id)).toEqual([]);
      expect(await store.active()).toEqual([]);
      expect(await store.claimSession(state.session, 'c-new')).toBe(true);
      expect(await store.getScript('acme', 'v-kept')).toBeDefined();
    });
  });

  if (h.again !== undefined) {
    describe('durability', () => {
      it('a new store instance on the same data (a restart) finds calls, transcripts, sessions and script versions', async () => {
        const store = await h.fresh();
        const state = callState();
        const lease = await store.lock(state.id);
        await store.claimSession(state.session, state.id);
        await store.put(state, { lease, transcript: [sentEntry(1, 'before the restart')] });
        await lease.release();
        await store.putScript({ name: 'acme', version: 'v1', source: 'src' });
        const reopened = await h.again!(store);
        expect(await reopened.get(state.id)).toEqual(state);
        expect(await reopened.transcript(state.id)).toMatchObject([{ type: 'sent', text: 'before the restart' }]);
        expect(await reopened.findBySession(state.session)).toBe(state.id);
        expect(await reopened.getScript('acme', 'v1')).toMatchObject({ source: 'src' });
        expect((await reopened.active()).map((s) => s.id)).toEqual([state.id]);
        const next = await reopened.lock(state.id);
        await reopened.put({ ...state, seq: 3 }, { lease: next });
        await next.release();
        expect((await reopened.get(state.id))?.seq).toBe(3);
      });

      it('a call whose lock holder died before letting go is interrupted until a holder writes it and lets go', async () => {
        // A short lock TTL: Redis hands a dead holder's lock on once it expires.
        const store = await h.fresh({ lockTtlMs: 200 });
        const state = callState();
        const lease = await store.lock(state.id);
        expect(lease.interrupted ?? false).toBe(false);
        await store.put(state, { lease });
        // The holder dies here: no release, no renewal (and the OS drops a SQLite store's file lock).
        await store.close();
        const reopened = await h.again!(store, { lockTtlMs: 200, lockWaitMs: 5_000 });
        expect(await reopened.interrupted()).toEqual([state.id]);
        const recovering = await reopened.lock(state.id);
        expect(recovering.interrupted).toBe(true);
        await reopened.put({ ...state, seq: 2 }, { lease: recovering });
        await recovering.release();
        expect(await reopened.interrupted()).toEqual([]);
        const next = await reopened.lock(state.id);
        expect(next.interrupted ?? false).toBe(false);
        await next.release();
      });
    });
  } else {
    it('says it is not durable', async () => {
      const store = await h.fresh();
      expect(store.durable).toBe(false);
    });
  }

  if (h.name === 'memory') {
    describe('without promises (immediate)', () => {
      it('reads and writes the same calls and sessions as the store itself', async () => {
        const store = await h.fresh();
        const now = store.immediate;
        if (now === undefined) throw new Error('the memory store answers at once');
        const state = callState();
        const entry = sentEntry(1, 'hello');
        now.put(state, { transcript: [entry] });
        expect(await store.get(state.id)).toEqual(state);
        expect(await store.transcript(state.id)).toEqual([entry]);
        const next = { ...state, step: 'account', seq: 3 };
        await store.put(next);
        expect(now.get(state.id)).toEqual(next);
        expect(now.get('c-nope')).toBeUndefined();
        expect(now.claimSession('S1', state.id)).toBe(true);
        expect(now.claimSession('S1', state.id)).toBe(true);
        expect(now.claimSession('S1', 'c-other')).toBe(false);
        expect(await store.claimSession('S1', 'c-other')).toBe(false);
        expect(now.findBySession('S1')).toBe(state.id);
        expect(now.findBySession('S2')).toBeUndefined();
      });

      it('tryLock takes a free lock at once and never waits for a held one; unlock hands it to the first waiter', async () => {
        const store = await h.fresh();
        const now = store.immediate;
        if (now === undefined) throw new Error('the memory store answers at once');
        const state = callState();
        const held = await store.lock(state.id);
        expect(now.tryLock(state.id)).toBeUndefined();
        await held.release();
        const first = now.tryLock(state.id);
        if (first === undefined) throw new Error('a free lock is taken at once');
        expect(first.fence).toBeGreaterThan(held.fence);
        expect(now.tryLock(state.id)).toBeUndefined();
        let granted = false;
        const waiter = store.lock(state.id).then((lease) => {
          granted = true;
          return lease;
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(granted).toBe(false);
        now.unlock(first);
        const second = await waiter;
        expect(second.fence).toBeGreaterThan(first.fence);
        // An unlock of a lock no longer held changes nothing.
        now.unlock(first);
        expect(now.tryLock(state.id)).toBeUndefined();
        await second.release();
      });

      it('fencing: a write with a lease that is no longer current throws StaleLeaseError and changes nothing', async () => {
        const store = await h.fresh();
        const now = store.immediate;
        if (now === undefined) throw new Error('the memory store answers at once');
        const state = callState();
        const old = now.tryLock(state.id);
        if (old === undefined) throw new Error('a free lock is taken at once');
        now.put(state, { lease: old });
        now.unlock(old);
        expect(() => now.put({ ...state, step: 'stale' }, { lease: old })).toThrow(StaleLeaseError);
        expect(now.get(state.id)).toEqual(state);
      });
    });
  } else {
    it('offers no view without promises: a write is answered only once it is committed', async () => {
      const store = await h.fresh();
      expect(store.immediate).toBeUndefined();
    });
  }
});

describe('memory store', () => {
  it('keeps no transcripts unless asked to (a parked call stays under 1 KB)', async () => {
    const store = track(new MemoryStore());
    const state = callState();
    await store.put(state, { transcript: [sentEntry(1, 'hello')] });
    expect(await store.transcript(state.id)).toEqual([]);
    expect(await store.get(state.id)).toEqual(state);
  });
});

describe('sqlite store, one server per file', () => {
  it('refuses a second store on a file another store has open, and lets it in once closed', async () => {
    const path = join(tmp, 'exclusive', 'sessions.db');
    const first = track(new SqliteStore(path));
    expect(() => new SqliteStore(path)).toThrowError(expect.objectContaining({ code: 'CS_STORE_IN_USE' }) as Error);
    await first.close();
    const second = track(new SqliteStore(path));
    expect(second.durable).toBe(true);
  });

  it('refuses a file written by a newer schema', async () => {
    const path = join(tmp, 'newer', 'sessions.db');
    const store = new SqliteStore(path);
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(path)).toThrowError(expect.objectContaining({ code: 'CS_STORE_UNAVAILABLE' }) as Error);
  });
});

describe.skipIf(!withRedis)('redis store across servers', () => {
  it('a holder that dies holding a lock blocks the call only until its lock expires; its last write is there', async () => {
    const a = await RedisStore.open(redis.url, { prefix: 'dead:', lockTtlMs: 300 });
    const b = track(await RedisStore.open(redis.url, { prefix: 'dead:', lockTtlMs: 300, lockWaitMs: 10_000 }));
    const state = callState();
    const lease = await a.lock(state.id);
    await a.put(state, { lease });
    // The server dies: it never releases or renews the lock.
    await a.close();
    expect(await raw.pttl(`dead:lock:${state.id}`)).toBeGreaterThan(0);
    const next = await b.lock(state.id);
    expect(next.fence).toBeGreaterThan(lease.fence);
    expect(await b.get(state.id)).toEqual(state);
    await next.release();
  });

  it('a holder whose lock expired and was taken over cannot write; its release leaves the new holder alone', async () => {
    const store = track(await RedisStore.open(redis.url, { prefix: 'fence:' }));
    const other = track(await RedisStore.open(redis.url, { prefix: 'fence:' }));
    const state = callState();
    const slow = await store.lock(state.id);
    await store.put(state, { lease: slow });
    // Fault injection: the slow holder's lock expires (as after a long GC pause).
    await raw.del(`fence:lock:${state.id}`);
    const taker = await other.lock(state.id, { waitMs: 1000 });
    await other.put({ ...state, seq: 3 }, { lease: taker });
    await expect(store.put({ ...state, seq: 99 }, { lease: slow })).rejects.toBeInstanceOf(StaleLeaseError);
    await slow.release();
    await expect(other.lock(state.id, { waitMs: 50 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect((await other.get(state.id))?.seq).toBe(3);
    await taker.release();
  });

  it('clear touches only its own prefix', async () => {
    const mine = track(await RedisStore.open(redis.url, { prefix: 'clear-a:' }));
    const other = track(await RedisStore.open(redis.url, { prefix: 'clear-b:' }));
    const a = callState();
    const b = callState();
    await mine.put(a);
    await other.put(b);
    await mine.clear();
    expect(await mine.get(a.id)).toBeUndefined();
    expect(await other.get(b.id)).toEqual(b);
  });

  it('locking a call that does not exist (a forged or stale notify URL) leaves no key behind', async () => {
    const store = track(await RedisStore.open(redis.url, { prefix: 'ghost:' }));
    const lease = await store.lock('c-ghost');
    expect(await store.get('c-ghost')).toBeUndefined();
    await lease.release();
    expect(await raw.keys('ghost:*')).toEqual([]);
  });

  it('a version stays in Redis at least as long as any call written on it', async () => {
    const store = track(await RedisStore.open(redis.url, { prefix: 'ttl:', idleTtlMs: 60_000, endedRetentionMs: 1000 }));
    const state: CallState = callState({ script: 'acme', version: 'v9' });
    await store.putScript({ name: 'acme', version: 'v9', source: 'src' });
    await store.put(state);
    const scriptTtl = await raw.pttl('ttl:script:acme:v9');
    const callTtl = await raw.pttl(`ttl:call:${state.id}`);
    expect(callTtl).toBeGreaterThan(60_000);
    expect(scriptTtl).toBeGreaterThan(callTtl);
  });

  it('after SCRIPT FLUSH the scripts still run', async () => {
    const store = track(await RedisStore.open(redis.url, { prefix: 'flush:' }));
    const state = callState();
    await store.put(state);
    await raw.script('FLUSH');
    const lease = await store.lock(state.id);
    await store.put({ ...state, seq: 2 }, { lease });
    await lease.release();
    expect((await store.get(state.id))?.seq).toBe(2);
  });

  // Last in this file: the server the other tests use is a new, empty one afterwards.
  it('after a Redis restart the store reconnects and its scripts run without a failed EVALSHA (NOSCRIPT) first', async () => {
    const store = track(await RedisStore.open(redis.url, { prefix: 'restart:' }));
    const before = callState();
    const first = await store.lock(before.id);
    await store.put(before, { lease: first });
    await first.release();

    await redis.restart();
    await untilAnswered(() => store.findBySession('none'));

    const state = callState();
    const lease = await store.lock(state.id);
    await store.put(state, { lease, transcript: [sentEntry(1, 'after the restart')] });
    expect(await store.claimSession('S-restart', state.id)).toBe(true);
    await lease.release();
    expect(await store.get(state.id)).toEqual(state);
    await store.delete(state.id);
    expect(await store.get(state.id)).toBeUndefined();
    expect(await raw.info('errorstats')).not.toContain('NOSCRIPT');
  });
});

/** Retries `fn` while the store's connection is still coming back (each try fails fast). */
async function untilAnswered(fn: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (attempt >= 50) throw err;
    }
  }
}
