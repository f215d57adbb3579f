/**
 * `callscript serve` with none of the flags that have defaults, as a real process
 * against the Hoiio simulator: calls live in SQLite at `.callscript/sessions.db`
 * (WAL), the scripts folder is watched (hot reload is on by default), SIGHUP
 * reloads too, and a call is capped at 200 steps. (`npm test` builds dist/ first.)
 */
import { existsSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ScriptCatalog } from '../../src/reload/catalog.js';
import { POLITE_HANGUP } from '../../src/engine/messages.js';
import { interactiveCaller, scriptedCaller, startSimulator, type PromptEntry, type SimCall, type Simulator } from '../../src/simulator/index.js';
import { spoken } from '../helpers/dev-server.js';
import { menuScript, until } from '../reload/helpers.js';
import { freePort } from '../store/redis-server.js';
import { API_TOKEN, HOIIO, startServerProcess, type ServerProcess } from '../durability/server-process.js';

const MENU = '+6560000701';
const AGAIN = '+6560000702';
const AGAIN_SCRIPT = `name: again
numbers: ["${AGAIN}"]
steps:
  menu:
    gather: "Press 9 to hear this again. Press 1 to leave."
    branches: { "9": menu, "1": bye }
  bye:
    hangup: Goodbye.
`;

let tmp: string;
let sim: Simulator;
let server: ServerProcess | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'callscript-serve-defaults-'));
  mkdirSync(join(tmp, 'scripts'));
  writeFileSync(join(tmp, 'scripts', 'menu.yaml'), menuScript({ name: 'menu', number: MENU, label: 'Version one' }));
  writeFileSync(join(tmp, 'scripts', 'again.yaml'), AGAIN_SCRIPT);
  const port = await freePort();
  sim = await startSimulator({
    appId: HOIIO.appId,
    accessToken: HOIIO.accessToken,
    voiceNotifyUrl: `http://127.0.0.1:${port}/hoiio/incoming`,
    timing: { idleTimeoutMs: 0 },
  });
  // No --store, no --no-watch, no --max-steps: the defaults.
  server = await startServerProcess({ scripts: join(tmp, 'scripts'), cwd: tmp, port, publicUrl: `http://127.0.0.1:${port}`, hoiioUrl: sim.url });
}, 30_000);

afterAll(async () => {
  await sim?.close();
  await server?.kill('SIGKILL');
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

async function catalog(): Promise<ScriptCatalog> {
  const res = await request(`${server!.url}/scripts`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  return (await res.body.json()) as ScriptCatalog;
}

const atGather = (call: SimCall): Promise<PromptEntry> =>
  call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather', 10_000);

it('defaults: SQLite at .callscript/sessions.db in WAL mode, hot reload on, SIGHUP reloads, 200 steps per call', async () => {
  const s = server!;
  const db = join(tmp, '.callscript', 'sessions.db');

  // The store: SQLite, durable, at the default path under the working directory, in WAL mode.
  expect(s.logs().find((l) => l.msg === 'store.opened')).toMatchObject({ store: 'sqlite:.callscript/sessions.db', durable: true });
  expect(existsSync(db)).toBe(true);
  expect(existsSync(`${db}-wal`)).toBe(true);

  // Hot reload is on: the folder is watched, and a save goes live for new calls while a call is in progress.
  const first = await catalog();
  expect(first.watching).toBe(true);
  const v1 = first.scripts.find((e) => e.name === 'menu')?.version;
  const inProgress = sim.ring({ to: MENU, caller: interactiveCaller() });
  await atGather(inProgress);
  writeFileSync(join(tmp, 'scripts', 'menu.yaml'), menuScript({ name: 'menu', number: MENU, label: 'Version two' }));
  await until(catalog, (c) => c.scripts.find((e) => e.name === 'menu')?.version !== v1, 'the save to go live');
  expect(await s.waitForLog((l) => l.msg === 'scripts.reloaded' && l.trigger === 'watch')).toMatchObject({ changed: [{ name: 'menu', from: v1 }] });
  const next = sim.ring({ to: MENU, caller: interactiveCaller() });
  await atGather(next);
  next.act({ type: 'press', digits: '1' });
  inProgress.act({ type: 'press', digits: '1' });
  await Promise.all([next.ended, inProgress.ended]);
  expect(spoken(inProgress)[0]).toEqual(['gather', 'Version one. Press 1 to finish.']);
  expect(spoken(next)[0]).toEqual(['gather', 'Version two. Press 1 to finish.']);

  // SIGHUP reloads too, with the watcher on.
  const reloads = (await catalog()).reloads;
  s.child.kill('SIGHUP');
  await until(catalog, (c) => c.reloads > reloads, 'SIGHUP to reload');
  await s.waitForLog((l) => l.msg === 'scripts.reloaded' && l.trigger === 'signal');

  // The step limit: a caller asking for the menu again and again is ended politely at step 200.
  const looping = sim.ring({ to: AGAIN, caller: scriptedCaller({ presses: Array<string>(250).fill('9') }) });
  await looping.ended;
  const heard = spoken(looping);
  expect(heard.filter(([block]) => block === 'gather')).toHaveLength(200);
  expect(heard.at(-1)).toEqual(['hangup', POLITE_HANGUP['step-limit']]);
  expect(await s.waitForLog((l) => l.msg === 'call.step_limit')).toMatchObject({ script: 'again', limit: 200 });

  await sim.settled();
  expect(sim.violations).toEqual([]);

  // Closed, the file's header says WAL (bytes 18 and 19 are 2: the WAL format).
  await s.kill('SIGTERM');
  expect(s.child.exitCode).toBe(0);
  const header = Buffer.alloc(20);
  const fd = openSync(db, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  expect(header.subarray(0, 15).toString('latin1')).toBe('SQLite format 3');
  expect([header[18], header[19]]).toEqual([2, 2]);
}, 60_000);
