/**
 * `callscript dev` as a real process: it watches its folder by default; with
 * `--no-watch` files are not watched, and SIGHUP reloads them. (`npm test` builds dist/ first.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { ScriptCatalog } from '../../src/reload/catalog.js';
import { menuScript, tempDir, until } from './helpers.js';

const BIN = join(process.cwd(), 'bin/callscript.js');

interface DevProcess {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  /** Its stderr so far (the banner). */
  stderr(): string;
  /** Its JSON log lines so far. */
  lines(): Array<Record<string, unknown>>;
  /** `GET /scripts` with the process's API token. */
  scripts(): Promise<ScriptCatalog>;
  /** The reload log line, once written. */
  reloaded(): Promise<Record<string, unknown>>;
}

/** Starts `callscript dev <dir> --port 0 …extra` and waits until it listens. */
async function startDev(dir: string, token: string, extra: readonly string[] = []): Promise<DevProcess> {
  const child = spawn(process.execPath, [BIN, 'dev', dir, '--port', '0', ...extra], {
    env: { PATH: process.env.PATH ?? '', CALLSCRIPT_API_TOKEN: token, CALLSCRIPT_STORE: 'memory' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = (): Array<Record<string, unknown>> =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const find = (msg: string) => () => Promise.resolve(lines().find((l) => l.msg === msg));
  try {
    const listening = await until(find('server.listening'), (l) => l !== undefined, `the server to listen (stderr: ${err})`, 15_000);
    const url = String(listening?.url);
    return {
      child,
      exit,
      stderr: () => err,
      lines,
      scripts: async () => {
        const res = await request(`${url}/scripts`, { headers: { authorization: `Bearer ${token}` } });
        return (await res.body.json()) as ScriptCatalog;
      },
      // The log line follows the swap (it carries the git commit, read after it).
      reloaded: async () => (await until(find('scripts.reloaded'), (l) => l !== undefined, 'the reload log line')) ?? {},
    };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

async function stop(dev: DevProcess | undefined, dir: string): Promise<void> {
  if (dev !== undefined && dev.child.exitCode === null) dev.child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}

describe('callscript dev', () => {
  it('watches the scripts folder by default: a save goes live without a signal', async () => {
    const dir = await tempDir();
    const file = join(dir, 'menu.yaml');
    await writeFile(file, menuScript({ name: 'menu', number: '+6560000402', label: 'One' }));
    let dev: DevProcess | undefined;
    try {
      dev = await startDev(dir, 'watch-token');
      const first = await dev.scripts();
      expect(first.watching).toBe(true);
      expect(dev.stderr()).toContain(`Watching ${dir} for changes`);
      const v1 = first.scripts[0]?.version;
      await writeFile(file, menuScript({ name: 'menu', number: '+6560000402', label: 'Two' }));
      const after = await until(dev.scripts, (c) => c.scripts[0]?.version !== v1, 'the save to go live');
      expect(after.scripts[0]).toMatchObject({ status: 'ok', name: 'menu' });
      expect(await dev.reloaded()).toMatchObject({ trigger: 'watch', changed: [{ name: 'menu', from: v1 }] });
      dev.child.kill('SIGTERM');
      expect(await dev.exit).toBe(0);
    } finally {
      await stop(dev, dir);
    }
  });
});

describe('callscript dev --no-watch', () => {
  it('does not watch; kill -HUP reloads; the reload is logged with trigger "signal"', async () => {
    const dir = await tempDir();
    const file = join(dir, 'menu.yaml');
    await writeFile(file, menuScript({ name: 'menu', number: '+6560000401', label: 'One' }));
    let dev: DevProcess | undefined;
    try {
      dev = await startDev(dir, 'sighup-token', ['--no-watch']);
      const first = await dev.scripts();
      expect(first.watching).toBe(false);
      const v1 = first.scripts[0]?.version;

      await writeFile(file, menuScript({ name: 'menu', number: '+6560000401', label: 'Two' }));
      expect((await dev.scripts()).scripts[0]?.version).toBe(v1);

      dev.child.kill('SIGHUP');
      const after = await until(dev.scripts, (c) => c.scripts[0]?.version !== v1, 'SIGHUP to reload');
      expect(after.scripts[0]).toMatchObject({ status: 'ok', name: 'menu' });
      expect(await dev.reloaded()).toMatchObject({ trigger: 'signal', changed: [{ name: 'menu', from: v1 }] });

      dev.child.kill('SIGTERM');
      expect(await dev.exit).toBe(0);
    } finally {
      await stop(dev, dir);
    }
  });
});
