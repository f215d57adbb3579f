/**
 * Expiry through the running server: the runner's sweep expires idle calls (with a
 * `call.expired` log line) and forgets ended calls after the retention.
 */
import { afterEach, expect, it } from 'vitest';
import type { DevServer } from '../../src/dev/server.js';
import { interactiveCaller, scriptedCaller, type DeliveryEntry, type PromptEntry } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { mustCompile } from '../helpers/compile.js';
import { captureLogger, startTestServer } from '../helpers/dev-server.js';
import { SURVEY_NUMBER, surveyScript } from '../durability/scripts.js';

const scripts = [mustCompile(surveyScript('v1'))];

let dev: DevServer | undefined;

afterEach(async () => {
  await dev?.close();
  dev = undefined;
});

it('a call idle past the session TTL is expired and logged once; a later notification for it is refused', async () => {
  const logs = captureLogger();
  // TTL 0: every call in progress is idle for the sweep.
  dev = await startTestServer({ scripts, log: logs.log, store: new MemoryStore({ idleTtlMs: 0 }) });
  const call = dev.simulator.ring({ to: SURVEY_NUMBER, caller: interactiveCaller() });
  const prompt = await call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather');
  expect(prompt.prompt.msg).toBe('Version one. Press 1 to leave a code, 2 to leave.');
  await dev.simulator.settled();
  await dev.runner.drain();

  await dev.runner.sweep();
  await dev.runner.sweep();
  const expired = logs.lines().filter((l) => l.msg === 'call.expired');
  expect(expired).toHaveLength(1);
  expect(expired[0]).toMatchObject({ session: call.session, script: 'survey', step: 'ask', level: 40 });
  expect(await dev.store.findBySession(call.session)).toBeUndefined();

  const lastSeq = call.transcript.at(-1)?.seq ?? 0;
  call.act({ type: 'press', digits: '1' });
  const delivery = await call.waitFor((e): e is DeliveryEntry => e.kind === 'delivery' && e.seq > lastSeq);
  expect(delivery.result.status).toBe(404);
  call.hangup();
});

it('an ended call is kept for the retention, then forgotten', async () => {
  dev = await startTestServer({ scripts, store: new MemoryStore({ endedRetentionMs: 0 }) });
  const call = dev.simulator.ring({ to: SURVEY_NUMBER, caller: scriptedCaller({ presses: ['2'] }) });
  await call.ended;
  await dev.simulator.settled();
  await dev.runner.drain();
  const id = await dev.store.findBySession(call.session);
  expect(id).toBeDefined();
  expect((await dev.store.get(id!))?.status).toBe('ended');
  await dev.runner.sweep();
  expect(await dev.store.get(id!)).toBeUndefined();
});
