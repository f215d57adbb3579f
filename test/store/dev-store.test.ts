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
import { startTestServer } from '../helpers/dev-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'callscript-dev-store-'));

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const flags = { port: 0, host: '127.0.0.1', hoiioTimeout: 5_000, signatureMode: 'enforce' as const, maxSteps: 200, maxBody: 65_536 };

it('a restarted dev server forgets the calls of the previous run and takes new ones', async () => {
  const store = `sqlite:${join(tmp, 'sessions.db')}`;
  const first = await startTestServer({ flags: { ...flags, store } });
  const parked = first.simulator.ring({ to: '+6560000001', caller: interactiveCaller() });
  await parked.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather');
  await first.simulator.settled();
  expect(first.store.kind).toBe('sqlite');
  expect(await first.store.active()).toHaveLength(1);
  await first.close();

  const second = await startTestServer({ flags: { ...flags, store } });
  try {
    expect(await second.store.active()).toEqual([]);
    const call = second.simulator.ring({ to: '+6560000001', caller: scriptedCaller({ presses: [''] }) });
    expect(call.session).toBe(parked.session);
    const end = await call.ended;
    expect(end.reason).toBe('script-hangup');
  } finally {
    await second.close();
  }
});
