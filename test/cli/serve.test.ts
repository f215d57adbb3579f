/**
 * `callscript serve` as a real process: it refuses to start on bad input, and
 * otherwise serves until SIGTERM. (`npm test` builds dist/ first.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

const BIN = join(process.cwd(), 'bin/callscript.js');

interface Proc {
  readonly exit: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) {
      if (out.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    exit,
    stdout: () => out,
    stderr: () => err,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exit.then(() => reject(new Error(`exited before printing ${text}: ${err}`)));
      }),
    kill: (signal) => child.kill(signal),
  };
}

describe('callscript serve', () => {
  it('refuses to start without Hoiio credentials (exit 2, a clear message)', async () => {
    const p = start(['serve', 'examples/', '--port', '0'], {});
    expect(await p.exit).toBe(2);
    expect(p.stderr()).toContain('HOIIO_APP_ID and HOIIO_ACCESS_TOKEN must be set');
  });

  it('refuses to start when a script is invalid, printing file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-serve-'));
    writeFileSync(join(dir, 'bad.yaml'), 'steps:\n  a:\n    play: "hi"\n    nxt: a\n');
    const p = start(['serve', dir, '--port', '0'], { HOIIO_APP_ID: 'a', HOIIO_ACCESS_TOKEN: 'b' });
    expect(await p.exit).toBe(2);
    expect(p.stderr()).toMatch(/bad\.yaml:4:5: error: .*nxt/);
    expect(p.stderr()).toContain('not starting');
  });

  it('serves the scripts, answers /healthz, and exits 0 on SIGTERM', async () => {
    const p = start(['serve', 'examples/', '--port', '0', '--host', '127.0.0.1'], {
      HOIIO_APP_ID: 'a',
      HOIIO_ACCESS_TOKEN: 'b',
      HOIIO_API_URL: 'http://127.0.0.1:9/',
      CALLSCRIPT_STORE: 'memory',
      // examples/support.yaml reads these (serve refuses to start without them).
      CRM_API_TOKEN: 'Bearer test',
      CALLSCRIPT_EVENTS_SECRET: 'test-secret',
    });
    await p.waitFor('server.listening');
    const line = p.stdout().split('\n').find((l) => l.includes('server.listening')) ?? '{}';
    const { url } = JSON.parse(line) as { url: string };
    const res = await request(`${url}/healthz`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ status: 'ok', scripts: 5 });
    p.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.stdout()).toContain('server.closed');
  });
});
