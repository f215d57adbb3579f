/**
 * `callscript serve` as a real process: it refuses to start on bad input, and
 * otherwise serves until SIGTERM. (`npm test` builds dist/ first.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { freePort } from '../store/redis-server.js';

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

/** A stand-in for Hoiio's REST API: records each request's path and form, answers success_ok. */
async function fakeHoiio(): Promise<{ url: (path: string) => string; requests: Array<{ path: string; form: URLSearchParams }>; close: () => Promise<void> }> {
  const requests: Array<{ path: string; form: URLSearchParams }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', form: new URLSearchParams(body) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success_ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SERVE_ENV = {
  HOIIO_APP_ID: 'app-1',
  HOIIO_ACCESS_TOKEN: 'token-1',
  CALLSCRIPT_STORE: 'memory',
  CRM_API_TOKEN: 'Bearer test',
  CALLSCRIPT_EVENTS_SECRET: 'test-secret',
};

/** Rings `path` on the server and returns the first block request Hoiio got. */
async function ringAndFirstBlock(port: number, path: string, hoiio: Awaited<ReturnType<typeof fakeHoiio>>, session: string) {
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ call_state: 'ringing', session, txn_ref: `T-${session}`, from: '+6591234567', to: '+6560000001' }).toString(),
  });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
  for (let i = 0; i < 300 && !hoiio.requests.some((r) => r.form.get('session') === session); i++) await new Promise((r) => setTimeout(r, 10));
  const first = hoiio.requests.find((r) => r.form.get('session') === session);
  if (first === undefined) throw new Error(`no block for ${session}`);
  return first;
}

describe('callscript serve: the flags and environment variables other tests rely on', () => {
  it('--help states the defaults: port 3000, public URL http://localhost:<port>, Hoiio https://secure.hoiio.com/open/, dir examples/', async () => {
    const p = start(['serve', '--help'], {});
    expect(await p.exit).toBe(0);
    const help = p.stdout().replace(/\s+/g, ' ');
    expect(help).toContain('--port <port> port to listen on (default: 3000, env: PORT)');
    expect(help).toContain('(default http://localhost:<port>) (env: PUBLIC_URL)');
    expect(help).toContain('(default: "https://secure.hoiio.com/open/", env: HOIIO_API_URL)');
    expect(help).toContain('(default: "examples/")');
  });

  it('PORT, PUBLIC_URL and HOIIO_API_URL: listens there, appends block paths to the API base, builds notify URLs on the public URL', async () => {
    const hoiio = await fakeHoiio();
    const port = await freePort();
    const p = start(['serve'], { ...SERVE_ENV, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: 'https://ivr.example.com/acme', HOIIO_API_URL: hoiio.url('/custom/open/') });
    try {
      await p.waitFor('server.listening');
      const first = await ringAndFirstBlock(port, '/hoiio/incoming', hoiio, 'S-env');
      expect(first.path).toBe('/custom/open/ivr/middle/monitor');
      expect(first.form.get('app_id')).toBe('app-1');
      expect(first.form.get('access_token')).toBe('token-1');
      expect(first.form.get('msg')).toBe('Welcome to Acme. This call may be recorded for quality purposes.');
      expect(first.form.get('notify_url')).toMatch(/^https:\/\/ivr\.example\.com\/acme\/hoiio\/notify\/[^/]+\/1\?t=[A-Za-z0-9_-]{22,}$/);
      // Routing by script name, whatever the number.
      const byName = await ringAndFirstBlock(port, '/hoiio/incoming/reminder', hoiio, 'S-env-2');
      expect(byName.path).toBe('/custom/open/ivr/middle/play');
      expect(byName.form.get('msg')).toMatch(/^Hello there, this is Acme Clinic/);
    } finally {
      p.kill('SIGTERM');
      await p.exit;
      await hoiio.close();
    }
  });

  it('--port, --public-url and --hoiio-url do the same; without a public URL notify URLs use http://localhost:<port>', async () => {
    const hoiio = await fakeHoiio();
    const [port, other] = [await freePort(), await freePort()];
    const withFlags = start(['serve', 'examples/', '--port', String(port), '--host', '127.0.0.1', '--public-url', 'https://flags.example.com', '--hoiio-url', hoiio.url('/v2/')], SERVE_ENV);
    const defaults = start(['serve', 'examples/', '--host', '127.0.0.1'], { ...SERVE_ENV, PORT: String(other), HOIIO_API_URL: hoiio.url('/') });
    try {
      await Promise.all([withFlags.waitFor('server.listening'), defaults.waitFor('server.listening')]);
      const a = await ringAndFirstBlock(port, '/hoiio/incoming', hoiio, 'S-flags');
      expect(a.path).toBe('/v2/ivr/middle/monitor');
      expect(a.form.get('notify_url')).toMatch(/^https:\/\/flags\.example\.com\/hoiio\/notify\//);
      const b = await ringAndFirstBlock(other, '/hoiio/incoming', hoiio, 'S-default');
      expect(b.path).toBe('/ivr/middle/monitor');
      expect(b.form.get('notify_url')?.startsWith(`http://localhost:${other}/hoiio/notify/`)).toBe(true);
    } finally {
      withFlags.kill('SIGTERM');
      defaults.kill('SIGTERM');
      await Promise.all([withFlags.exit, defaults.exit]);
      await hoiio.close();
    }
  }, 30_000);
});
