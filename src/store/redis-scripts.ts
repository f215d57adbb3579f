/**
 * The Lua scripts that make the Redis store's multi-key steps atomic. Each runs as
 * one Redis command, so a lock grant and its fence, or a fenced write and its
 * index updates, can never interleave with another server's.
 *
 * Key layout (every key starts with the store's prefix, `callscript:` by default):
 *   call:<id>        hash  s = state JSON, f = fence (grows with every lock grant and release; 0 when absent)
 *   lock:<id>        string holder token, with the lock's expiry
 *   t:<id>           list  transcript entries (JSON), capped
 *   session:<s>      string call id of a provider session
 *   script:<n>:<v>   string StoredScript JSON
 *   idx:live         zset  ids of active calls, score 0 (ordered by id, for listing)
 *   idx:idle         zset  ids of active calls by last update (for the idle TTL)
 *   idx:ended        zset  ids of ended calls by end time (for retention)
 *   idx:held         zset  ids whose lock was granted and not yet released, score 0: one left
 *                          behind marks a call whose holder died in the middle of its work
 * The session keys a sweep deletes are derived inside the scripts, so these scripts
 * need a single Redis (or a primary), not Redis Cluster.
 *
 * They are ioredis custom commands (`defineCommand`): ioredis sends a script's
 * source with its first use on each connection and its SHA after, so a restarted
 * Redis (a new connection) costs no failed EVALSHA.
 */
import type { Redis, Result } from 'ioredis';

/** A lock grant: {1, fence, state JSON or '', interrupted 1/0}; a refusal: {0, ms the holder's lock has left}. */
export type AcquireReply = [granted: 1, fence: number, state: string, interrupted: number] | [granted: 0, holderLeftMs: number];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    callscriptAcquire(lock: string, call: string, held: string, token: string, ttlMs: number, id: string): Result<AcquireReply, Context>;
    callscriptRenew(lock: string, token: string, ttlMs: number): Result<number, Context>;
    callscriptRelease(lock: string, call: string, held: string, token: string, channel: string, id: string): Result<number, Context>;
    callscriptPut(...keysAndArgs: [...keys: PutKeys, ...args: Array<string | number>]): Result<number, Context>;
    callscriptClaim(session: string, id: string, ttlMs: number): Result<number, Context>;
    callscriptRemove(...keysAndArgs: [...keys: RemoveKeys, id: string, sessionPrefix: string, maxScore: string]): Result<string | null, Context>;
  }
}

/** call, transcript, idx:live, idx:idle, idx:ended, session, script */
export type PutKeys = [string, string, string, string, string, string, string];
/** index, idx:live, idx:idle, idx:ended, call, transcript, idx:held */
export type RemoveKeys = [string, string, string, string, string, string, string];

interface Definition {
  readonly numberOfKeys: number;
  readonly lua: string;
}

/**
 * KEYS lock, call, idx:held · ARGV token, lock ttl ms, id.
 * Returns {1, fence, state JSON or '', interrupted} when granted (the holder reads
 * the state next: it comes with the grant, saving a round trip), or {0, ms the
 * current holder's lock has left}. A call not written yet has fence 0 (nothing is
 * created for it; its idx:held entry goes with the release). `interrupted` is 1 when
 * the last grant was never released: its holder died in the middle of the call's work.
 */
const ACQUIRE: Definition = {
  numberOfKeys: 3,
  lua: `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local interrupted = 0
  if redis.call('ZADD', KEYS[3], 0, ARGV[3]) == 0 then interrupted = 1 end
  if redis.call('EXISTS', KEYS[2]) == 0 then return {1, 0, '', interrupted} end
  local fence = redis.call('HINCRBY', KEYS[2], 'f', 1)
  return {1, fence, redis.call('HGET', KEYS[2], 's') or '', interrupted}
end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then left = 1 end
return {0, left}
`,
};

/** KEYS lock · ARGV token, ttl ms. 1 if still held and extended, 0 if lost. */
const RENEW: Definition = {
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`,
};

/**
 * KEYS lock, call, idx:held · ARGV token, unlock channel, id. Deletes the lock only if
 * still ours, moves the fence on (the released lease can no longer write), clears the
 * call's held mark and wakes waiters.
 */
const RELEASE: Definition = {
  numberOfKeys: 3,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HINCRBY', KEYS[2], 'f', 1) end
redis.call('PUBLISH', ARGV[2], '1')
return 1
`,
};

/**
 * KEYS call, transcript, idx:live, idx:idle, idx:ended, session, script
 * ARGV 1 state JSON, 2 fence ('' = unfenced), 3 id, 4 ended (1/0), 5 updatedAt,
 *      6 expiry ms of the call's keys, 7 transcript cap, 8 expiry ms of the script,
 *      9 has session (1/0), 10… transcript entries
 * Returns 1, or 0 when the fence is not the current one (nothing written).
 */
const PUT: Definition = {
  numberOfKeys: 7,
  lua: `
if ARGV[2] ~= '' and (redis.call('HGET', KEYS[1], 'f') or '0') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if ARGV[4] == '1' then
  redis.call('ZREM', KEYS[3], ARGV[3])
  redis.call('ZREM', KEYS[4], ARGV[3])
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[3])
else
  redis.call('ZADD', KEYS[3], 0, ARGV[3])
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[3])
end
if #ARGV > 9 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 10))
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
end
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if ARGV[9] == '1' then redis.call('PEXPIRE', KEYS[6], ARGV[6]) end
redis.call('PEXPIRE', KEYS[7], ARGV[8])
return 1
`,
};

/** KEYS session · ARGV id, expiry ms. 1 if the session is (now) this call's, 0 if another's. */
const CLAIM: Definition = {
  numberOfKeys: 1,
  lua: `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
`,
};

/**
 * KEYS index (idx:idle or idx:ended), idx:live, idx:idle, idx:ended, call, transcript, idx:held
 * ARGV 1 id, 2 session key prefix, 3 highest score to remove ('any': remove whatever the index says)
 * Removes a call (and its session key, if it still points at the call) only if it
 * is still in the index at or below that score: of several servers sweeping, one
 * removes it. Returns the state JSON ('' if the hash was gone), or false.
 */
const REMOVE: Definition = {
  numberOfKeys: 7,
  lua: `
if ARGV[3] ~= 'any' then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if not score or tonumber(score) > tonumber(ARGV[3]) then return false end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
local s = redis.call('HGET', KEYS[5], 's')
redis.call('DEL', KEYS[5], KEYS[6])
if s then
  local ok, state = pcall(cjson.decode, s)
  if ok and type(state) == 'table' and type(state.session) == 'string' and state.session ~= '' then
    local key = ARGV[2] .. state.session
    if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
  end
  return s
end
return ''
`,
};

/** Makes the store's scripts commands of `redis` (before its first use). */
export function defineStoreCommands(redis: Redis): void {
  redis.defineCommand('callscriptAcquire', ACQUIRE);
  redis.defineCommand('callscriptRenew', RENEW);
  redis.defineCommand('callscriptRelease', RELEASE);
  redis.defineCommand('callscriptPut', PUT);
  redis.defineCommand('callscriptClaim', CLAIM);
  redis.defineCommand('callscriptRemove', REMOVE);
}
