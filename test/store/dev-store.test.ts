/**
 * The dev server on a SQLite store: its built-in simulator's calls end with the
 * process and its session ids start again at S1, so a restarted dev server starts
 * with no calls instead of taking new calls for duplicates of old ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { interactiveCaller, scriptedCaller, type PromptEntry } from '../../src/simulator/index.js';
import { mustCompile } from '../helpers/compile.js';
import { startTestServer } from '../helpers/dev-server.js';
import { SURVEY_NUMBER, surveyScript } from '../durability/scripts.js';

const scripts = [mustCompile(surveyScript('v1'))];

const tmp = mkdtempSync(join(tmpdir(), 'callscript-dev-store-'));

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const flags = { port: 0, host: '127.0.0.1', hoiioTimeout: 5_000, signatureMode: 'enforce' as const, maxSteps: 200, maxBody: 65_536 };

it('a restarted dev server forgets the calls of the previous run and takes new ones', async () => {
  const store = `sqlite:${join(tmp, 'sessions.db')}`;
  const first = await startTestServer({ scripts, flags: { ...flags, store } });
  const parked = first.simulator.ring({ to: SURVEY_NUMBER, caller: interactiveCaller() });
  await parked.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather');
  await first.simulator.settled();
  expect(first.store.kind).toBe('sqlite');
  expect(await first.store.active()).toHaveLength(1);
  await first.close();

  const second = await startTestServer({ scripts, flags: { ...flags, store } });
  try {
    expect(await second.store.active()).toEqual([]);
    const call = second.simulator.ring({ to: SURVEY_NUMBER, caller: scriptedCaller({ presses: ['2'] }) });
    expect(call.session).toBe(parked.session);
    const end = await call.ended;
    expect(end.reason).toBe('script-hangup');
  } finally {
    await second.close();
  }
});
