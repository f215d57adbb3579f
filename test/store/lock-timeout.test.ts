/**
 * A notification whose call stays locked by another holder past the store's lock
 * wait gets a defined answer (503 CS_BUSY) and a log line, and changes nothing.
 */
import { afterEach, expect, it } from 'vitest';
import type { DevServer } from '../../src/dev/server.js';
import { interactiveCaller, type BlockEntry } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { mustCompile } from '../helpers/compile.js';
import { captureLogger, startTestServer } from '../helpers/dev-server.js';
import { SURVEY_NUMBER, surveyScript } from '../durability/scripts.js';

let dev: DevServer | undefined;

afterEach(async () => {
  await dev?.close();
  dev = undefined;
});

it('answers 503 CS_BUSY and logs call.lock_timeout when the call stays locked', async () => {
  const logs = captureLogger();
  dev = await startTestServer({ scripts: [mustCompile(surveyScript('v1'))], log: logs.log, store: new MemoryStore({ lockWaitMs: 50 }) });
  const call = dev.simulator.ring({ to: SURVEY_NUMBER, caller: interactiveCaller() });
  const gather = await call.waitFor((e): e is BlockEntry => e.kind === 'block' && e.block === 'gather');
  await dev.simulator.settled();
  await dev.runner.drain();
  const url = new URL(gather.params.notify_url ?? '');
  const id = url.pathname.split('/')[3] ?? '';
  const before = await dev.store.get(id);

  // Another holder (as another server would) keeps the call's lock.
  const held = await dev.store.lock(id);
  const res = await dev.simulator.forge(call.session, { call_state: 'ongoing', session: call.session, digits: '1' }, url.toString(), {
    signature: 'valid',
  });
  expect(res.status).toBe(503);
  expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'CS_BUSY' } });
  expect(logs.lines().find((l) => l.msg === 'call.lock_timeout')).toMatchObject({ call: id, waitedMs: 50 });
  expect(await dev.store.get(id)).toEqual(before);
  await held.release();
  call.hangup();
  await call.ended;
});
