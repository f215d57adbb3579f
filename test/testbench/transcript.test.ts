/** The transcript model: built from what the simulator received, shown as the caller experiences it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bench } from '../../src/testbench/bench.js';
import { planAgent, scriptedPlan } from '../../src/testbench/caller-plan.js';
import { buildTranscript, formatTranscript } from '../../src/testbench/transcript.js';
import { exampleScripts } from '../helpers/dev-server.js';

let bench: Bench;
beforeAll(async () => {
  bench = await Bench.start({ scripts: await exampleScripts() });
});
afterAll(async () => {
  await bench.close();
});

describe('transcript', () => {
  it('has each block with its rendered message, key parameters and the caller action; text reads like a phone call', async () => {
    const acme = bench.dev.scripts.current('acme');
    const call = await bench.place({ script: acme, outbound: false, agent: planAgent(scriptedPlan({ presses: ['1'], transfers: ['busy'] })) });
    const finished = await bench.finished(call);
    const transcript = buildTranscript(call.transcript, finished.outcome);
    expect(transcript.turns.map((t) => [t.block, t.caller])).toEqual([
      ['monitor', undefined],
      ['gather', { press: '1' }],
      ['transfer', { outcome: 'busy' }],
      ['record', { record: 3 }],
      ['hangup', undefined],
    ]);
    expect(transcript.turns[1]?.params).toEqual({ max_digits: '1', timeout: '10', attempts: '2', tag: 'main-menu' });
    expect(transcript.end).toEqual({ reason: 'script-hangup', outcome: 'completed' });
    expect(formatTranscript(transcript)).toEqual([
      '◉ monitor "Welcome to Acme. This call may be recorded for quality purposes."',
      '⌨ gather (1 digit, 10 s, 2 attempts, tag "main-menu") "For sales press 1. For support press 2. For your account press 3. To hear these options again press 9. For the operator press 0."',
      '  ⇢ pressed 1',
      '↪ transfer to +6562223333 from +6591234567 (tag "sales") "Connecting you to our sales team."',
      '  ⇢ transfer busy',
      '● record (max 120 s) "Sorry, no one is available. Please leave your name, number and a short message after the tone."',
      '  ⇢ spoke for 3 s',
      '■ hangup "Thank you for calling Acme. Goodbye."',
      '— call ended: the script hung up (outcome: completed)',
    ]);
  });

  it('an outbound call starts with the dial and the callee\'s answer', async () => {
    const reminder = bench.dev.scripts.current('reminder');
    const call = await bench.place({ script: reminder, outbound: true, to: '+6598765432', vars: { name: 'Bob' }, agent: planAgent(scriptedPlan({ presses: [], transfers: [], dial: 'busy' })) });
    const finished = await bench.finished(call);
    expect(finished.outcome).toBe('not-answered');
    expect(formatTranscript(buildTranscript(call.transcript, finished.outcome))).toEqual([
      '☎ dial to +6598765432',
      '  ⇢ callee: busy',
      '— call ended: the callee did not answer (outcome: not-answered)',
    ]);
  });
});
