/**
 * The system packages some tests need beyond `npm install`: `redis-server` (the Redis store's
 * tests) and a Chromium (the browser phone's end-to-end test). A newcomer without them gets a
 * green `npm test` with those tests reported skipped and one line per test file saying what is
 * missing and how to get it; CI (CI=true) and anyone who sets CALLSCRIPT_REQUIRE_ALL=1 gets a
 * failure instead, so a green CI run always includes them.
 *
 * Each test file calls `requireRedis(import.meta.url)` / `requireChromium(import.meta.url)` once,
 * at module level, and gives the result to `describe.skipIf(!…)`.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface OptionalBinary {
  /** What the line calls it: `redis` or `chromium`. */
  readonly name: 'redis' | 'chromium';
  /** The executable to run, when found. */
  readonly path: string | undefined;
  /** When not found: what was looked for and how to get it, on one line. */
  readonly missing: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const REDIS_HINT = 'apt-get install redis-server, or set REDIS_SERVER=/path/to/redis-server';
const CHROMIUM_HINT = 'apt-get install chromium, or set CHROMIUM_PATH=/path/to/chromium';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** `$REDIS_SERVER` (a path, or a name looked up on PATH as spawn does) or `redis-server` on PATH. */
export function findRedisServer(env: Env = process.env): OptionalBinary {
  const configured = env.REDIS_SERVER;
  const name = configured === undefined || configured === '' ? 'redis-server' : configured;
  const path = name.includes('/') ? executable(resolve(name)) : onPath(name, env.PATH ?? '');
  const where = name === 'redis-server' ? 'on PATH' : `at REDIS_SERVER=${name}`;
  return { name: 'redis', path, missing: path === undefined ? `redis-server not found ${where}; ${REDIS_HINT}` : undefined };
}

/** `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium` (what `.ci/run` installs). */
export function findChromium(env: Env = process.env): OptionalBinary {
  const configured = env.CHROMIUM_PATH;
  const name = configured === undefined || configured === '' ? DEFAULT_CHROMIUM : configured;
  const path = executable(resolve(name));
  const where = name === DEFAULT_CHROMIUM ? DEFAULT_CHROMIUM : `CHROMIUM_PATH=${name}`;
  return { name: 'chromium', path, missing: path === undefined ? `Chromium not found at ${where}; ${CHROMIUM_HINT}` : undefined };
}

/**
 * Why a missing binary fails the run instead of skipping, or undefined when it may skip.
 * CI=true: CI must never go green without the Redis and browser tests.
 */
export function requiredBy(env: Env = process.env): string | undefined {
  if (on(env.CALLSCRIPT_REQUIRE_ALL)) return `CALLSCRIPT_REQUIRE_ALL=${env.CALLSCRIPT_REQUIRE_ALL ?? ''}`;
  if (on(env.CI)) return `CI=${env.CI ?? ''}`;
  return undefined;
}

/** Whether `testFile`'s Redis tests run; prints its skip line, or throws when Redis is required. */
export function requireRedis(testFile: string): boolean {
  return decide(testFile, findRedisServer());
}

/** Whether `testFile`'s Chromium tests run; prints its skip line, or throws when Chromium is required. */
export function requireChromium(testFile: string): boolean {
  return decide(testFile, findChromium());
}

/** The line printed for a skipped test file. */
function skipLine(testFile: string, binary: OptionalBinary): string {
  return `skipped: ${displayPath(testFile)} (${binary.name}) — ${binary.missing ?? 'found'}`;
}

function decide(testFile: string, binary: OptionalBinary): boolean {
  if (binary.missing === undefined) return true;
  const required = requiredBy();
  if (required !== undefined) {
    throw new Error(`missing: ${displayPath(testFile)} (${binary.name}) — ${binary.missing}. A failure, not a skip, because ${required}.`);
  }
  // Written directly rather than with console.log: one line, without vitest's "stdout | file"
  // header; on stderr, so a reporter writing JSON or JUnit to stdout stays parseable.
  process.stderr.write(`${skipLine(testFile, binary)}\n`);
  return false;
}

function on(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function executable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

function onPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const found = executable(join(dir, name));
    if (found !== undefined) return found;
  }
  return undefined;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A test file's `import.meta.url` (or a path) as the repository-relative path vitest shows. */
function displayPath(testFile: string): string {
  const path = testFile.startsWith('file:') ? fileURLToPath(testFile) : testFile;
  const rel = isAbsolute(path) ? relative(ROOT, path) : path;
  return rel.split(sep).join('/');
}
