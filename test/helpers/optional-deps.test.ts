/**
 * A fresh machine without redis-server or Chromium: `npm test` stays green, the tests that need
 * them are reported skipped with one line per file saying what is missing and how to get it;
 * under CI=true or CALLSCRIPT_REQUIRE_ALL=1 the same run fails. The binaries are hidden with
 * REDIS_SERVER=/nonexistent and CHROMIUM_PATH=/nonexistent, and vitest runs the test files that
 * need them in a child process, as `npm test` would (so whatever is installed here does not matter).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, findRedisServer, requiredBy } from './optional-deps.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every test file that needs redis-server or Chromium. */
const REDIS_FILES = ['test/store/contract.test.ts', 'test/store/open-store.test.ts', 'test/durability/redis-two-servers.test.ts'];
const CHROMIUM_FILES = ['test/phone/phone.test.ts'];

const REDIS_MISSING = 'redis-server not found at REDIS_SERVER=/nonexistent; apt-get install redis-server, or set REDIS_SERVER=/path/to/redis-server';
const CHROMIUM_MISSING = 'Chromium not found at CHROMIUM_PATH=/nonexistent; apt-get install chromium, or set CHROMIUM_PATH=/path/to/chromium';

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** `vitest run <files>` in a child with the given variables on top of a clean copy of this env. */
function vitest(files: readonly string[], vars: Readonly<Record<string, string>>): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env };
  // This process runs under vitest (and in CI under CI=true): none of that may leak into the
  // child, whose CI / CALLSCRIPT_REQUIRE_ALL are exactly what each case sets.
  for (const key of Object.keys(env)) {
    if (key === 'CI' || key === 'CALLSCRIPT_REQUIRE_ALL' || key === 'FORCE_COLOR' || key.startsWith('VITEST')) delete env[key];
  }
  Object.assign(env, { NO_COLOR: '1' }, vars);
  return new Promise((resolvePromise, reject) => {
    // The files are named one by one: the child never picks up this file and recurses.
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, output }));
  });
}

function skipLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('skipped: '))
    .sort();
}

const HIDDEN = { REDIS_SERVER: '/nonexistent', CHROMIUM_PATH: '/nonexistent' };
// A loaded machine can take a while to start vitest and a dev server; no timing is asserted.
const CHILD_TIMEOUT = 180_000;

describe('without redis-server and Chromium', () => {
  it('npm test stays green: the tests that need them are skipped, one line per file', async () => {
    const run = await vitest([...REDIS_FILES, ...CHROMIUM_FILES], HIDDEN);
    expect(run.output).not.toMatch(/TypeError|Unhandled|FAIL/);
    expect(skipLines(run.output)).toEqual(
      [
        ...REDIS_FILES.map((f) => `skipped: ${f} (redis) — ${REDIS_MISSING}`),
        ...CHROMIUM_FILES.map((f) => `skipped: ${f} (chromium) — ${CHROMIUM_MISSING}`),
      ].sort(),
    );
    // vitest itself reports them as skipped, not as passed.
    expect(run.output).toMatch(/Tests\s+\d+ passed \| \d+ skipped/);
    expect(run.code).toBe(0);
  }, CHILD_TIMEOUT);

  it('CALLSCRIPT_REQUIRE_ALL=1 turns a skip into a failure naming what is missing', async () => {
    // One file of each kind: every file goes through the same helper, as the run above shows.
    const redisFile = 'test/store/open-store.test.ts';
    const chromiumFile = 'test/phone/phone.test.ts';
    const run = await vitest([redisFile, chromiumFile], { ...HIDDEN, CALLSCRIPT_REQUIRE_ALL: '1' });
    expect(run.code).not.toBe(0);
    expect(skipLines(run.output)).toEqual([]);
    expect(run.output).toContain(`missing: ${redisFile} (redis) — ${REDIS_MISSING}. A failure, not a skip, because CALLSCRIPT_REQUIRE_ALL=1.`);
    expect(run.output).toContain(`missing: ${chromiumFile} (chromium) — ${CHROMIUM_MISSING}. A failure, not a skip, because CALLSCRIPT_REQUIRE_ALL=1.`);
  }, CHILD_TIMEOUT);

  it('CI=true (what .ci/run exports) fails when only one of them is hidden', async () => {
    const run = await vitest(['test/store/open-store.test.ts'], { REDIS_SERVER: '/nonexistent', CI: 'true' });
    expect(run.code).not.toBe(0);
    expect(skipLines(run.output)).toEqual([]);
    expect(run.output).toContain(`missing: test/store/open-store.test.ts (redis) — ${REDIS_MISSING}. A failure, not a skip, because CI=true.`);
  }, CHILD_TIMEOUT);
});

