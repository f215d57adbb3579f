/**
 * `callscript dev` as a real process: it watches its folder by default; with
 * `--no-watch` files are not watched, and SIGHUP reloads them. (`npm test` builds dist/ first.)
 */
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { ScriptCatalog } from '../../src/reload/catalog.js';
import { menuScript, tempDir, until } from './helpers.js';

const BIN = join(process.cwd(), 'bin/callscript.js');

describe('callscript dev', () => {
  it('watches the scripts folder by default: a save goes live without a signal', async () => {
    const dir = await tempDir();
    const file = join(dir, 'menu.yaml');
    await writeFile(file, menuScript({ name: 'menu', number: '+6560000402', label: 'One' }));
    const child = spawn(process.execPath, [BIN, 'dev', dir, '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', CALLSCRIPT_API_TOKEN: 'watch-token', CALLSCRIPT_STORE: 'memory' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines = (): Array<Record<string, unknown>> =>
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const listening = await until(
        () => Promise.resolve(lines().find((l) => l.msg === 'server.listening')),
        (l) => l !== undefined,
        `the server to listen (stderr: ${err})`,
        15_000,
      );
      const scripts = async (): Promise<ScriptCatalog> => {
        const res = await request(`${String(listening?.url)}/scripts`, { headers: { authorization: 'Bearer watch-token' } });
        return (await res.body.json()) as ScriptCatalog;
      };
      const first = await scripts();
      expect(first.watching).toBe(true);
      expect(err).toContain(`Watching ${dir} for changes`);
      const v1 = first.scripts[0]?.version;
      await writeFile(file, menuScript({ name: 'menu', number: '+6560000402', label: 'Two' }));
      const after = await until(scripts, (c) => c.scripts[0]?.version !== v1, 'the save to go live');
      expect(after.scripts[0]).toMatchObject({ status: 'ok', name: 'menu' });
      const line = await until(() => Promise.resolve(lines().find((l) => l.msg === 'scripts.reloaded')), (l) => l !== undefined, 'the reload log line');
      expect(line).toMatchObject({ trigger: 'watch', changed: [{ name: 'menu', from: v1 }] });
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('callscript dev --no-watch', () => {
  it('does not watch; kill -HUP reloads; the reload is logged with trigger "signal"', async () => {
    const dir = await tempDir();
    const file = join(dir, 'menu.yaml');
    await writeFile(file, menuScript({ name: 'menu', number: '+6560000401', label: 'One' }));
    const child = spawn(process.execPath, [BIN, 'dev', dir, '--port', '0', '--no-watch'], {
      env: { PATH: process.env.PATH ?? '', CALLSCRIPT_API_TOKEN: 'sighup-token', CALLSCRIPT_STORE: 'memory' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines = (): Array<Record<string, unknown>> =>
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const listening = await until(
        () => Promise.resolve(lines().find((l) => l.msg === 'server.listening')),
        (l) => l !== undefined,
        `the server to listen (stderr: ${err})`,
        15_000,
      );
      const url = String(listening?.url);
      const scripts = async (): Promise<ScriptCatalog> => {
        const res = await request(`${url}/scripts`, { headers: { authorization: 'Bearer sighup-token' } });
        return (await res.body.json()) as ScriptCatalog;
      };
      const first = await scripts();
      expect(first.watching).toBe(false);
      const v1 = first.scripts[0]?.version;

      await writeFile(file, menuScript({ name: 'menu', number: '+6560000401', label: 'Two' }));
      expect((await scripts()).scripts[0]?.version).toBe(v1);

      child.kill('SIGHUP');
      const after = await until(scripts, (c) => c.scripts[0]?.version !== v1, 'SIGHUP to reload');
      expect(after.scripts[0]).toMatchObject({ status: 'ok', name: 'menu' });
      // The log line follows the swap (it carries the git commit, read after it).
      const line = await until(() => Promise.resolve(lines().find((l) => l.msg === 'scripts.reloaded')), (l) => l !== undefined, 'the reload log line');
      expect(line).toMatchObject({ trigger: 'signal', changed: [{ name: 'menu', from: v1 }] });

      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
