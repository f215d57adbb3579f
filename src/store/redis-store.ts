import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CallState } from '../engine/state.js';
import { LockTimeoutError, StaleLeaseError, StoreUnavailableError } from './errors.js';
import { defineStoreCommands } from './redis-scripts.js';
import { UnlockSignals } from './redis-unlock-signals.js';
import { redisUrlForLogs } from './redis-url.js';
import {
  DEFAULT_ACTIVE_LIMIT,
  DEFAULT_LOCK_WAIT_MS,
  DEFAULT_STORE_TIMINGS,
  SCRIPT_GRACE_MS,
  type ActiveOptions,
  type Lease,
  type LockOptions,
  type PutOptions,
  type SessionStore,
  type StoreOptions,
  type StoredScript,
  type StoreTimings,
} from './session-store.js';
import { TRANSCRIPT_LIMIT, type TranscriptEntry } from './transcript.js';

export interface RedisStoreOptions extends StoreOptions {
  /** Prefix of every key, so several deployments can share one Redis (default `callscript:`). */
  readonly prefix?: string;
  /**
   * A holder's lock expires this long after its last renewal (default 10 s). Live
   * holders renew every third of it; a server that dies holding a lock blocks that
   * one call for at most this long.
   */
  readonly lockTtlMs?: number;
}

export const DEFAULT_LOCK_TTL_MS = 10_000;
export const DEFAULT_REDIS_PREFIX = 'callscript:';

/**
 * Keys outlive the sweep's deadlines by this much, so Redis frees them by itself
 * if no server sweeps any more, while a live server always sweeps (and logs) first.
 */
const SAFETY_MS = 60 * 60 * 1000;
const SWEEP_BATCH = 1000;

/**
 * Calls in Redis, shared by several callscript servers: any server may get any
 * notification of any call. Each call's work runs under a per-call lock
 * (`SET NX PX` + token, renewed while held, released by compare-and-delete) and
 * every write is fenced: a holder whose lock expired and was taken over cannot
 * overwrite the newer state (see `redis-scripts.ts`).
 */
