/**
 * `--store`, `--session-ttl` and `--ended-retention` on the real command line
 * (the built CLI in dist/): bad values are usage errors, and a store that cannot be
 * opened is a refusal to start, both exit 2 with a one-line reason.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { surveyScript } from '../durability/scripts.js';

const ROOT = resolve(import.meta.dirname, '../..');
let tmp: string;

let scripts: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'callscript-cli-store-'));
  scripts = join(tmp, 'scripts');
  mkdirSync(scripts);
  writeFileSync(join(scripts, 'survey.yaml'), surveyScript('v1'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/callscript.js'), ...args], {
      cwd: tmp,
      env: { PATH: process.env.PATH ?? '', HOIIO_APP_ID: 'AP', HOIIO_ACCESS_TOKEN: 'secret', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('exit', (code) => done({ code, stderr }));
  });
}


describe('serve store flags', () => {
  it('refuses an unknown store, saying what is accepted', async () => {
    const r = await run(['serve', scripts, '--port', '0', '--store', 'postgres://db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use memory, sqlite:<file>');
  });

  it('refuses a TTL without a unit, from the flag or the environment', async () => {
    const flag = await run(['serve', scripts, '--port', '0', '--store', 'memory', '--session-ttl', '3600']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('write a number with a unit, e.g. 4h');
    const env = await run(['serve', scripts, '--port', '0', '--store', 'memory'], { CALLSCRIPT_ENDED_RETENTION: 'ten minutes' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('not a duration');
  });

  it('refuses to start on a SQLite file another server has open', async () => {
    const path = join(tmp, 'busy', 'sessions.db');
    const holder = new SqliteStore(path);
    try {
      const r = await run(['serve', scripts, '--port', '0'], { CALLSCRIPT_STORE: `sqlite:${path}` });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/callscript serve: .*sessions\.db is in use by another callscript process.*\[CS_STORE_IN_USE\]/);
    } finally {
      await holder.close();
    }
  });

  it('refuses to start when Redis cannot be reached', async () => {
    const r = await run(['serve', scripts, '--port', '0', '--store', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
    expect(r.stderr).toContain('[CS_STORE_UNAVAILABLE]');
  });
});
