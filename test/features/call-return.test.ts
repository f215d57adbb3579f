/**
 * `call:` / `return` through the real runner: a call inside a called script stays
 * on that script's version after a reload (restored from the store's archive if
 * the registry let it go), new calls get the new version, and a call whose
 * called script disappeared takes its on_error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/dev/server.js';
import { interactiveCaller, type SimCall, type SimEntry } from '../../src/simulator/index.js';
import { captureLogger, spoken, startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';
import { request } from 'undici';
import { mustCompile } from '../helpers/compile.js';

const MAIN = mustCompile(
  `
name: main
numbers: ["+6560000091"]
vars: { balance: "" }
on_error: sorry
steps:
  welcome: { play: "Main menu.", next: billing }
  billing: { call: billing, next: after }
  after: { hangup: "Back in main, balance {{balance}}." }
  sorry: { hangup: "Billing is not available." }
`,
  'main.yaml',
);

const billing = (words: string) =>
  mustCompile(
    `
name: billing
vars: { balance: "" }
steps:
  menu:
    gather: { prompt: "${words}: press 1 for your balance.", max_digits: 1 }
    branches: { "1": lookup }
    invalid: { message: "Try again.", retries: 1 }
  lookup: { set: { balance: "12.50" }, next: back }
  back: { return: }
`,
    'billing.yaml',
  );

const V1 = billing('Billing version one');
const V2 = billing('Billing version two');

/** Resolves once the caller has been asked at a gather `n` times (the call waits for them). */
function gatherPrompt(call: SimCall, n: number): Promise<void> {
  const count = (): number => call.transcript.filter((e: SimEntry) => e.kind === 'prompt' && e.prompt.block === 'gather').length;
  return new Promise((resolve) => {
    if (count() >= n) return resolve();
    const off = call.on('entry', () => {
      if (count() < n) return;
      off();
      resolve();
    });
  });
}

describe('call and return on a running server', () => {
  let dev: DevServer;
  const logs = captureLogger();

  beforeAll(async () => {
    dev = await startTestServer({ scripts: [MAIN, V1], log: logs.log });
  });
  afterAll(async () => dev.close());

  const ring = (): SimCall => dev.simulator.ring({ to: '+6560000091', from: '+6591234567', caller: interactiveCaller() });

  it('a call in the called script finishes on its version after a reload; new calls get the new one', async () => {
    const first = ring();
    await gatherPrompt(first, 1);
    const inspected = await request(`${dev.url}/calls/${first.session}`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    const detail = (await inspected.body.json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ step: 'menu', called: [{ script: 'billing', version: V1.version, return_to: 'after' }], path: ['welcome', 'billing', 'billing:menu'] });
    dev.scripts.replace([MAIN, V2]);

    const second = ring();
    await gatherPrompt(second, 1);
    second.act({ type: 'press', digits: '1' });
    await second.ended;

    // The first call asks again in version one's words, then returns to main.
    first.act({ type: 'press', digits: '7' });
    await gatherPrompt(first, 2);
    first.act({ type: 'press', digits: '1' });
    await first.ended;
    await dev.runner.drain();

    expect(spoken(first)).toEqual([
      ['play', 'Main menu.'],
      ['gather', 'Billing version one: press 1 for your balance.'],
      ['gather', 'Try again. Billing version one: press 1 for your balance.'],
      ['hangup', 'Back in main, balance 12.50.'],
    ]);
    expect(spoken(second)).toEqual([
      ['play', 'Main menu.'],
      ['gather', 'Billing version two: press 1 for your balance.'],
      ['hangup', 'Back in main, balance 12.50.'],
    ]);
    // Version one was no longer held by the registry: it came back from the store's archive.
    expect(logs.lines().filter((l) => l.msg === 'script.restored').map((l) => [l.script, l.version])).toEqual([['billing', V1.version]]);
    const called = logs.lines().filter((l) => l.msg === 'script.called').map((l) => l.version);
    expect(called).toEqual([V1.version, V2.version]);
    expect(dev.simulator.violations).toEqual([]);
  });

  it('a called script that is no longer loaded is a runtime failure: the script\'s on_error', async () => {
    dev.scripts.replace([MAIN]);
    const call = ring();
    await call.ended;
    await dev.runner.drain();
    expect(spoken(call)).toEqual([
      ['play', 'Main menu.'],
      ['hangup', 'Billing is not available.'],
    ]);
    expect(logs.lines().find((l) => l.msg === 'call.on_error')).toMatchObject({ step: 'billing', target: 'sorry', reason: 'call' });
  });
});
