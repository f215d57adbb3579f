/**
 * `--store` / `CALLSCRIPT_STORE`: which store a server keeps its calls in.
 *
 *   memory[?ended_limit=N]       in process memory; calls are lost on restart; at most N ended calls kept (10,000)
 *   sqlite:<file>                an embedded SQLite file (the default, sqlite:.callscript/sessions.db)
 *   redis://host:port[/db]       a Redis shared by several servers (rediss:// for TLS);
 *                                query options: prefix=<key prefix>, lock_ttl=<duration>, lock_wait=<duration>
 */
import { DurationError, parseDuration } from './duration.js';
import { StoreSpecError } from './errors.js';
import { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';
import { redisUrlForLogs } from './redis-url.js';
import type { SessionStore, StoreOptions } from './session-store.js';
import { SqliteStore } from './sqlite-store.js';

export const DEFAULT_STORE = 'sqlite:.callscript/sessions.db';

export type StoreSpec =
  | { readonly kind: 'memory'; readonly endedLimit?: number }
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'redis';
      /** The connection URL without callscript's own query options. */
      readonly url: string;
      readonly prefix?: string;
      readonly lockTtlMs?: number;
      readonly lockWaitMs?: number;
    };

/** A server's store setting: the spec plus the TTLs from the command line. */
export interface StoreConfig extends StoreOptions {
  readonly spec: string;
}

const REDIS_OPTIONS = new Set(['prefix', 'lock_ttl', 'lock_wait']);

/** Reads a `--store` value; throws `StoreSpecError` saying what is accepted. */
export function parseStoreSpec(spec: string): StoreSpec {
  const s = spec.trim();
  if (s === 'memory') return { kind: 'memory' };
  if (s.startsWith('memory?')) return memorySpec(spec, s.slice('memory?'.length));
  if (s.startsWith('sqlite:')) {
    const path = s.slice('sqlite:'.length);
    if (path === '') throw new StoreSpecError(spec, 'sqlite: needs a file, e.g. sqlite:.callscript/sessions.db');
    return { kind: 'sqlite', path };
  }
  if (/^rediss?:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new StoreSpecError(spec, `"${spec}" is not a valid Redis URL (redis://host:port[/db])`);
    }
    if (u.hostname === '') throw new StoreSpecError(spec, `"${spec}" has no host (redis://host:port[/db])`);
    if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) {
      throw new StoreSpecError(spec, `the Redis database must be a number (redis://host:port/0), got "${u.pathname.slice(1)}"`);
    }
    const out: { kind: 'redis'; url: string; prefix?: string; lockTtlMs?: number; lockWaitMs?: number } = { kind: 'redis', url: '' };
    for (const [key, value] of [...u.searchParams]) {
      if (!REDIS_OPTIONS.has(key)) continue;
      u.searchParams.delete(key);
      try {
        if (key === 'prefix') out.prefix = value;
        else if (key === 'lock_ttl') out.lockTtlMs = positive(parseDuration(value), spec, key);
        else out.lockWaitMs = positive(parseDuration(value), spec, key);
      } catch (err) {
        if (err instanceof DurationError) throw new StoreSpecError(spec, `${key}: ${err.message}`);
        throw err;
      }
    }
    out.url = u.toString();
    return out;
  }
  throw new StoreSpecError(
    spec,
    `unknown store "${spec}": use memory, sqlite:<file> (e.g. ${DEFAULT_STORE}) or redis://host:port[/db]`,
  );
}

/** `memory?ended_limit=N`: the only option a memory store takes. */
function memorySpec(spec: string, query: string): StoreSpec {
  const params = new URLSearchParams(query);
  const out: { kind: 'memory'; endedLimit?: number } = { kind: 'memory' };
  for (const [key, value] of params) {
    if (key !== 'ended_limit') throw new StoreSpecError(spec, `unknown memory store option "${key}": the memory store takes ended_limit=<count>`);
    if (!/^[1-9]\d{0,8}$/.test(value)) throw new StoreSpecError(spec, `ended_limit must be a whole number from 1 to 999999999, got "${value}"`);
    out.endedLimit = Number(value);
  }
  return out;
}

function positive(ms: number, spec: string, key: string): number {
  if (ms <= 0) throw new StoreSpecError(spec, `${key} must be more than 0`);
  return ms;
}

/** Opens (creating if needed) the store a spec names. */
export async function openStore(spec: string | StoreSpec, options: StoreOptions = {}): Promise<SessionStore> {
  const s = typeof spec === 'string' ? parseStoreSpec(spec) : spec;
  switch (s.kind) {
    case 'memory': {
      const memoryOptions: MemoryStoreOptions = { ...options, ...(s.endedLimit !== undefined ? { endedLimit: s.endedLimit } : {}) };
      return new MemoryStore(memoryOptions);
    }
    case 'sqlite':
      return new SqliteStore(s.path, options);
    case 'redis': {
      const redisOptions: RedisStoreOptions = {
        ...options,
        ...(s.prefix !== undefined ? { prefix: s.prefix } : {}),
        ...(s.lockTtlMs !== undefined ? { lockTtlMs: s.lockTtlMs } : {}),
        ...(s.lockWaitMs !== undefined ? { lockWaitMs: s.lockWaitMs } : {}),
      };
      return RedisStore.open(s.url, redisOptions);
    }
  }
}

/** The spec for logs: a Redis password is never printed. */
export function describeStore(spec: string | StoreSpec): string {
  const s = typeof spec === 'string' ? parseStoreSpec(spec) : spec;
  switch (s.kind) {
    case 'memory':
      return s.endedLimit !== undefined ? `memory?ended_limit=${s.endedLimit}` : 'memory';
    case 'sqlite':
      return `sqlite:${s.path}`;
    case 'redis':
      return redisUrlForLogs(s.url);
  }
}
