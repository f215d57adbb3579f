/** Shared pieces of the hot-reload tests: script folders on disk, a dev server watching one, polling. */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { ScriptCatalog, ScriptEntry } from '../../src/reload/catalog.js';
import { loadScripts } from '../../src/script-files/load.js';
import type { DevServer } from '../../src/dev/server.js';
import { interactiveCaller, type SimCall, type SimEntry } from '../../src/simulator/index.js';
import { captureLogger, startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';

export const CALLER = '+6591234567';

/** A one-menu script: the prompt and the goodbye say `label`, so a transcript shows which version ran. */
export function menuScript(o: { name?: string; number: string; label: string }): string {
  return [
    ...(o.name !== undefined ? [`name: ${o.name}`] : []),
    `numbers: ["${o.number}"]`,
    'steps:',
    '  menu:',
    `    gather: "${o.label}. Press 1 to finish."`,
    '    branches:',
    '      "1": bye',
    '  bye:',
    `    hangup: "Goodbye from ${o.label}."`,
    '',
  ].join('\n');
}

export async function tempDir(prefix = 'callscript-reload-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Editors' save-by-rename: write a temporary file, then rename it over the script. */
export async function saveByRename(file: string, text: string): Promise<void> {
  const temp = `${file}.swp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

export interface Watched {
  readonly dev: DevServer;
  readonly dir: string;
  readonly logs: ReturnType<typeof captureLogger>;
  close(): Promise<void>;
}

/** A dev server running (and, unless `watch: false`, watching) the scripts in `dir`. */
export async function startWatched(dir: string, options: { watch?: boolean; git?: boolean } = {}): Promise<Watched> {
  const logs = captureLogger();
  const loaded = await loadScripts([dir]);
  const dev = await startTestServer({
    scripts: loaded.scripts,
    log: logs.log,
    reload: { paths: [dir], watch: options.watch ?? true, ...(options.git !== undefined ? { git: options.git } : {}) },
  });
  return {
    dev,
    dir,
    logs,
    close: async () => {
      await dev.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function getScripts(dev: DevServer, token = TEST_API_TOKEN): Promise<{ status: number; body: ScriptCatalog }> {
  const res = await request(`${dev.url}/scripts`, { headers: token === '' ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: (await res.body.json()) as ScriptCatalog };
}

export function entry(catalog: ScriptCatalog, name: string): ScriptEntry | undefined {
  return catalog.scripts.find((s) => s.name === name);
}

/** Polls `read` until `done` holds, or fails after `timeoutMs` (the watcher is asynchronous; no fixed sleeps). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 40));
    last = await read();
  }
  return last;
}

/** Rings `number` with a caller who waits at every gather until the test presses. */
export function ringInteractive(dev: DevServer, number: string): SimCall {
  return dev.simulator.ring({ to: number, from: CALLER, caller: interactiveCaller() });
}

export function atGather(call: SimCall): Promise<SimEntry> {
  return call.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'gather');
}

/** The log lines with message `msg`. */
export function logged(w: Watched, msg: string): Array<Record<string, unknown>> {
  return w.logs.lines().filter((l) => l.msg === msg);
}