export class RedisStore implements SessionStore {
  readonly kind = 'redis';
  readonly durable = true;
  readonly prefix: string;
  private readonly timings: StoreTimings;
  private readonly transcriptLimit: number;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly signals: UnlockSignals;
  private readonly renewals = new Set<NodeJS.Timeout>();
  /**
   * The state read with a lock grant, for the holder's `get` that follows: nobody
   * else can write the call meanwhile (a holder fenced out meanwhile can only fail
   * its write). Dropped at the first write, read or release.
   */
  private readonly prefetched = new Map<string, string>();
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    options: RedisStoreOptions,
  ) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.timings = {
      idleTtlMs: options.idleTtlMs ?? DEFAULT_STORE_TIMINGS.idleTtlMs,
      endedRetentionMs: options.endedRetentionMs ?? DEFAULT_STORE_TIMINGS.endedRetentionMs,
    };
    this.transcriptLimit = options.transcriptLimit ?? TRANSCRIPT_LIMIT;
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    this.lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
    this.signals = new UnlockSignals(redis);
  }

  /** Connects to `url` (`redis://[user:pass@]host:port[/db]`, or `rediss://` for TLS) and checks it answers. */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableAutoPipelining: true,
      connectTimeout: 5_000,
      maxRetriesPerRequest: 3,
    });
    // Reconnection errors are retried by ioredis and surface as failed commands.
    redis.on('error', () => undefined);
    defineStoreCommands(redis);
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw new StoreUnavailableError(`cannot reach Redis at ${redisUrlForLogs(url)}: ${(err as Error).message}`, { cause: err });
    }
    return new RedisStore(redis, options);
  }

  async get(id: string): Promise<CallState | undefined> {
    const ready = this.prefetched.get(id);
    if (ready !== undefined) {
      this.prefetched.delete(id);
      return JSON.parse(ready) as CallState;
    }
    const json = await this.redis.hget(this.key('call:', id), 's');
    return json === null ? undefined : (JSON.parse(json) as CallState);
  }

  async put(state: CallState, options: PutOptions = {}): Promise<void> {
    this.prefetched.delete(state.id);
    const ended = state.status === 'ended';
    const keepMs = (ended ? this.timings.endedRetentionMs : this.timings.idleTtlMs) + SAFETY_MS;
    const entries = this.transcriptLimit > 0 ? (options.transcript ?? []).map((e) => JSON.stringify(e)) : [];
    const ok = await this.redis.callscriptPut(
      this.key('call:', state.id),
      this.key('t:', state.id),
      this.key('idx:live'),
      this.key('idx:idle'),
      this.key('idx:ended'),
      this.key('session:', state.session),
      this.scriptKey(state.script, state.version),
      JSON.stringify(state),
      options.lease !== undefined ? String(options.lease.fence) : '',
      state.id,
      ended ? '1' : '0',
      state.updatedAt,
      keepMs,
      Math.max(1, this.transcriptLimit),
      this.scriptKeepMs(),
      state.session !== '' ? '1' : '0',
      ...entries,
    );
    if (ok !== 1) throw new StaleLeaseError(state.id, options.lease?.fence ?? 0);
  }

  async delete(id: string): Promise<void> {
    this.prefetched.delete(id);
    await this.remove(this.key('idx:live'), id, 'any');
  }

  async claimSession(session: string, id: string): Promise<boolean> {
    return (await this.redis.callscriptClaim(this.key('session:', session), id, this.timings.idleTtlMs + SAFETY_MS)) === 1;
  }

  async findBySession(session: string): Promise<string | undefined> {
    return (await this.redis.get(this.key('session:', session))) ?? undefined;
  }

  async lock(id: string, options: LockOptions = {}): Promise<Lease> {
    const waitMs = options.waitMs ?? this.lockWaitMs;
    const token = randomBytes(16).toString('base64url');
    const first = await this.tryAcquire(id, token);
    if (first.granted) return this.lease(id, token, first.fence, first.state, first.interrupted);

    // Contended: listen for the holder's release, then try again; a holder that
    // died never releases, so also wake when its lock would have expired.
    const deadline = Date.now() + waitMs;
    let signalled = false;
    let wake: (() => void) | undefined;
    const stop = await this.signals.listen(this.key('unlock:', id), () => {
      signalled = true;
      wake?.();
    });
    try {
      for (;;) {
        signalled = false;
        const result = await this.tryAcquire(id, token);
        if (result.granted) return this.lease(id, token, result.fence, result.state, result.interrupted);
        const left = deadline - Date.now();
        if (left <= 0) throw new LockTimeoutError(id, waitMs);
        if (signalled) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(result.holderLeftMs, left));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      stop();
    }
  }

  async active(options: ActiveOptions = {}): Promise<CallState[]> {
    const start = options.after !== undefined ? `(${options.after}` : '-';
    const ids = await this.redis.zrangebylex(this.key('idx:live'), start, '+', 'LIMIT', 0, options.limit ?? DEFAULT_ACTIVE_LIMIT);
    const states = await Promise.all(ids.map((id) => this.get(id)));
    return states.filter((s): s is CallState => s !== undefined && s.status !== 'ended');
  }

  async interrupted(options: ActiveOptions = {}): Promise<string[]> {
    const start = options.after !== undefined ? `(${options.after}` : '-';
    return this.redis.zrangebylex(this.key('idx:held'), start, '+', 'LIMIT', 0, options.limit ?? DEFAULT_ACTIVE_LIMIT);
  }

  async transcript(id: string): Promise<TranscriptEntry[]> {
    const list = await this.redis.lrange(this.key('t:', id), 0, -1);
    return list.map((json) => JSON.parse(json) as TranscriptEntry);
  }

  async putScript(script: StoredScript): Promise<void> {
    const value: StoredScript = {
      name: script.name,
      version: script.version,
      source: script.source,
      ...(script.file !== undefined ? { file: script.file } : {}),
    };
    await this.redis.set(this.scriptKey(script.name, script.version), JSON.stringify(value), 'PX', this.scriptKeepMs());
  }

  async getScript(name: string, version: string): Promise<StoredScript | undefined> {
    const json = await this.redis.get(this.scriptKey(name, version));
    return json === null ? undefined : (JSON.parse(json) as StoredScript);
  }

  async sweep(now: number): Promise<CallState[]> {
    const idleBefore = now - this.timings.idleTtlMs;
    const endedBefore = now - this.timings.endedRetentionMs;
    const [idle, ended] = await Promise.all([
      this.redis.zrangebyscore(this.key('idx:idle'), '-inf', idleBefore, 'LIMIT', 0, SWEEP_BATCH),
      this.redis.zrangebyscore(this.key('idx:ended'), '-inf', endedBefore, 'LIMIT', 0, SWEEP_BATCH),
    ]);
    const [expired] = await Promise.all([
      Promise.all(idle.map((id) => this.remove(this.key('idx:idle'), id, String(idleBefore)))),
      Promise.all(ended.map((id) => this.remove(this.key('idx:ended'), id, String(endedBefore)))),
    ]);
    // Script versions expire by themselves: every write of a call refreshes its version's expiry.
    return expired.filter((s): s is CallState => s !== undefined);
  }

  async clear(): Promise<void> {
    const scripts = this.key('script:');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(this.prefix)}*`, 'COUNT', 1000);
      cursor = next;
      const calls = keys.filter((k) => !k.startsWith(scripts));
      if (calls.length > 0) await this.redis.unlink(...calls);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.renewals) clearInterval(timer);
    this.renewals.clear();
    await this.signals.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id}`;
  }

  private scriptKey(name: string, version: string): string {
    return `${this.prefix}script:${name}:${version}`;
  }

  /** Outlives any call that was written on the version since it was stored. */
  private scriptKeepMs(): number {
    return this.timings.idleTtlMs + this.timings.endedRetentionMs + SCRIPT_GRACE_MS;
  }

  private async tryAcquire(
    id: string,
    token: string,
  ): Promise<
    | { readonly granted: true; readonly fence: number; readonly state: string; readonly interrupted: boolean }
    | { readonly granted: false; readonly holderLeftMs: number }
  > {
    const reply = await this.redis.callscriptAcquire(this.key('lock:', id), this.key('call:', id), this.key('idx:held'), token, this.lockTtlMs, id);
    return reply[0] === 1
      ? { granted: true, fence: Number(reply[1]), state: reply[2], interrupted: reply[3] === 1 }
      : { granted: false, holderLeftMs: Number(reply[1]) };
  }

  private lease(id: string, token: string, fence: number, state: string, interrupted: boolean): Lease {
    if (state !== '') this.prefetched.set(id, state);
    else this.prefetched.delete(id);
    const lockKey = this.key('lock:', id);
    const timer = setInterval(() => {
      this.redis.callscriptRenew(lockKey, token, this.lockTtlMs).then(
        (held) => {
          // Lost: another holder has it now, and fencing refuses our writes.
          if (held !== 1) this.stopRenewing(timer);
        },
        () => undefined,
      );
    }, Math.max(1, Math.floor(this.lockTtlMs / 3)));
    timer.unref();
    this.renewals.add(timer);
    let released = false;
    return {
      id,
      fence,
      ...(interrupted ? { interrupted } : {}),
      release: async () => {
        if (released) return;
        released = true;
        this.prefetched.delete(id);
        this.stopRenewing(timer);
        if (this.closed) return;
        await this.redis.callscriptRelease(lockKey, this.key('call:', id), this.key('idx:held'), token, this.key('unlock:', id), id);
      },
    };
  }

  private stopRenewing(timer: NodeJS.Timeout): void {
    clearInterval(timer);
    this.renewals.delete(timer);
  }

  private async remove(index: string, id: string, maxScore: string): Promise<CallState | undefined> {
    const json = await this.redis.callscriptRemove(
      index,
      this.key('idx:live'),
      this.key('idx:idle'),
      this.key('idx:ended'),
      this.key('call:', id),
      this.key('t:', id),
      this.key('idx:held'),
      id,
      this.key('session:'),
      maxScore,
    );
    return typeof json === 'string' && json !== '' ? (JSON.parse(json) as CallState) : undefined;
  }
}

/** `prefix` as a SCAN pattern that matches it literally. */
function escapeGlob(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
