import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/store/duration.js';
import { describeStore, openStore, parseStoreSpec } from '../../src/store/open-store.js';
import { startRedisServer, type TestRedis } from './redis-server.js';
import { requireRedis } from '../helpers/optional-deps.js';

// Only openStore needs a running redis-server; the parsers below need nothing installed.
const withRedis = requireRedis(import.meta.url);

describe('parseStoreSpec', () => {
  it('reads memory, sqlite:<file> and redis:// URLs with callscript options', () => {
    expect(parseStoreSpec('memory')).toEqual({ kind: 'memory' });
    expect(parseStoreSpec('memory?ended_limit=50000')).toEqual({ kind: 'memory', endedLimit: 50_000 });
    expect(parseStoreSpec('sqlite:.callscript/sessions.db')).toEqual({ kind: 'sqlite', path: '.callscript/sessions.db' });
    expect(parseStoreSpec('sqlite:/var/lib/cs/s.db')).toEqual({ kind: 'sqlite', path: '/var/lib/cs/s.db' });
    expect(parseStoreSpec('redis://10.0.0.5:6380/2?prefix=ivr:&lock_ttl=5s&lock_wait=30s')).toEqual({
      kind: 'redis',
      url: 'redis://10.0.0.5:6380/2',
      prefix: 'ivr:',
      lockTtlMs: 5000,
      lockWaitMs: 30_000,
    });
    expect(parseStoreSpec('rediss://user:pw@redis.example.com:6379')).toEqual({ kind: 'redis', url: 'rediss://user:pw@redis.example.com:6379' });
  });

  it.each([
    ['postgres://db', /unknown store "postgres:\/\/db": use memory, sqlite:<file>/],
    ['sqlite:', /sqlite: needs a file/],
    ['redis://host:6379/zero', /database must be a number/],
    ['redis://host:6379?lock_ttl=5', /lock_ttl: "5" is not a duration/],
    ['redis://host:6379?lock_wait=0s', /lock_wait must be more than 0/],
    ['memory?ended_limit=0', /ended_limit must be a whole number from 1/],
    ['memory?ended_limit=1e4', /ended_limit must be a whole number from 1/],
    ['memory?limit=5', /unknown memory store option "limit": the memory store takes ended_limit=<count>/],
  ])('refuses %s with a message saying what is accepted', (spec, message) => {
    expect(() => parseStoreSpec(spec)).toThrowError(message);
    expect(() => parseStoreSpec(spec)).toThrowError(expect.objectContaining({ code: 'CS_BAD_STORE' }) as Error);
  });

  it('never shows a Redis password', () => {
    expect(describeStore('redis://user:s3cret@h:6379/1?prefix=x:')).toBe('redis://user:***@h:6379/1');
    expect(describeStore('sqlite:a.db')).toBe('sqlite:a.db');
    expect(describeStore('memory?ended_limit=7')).toBe('memory?ended_limit=7');
  });
});

describe('parseDuration', () => {
  it('reads numbers with a unit', () => {
    expect(parseDuration('4h')).toBe(14_400_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuses bare numbers and nonsense', () => {
    for (const bad of ['3600', '', 'h', '4 hours', '-1m', '1e3s']) {
      expect(() => parseDuration(bad)).toThrowError(expect.objectContaining({ code: 'CS_BAD_DURATION' }) as Error);
    }
  });

  it('formats back', () => {
    expect(formatDuration(14_400_000)).toBe('4h');
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});

describe.skipIf(!withRedis)('openStore', () => {
  let redis: TestRedis;
  let tmp: string;
  beforeAll(async () => {
    redis = await startRedisServer();
    tmp = mkdtempSync(join(tmpdir(), 'callscript-open-'));
  });
  afterAll(async () => {
    // Both may be unset: a failed beforeAll still runs this.
    await redis?.stop();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it('opens each kind, creating the SQLite folder', async () => {
    const stores = [
      await openStore('memory'),
      await openStore(`sqlite:${join(tmp, 'deep', 'er', 's.db')}`),
      await openStore(`${redis.url}/3?prefix=open:`),
    ];
    expect(stores.map((s) => [s.kind, s.durable])).toEqual([
      ['memory', false],
      ['sqlite', true],
      ['redis', true],
    ]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('fails fast with CS_STORE_UNAVAILABLE when Redis cannot be reached', async () => {
    const closed = `redis://127.0.0.1:${redis.port === 1 ? 2 : 1}`;
    await expect(openStore(closed)).rejects.toMatchObject({ code: 'CS_STORE_UNAVAILABLE', message: expect.stringContaining('cannot reach Redis') });
  });
});
