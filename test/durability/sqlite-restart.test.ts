/**
 * A single server on the default SQLite store is killed with SIGKILL in the middle
 * of calls and started again: every call continues on its next notification, on
 * the script version it started on (restored from the store, since the file on
 * disk has changed meanwhile), with its variables, and completes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  interactiveCaller,
  startSimulator,
  type EndInfo,
  type PromptEntry,
  type SimCall,
  type Simulator,
} from '../../src/simulator/index.js';
import { heard } from './scripts.js';
import { freePort } from '../store/redis-server.js';
import { expectedSpoken, SURVEY_NUMBER, surveyScript } from './scripts.js';
import { API_TOKEN, HOIIO, startServerProcess, type ServerProcess } from './server-process.js';

let tmp: string;
let sim: Simulator;
let port: number;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'callscript-restart-'));
  mkdirSync(join(tmp, 'scripts'));
  writeFileSync(join(tmp, 'scripts', 'survey.yaml'), surveyScript('v1'));
  port = await freePort();
  sim = await startSimulator({
    appId: HOIIO.appId,
    accessToken: HOIIO.accessToken,
    voiceNotifyUrl: `http://127.0.0.1:${port}/hoiio/incoming`,
    defaultCaller: interactiveCaller(),
    timing: { idleTimeoutMs: 0 },
  });
});

afterAll(async () => {
  await sim?.close();
  for (const s of servers) await s.kill('SIGKILL');
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

async function serve(): Promise<ServerProcess> {
  const server = await startServerProcess({
    scripts: join(tmp, 'scripts'),
    store: `sqlite:${join(tmp, 'state', 'sessions.db')}`,
    port,
    publicUrl: `http://127.0.0.1:${port}`,
    hoiioUrl: sim.url,
  });
  servers.push(server);
  return server;
}

/** Resolves once the caller of `call` is asked at the gather saying `prompt`, with no notification in flight. */
async function parkedAt(call: SimCall, prompt: string): Promise<void> {
  await call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather' && e.prompt.msg === prompt, 10_000);
  await sim.settled();
}

/** The call's end, or a failure that says where the call stood (instead of a silent test timeout). */
function endOf(call: SimCall): Promise<EndInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const last = call.transcript.slice(-4).map((e) => JSON.stringify(e)).join('\n');
      const log = servers.at(-1)?.logs().slice(-10).map((l) => JSON.stringify(l)).join('\n') ?? '';
      reject(new Error(`call ${call.session} did not end within 20 s; its last entries:\n${last}\nlast server log lines:\n${log}`));
    }, 20_000);
    void call.ended.then((end) => {
      clearTimeout(timer);
      resolve(end);
    });
  });
}

it('calls survive two SIGKILL restarts mid-call and complete on their own version', async () => {
  const first = await serve();
  const calls = Array.from({ length: 6 }, (_, i) => ({
    call: sim.ring({ to: SURVEY_NUMBER, from: `+659100000${i}` }),
    choice: (i % 3 === 2 ? '2' : '1') as '1' | '2',
    code: `${1000 + i * 111}`,
  }));
  for (const { call } of calls) await parkedAt(call, 'Version one. Press 1 to leave a code, 2 to leave.');

  // Crash with every call waiting for its caller.
  await first.kill('SIGKILL');
  // A deploy changes the script: calls in progress must still finish on version one.
  writeFileSync(join(tmp, 'scripts', 'survey.yaml'), surveyScript('v2'));

  const second = await serve();
  const opened = await second.waitForLog((l) => l.msg === 'store.opened');
  expect(opened).toMatchObject({ durable: true, activeCalls: 6 });
  // The restart reconciles each call with Hoiio first (docs/durability.md): every gather is still running.
  expect(await second.waitForLog((l) => l.msg === 'recovery.done')).toMatchObject({ calls: 6 });
  expect(second.logs().filter((l) => l.msg === 'call.recovered').map((l) => l.action)).toEqual(Array(6).fill('running'));
  for (const { call, choice } of calls) call.act({ type: 'press', digits: choice });
  // Crash only with nothing in flight: callers at the next gather, and the calls that pressed 2 over.
  for (const { call, choice } of calls) {
    if (choice === '1') await parkedAt(call, 'Version one. Enter your four digit code.');
    else await endOf(call);
  }
  await sim.settled();
  expect(second.logs().filter((l) => l.msg === 'script.restored').length).toBeGreaterThan(0);

  // Crash again, half-way through the calls that leave a code.
  await second.kill('SIGKILL');
  const third = await serve();
  await third.waitForLog((l) => l.msg === 'recovery.done');
  for (const { call, choice, code } of calls) if (choice === '1') call.act({ type: 'press', digits: code });

  for (const { call, choice, code } of calls) {
    const end = await endOf(call);
    expect(end.reason).toBe('script-hangup');
    expect(heard(call)).toEqual(expectedSpoken('v1', choice, code));
  }
  await sim.settled();
  // Hoiio refused only recovery's sends of the gathers still running (one per call alive at each restart).
  expect(sim.violations.map((v) => [v.kind, v.block])).toEqual(Array(6 + 4).fill(['not-ready', 'gather']));

  // New calls get the new version.
  const fresh = sim.ring({ to: SURVEY_NUMBER });
  await parkedAt(fresh, 'Version two. Press 1 to leave a code, 2 to leave.');
  fresh.act({ type: 'press', digits: '2' });
  await endOf(fresh);
  expect(heard(fresh)).toEqual(expectedSpoken('v2', '2'));

  // The whole history of a call, across both crashes, is still inspectable.
  const { call, code } = calls[0]!;
  const res = await request(`${third.url}/calls/${call.session}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  const body = (await res.body.json()) as { status: string; outcome: string; variables: Record<string, string>; transcript: Array<{ type: string }> };
  expect(res.statusCode).toBe(200);
  expect(body).toMatchObject({ status: 'ended', outcome: 'completed', variables: { code } });
  expect(body.transcript.map((e) => e.type)).toEqual(['sent', 'received', 'sent', 'received', 'sent', 'received', 'sent', 'received']);
  const endedLines = third.logs().filter((l) => l.msg === 'call.ended');
  expect(endedLines.filter((l) => calls.some((c) => c.call.session === l.session))).toHaveLength(4);
  // Three server processes start here; on a loaded 2-core machine each can take seconds.
}, 60_000);