describe('finding the binaries', () => {
  let tmp: string;
  let bin: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'callscript-deps-'));
    bin = join(tmp, 'bin');
    mkdirSync(bin);
    for (const name of ['redis-server', 'my-redis', 'chromium']) {
      writeFileSync(join(bin, name), '#!/bin/sh\n');
      chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(tmp, 'not-executable'), '');
  });
  afterAll(() => {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it('redis-server: $REDIS_SERVER as a path or a name on PATH, else redis-server on PATH', () => {
    expect(findRedisServer({ PATH: bin }).path).toBe(join(bin, 'redis-server'));
    expect(findRedisServer({ PATH: bin, REDIS_SERVER: 'my-redis' }).path).toBe(join(bin, 'my-redis'));
    expect(findRedisServer({ PATH: '', REDIS_SERVER: join(bin, 'my-redis') }).path).toBe(join(bin, 'my-redis'));
    expect(findRedisServer({ PATH: tmp }).missing).toBe(
      'redis-server not found on PATH; apt-get install redis-server, or set REDIS_SERVER=/path/to/redis-server',
    );
    expect(findRedisServer({ PATH: bin, REDIS_SERVER: '/nonexistent' }).missing).toBe(REDIS_MISSING);
  });

  it('Chromium: $CHROMIUM_PATH, else /usr/bin/chromium; a directory or a non-executable file is not one', () => {
    expect(findChromium({ CHROMIUM_PATH: join(bin, 'chromium') })).toEqual({ name: 'chromium', path: join(bin, 'chromium'), missing: undefined });
    expect(findChromium({ CHROMIUM_PATH: '/nonexistent' }).missing).toBe(CHROMIUM_MISSING);
    expect(findChromium({ CHROMIUM_PATH: bin }).path).toBeUndefined();
    expect(findChromium({ CHROMIUM_PATH: join(tmp, 'not-executable') }).path).toBeUndefined();
    const byDefault = findChromium({});
    if (byDefault.path === undefined) {
      expect(byDefault.missing).toBe('Chromium not found at /usr/bin/chromium; apt-get install chromium, or set CHROMIUM_PATH=/path/to/chromium');
    } else {
      expect(byDefault.path).toBe('/usr/bin/chromium');
    }
  });

  it('a missing binary is required under CI or CALLSCRIPT_REQUIRE_ALL, and may be skipped otherwise', () => {
    expect(requiredBy({})).toBeUndefined();
    expect(requiredBy({ CI: 'true' })).toBe('CI=true');
    expect(requiredBy({ CI: '1' })).toBe('CI=1');
    expect(requiredBy({ CI: 'false' })).toBeUndefined();
    expect(requiredBy({ CI: '' })).toBeUndefined();
    expect(requiredBy({ CALLSCRIPT_REQUIRE_ALL: '1' })).toBe('CALLSCRIPT_REQUIRE_ALL=1');
    expect(requiredBy({ CALLSCRIPT_REQUIRE_ALL: '0' })).toBeUndefined();
    expect(requiredBy({ CALLSCRIPT_REQUIRE_ALL: '1', CI: 'true' })).toBe('CALLSCRIPT_REQUIRE_ALL=1');
  });
});
