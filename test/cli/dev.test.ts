/**
 * `callscript dev` (what `npm start` runs) as a real process: no Hoiio credentials, the
 * bundled examples by default, a banner saying how to place a simulated call from a second
 * terminal — and that command, run as printed, places the call. (`npm test` builds dist/ first.)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { runCli } from '../testbench/cli.js';

const BIN = join(process.cwd(), 'bin/callscript.js');

describe('callscript dev', () => {
  it('starts without credentials on examples/, prints a call command that works, serves /healthz and /phone, exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'dev', '--port', '0'], {
      // No HOIIO_APP_ID / HOIIO_ACCESS_TOKEN: the simulator stands in for Hoiio.
      env: { PATH: process.env.PATH ?? '', CALLSCRIPT_STORE: 'memory', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.resume();
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 150 && !/Outbound:\n.*\n/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
      const lines = err.split('\n');
      const url = /callscript dev server on (http:\/\/127\.0\.0\.1:\d+) \(Hoiio simulator built in; no credentials needed\)/.exec(err)?.[1];
      expect(url, err).toBeDefined();
      // Every bundled script is listed with its numbers.
      for (const name of ['account', 'acme', 'billing-menu', 'reminder', 'support']) expect(lines.some((l) => l.startsWith(`  ${name} `))).toBe(true);
      expect(err).toContain(`Browser phone: ${url}/phone`);

      const at = lines.indexOf('Place a simulated call from a second terminal:');
      expect(at).toBeGreaterThan(0);
      const printed = lines[at + 1]?.trim() ?? '';
      expect(printed).toBe(`npx callscript call account --server ${url} --press 1`);
      const args = printed.split(' ').slice(2);
      const call = await runCli(args);
      expect(call.stdout).toContain('⌨ gather (8 digits, 15 s, 2 attempts) "Welcome to Acme accounts.');
      expect(call.stdout).toContain('  ⇢ pressed 1\n');
      expect(call.code).toBe(0);

      const health = await request(`${url}/healthz`);
      expect(health.statusCode).toBe(200);
      expect(await health.body.json()).toMatchObject({ status: 'ok', scripts: 5 });
      const phone = await request(`${url}/phone`);
      expect(phone.statusCode).toBe(200);
      await phone.body.dump();

      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 40_000);
});
