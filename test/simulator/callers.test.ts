/** Caller agents: scripted, random (seeded), interactive, and how bad agents are handled. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  interactiveCaller,
  randomCaller,
  scriptedCaller,
  type CallerAction,
  type CallerEntry,
  type CallerPrompt,
  type SimCall,
} from '../../src/simulator/index.js';
import { api, block, harness, HOIIO_NUMBER, ringAndWait, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

const fakeCall = (session: string): SimCall => ({ session }) as unknown as SimCall;
const gather: CallerPrompt = { block: 'gather', maxDigits: 4, attempts: 1, timeout: 5 };

describe('scriptedCaller', () => {
  it('follows presses, then hangs up at the next gather', () => {
    const agent = scriptedCaller({ presses: ['1', '', '9'] });
    const call = fakeCall('S1');
    const actions = [1, 2, 3, 4].map(() => agent(gather, call));
    expect(actions).toEqual([
      { type: 'press', digits: '1' },
      { type: 'no-input' },
      { type: 'press', digits: '9' },
      { type: 'hangup' },
    ]);
  });

  it('keeps separate progress per call', () => {
    const agent = scriptedCaller({ presses: ['5'] });
    expect(agent(gather, fakeCall('S1'))).toEqual({ type: 'press', digits: '5' });
    expect(agent(gather, fakeCall('S2'))).toEqual({ type: 'press', digits: '5' });
  });

  it('hangupAfter counts blocks; transfers and dial outcomes follow the script', () => {
    const agent = scriptedCaller({ hangupAfter: 2, transfers: ['busy'], dial: 'unanswered' });
    const call = fakeCall('S1');
    expect(agent({ block: 'transfer', dest: '+6581234567' }, call)).toMatchObject({ type: 'outcome', outcome: 'busy' });
    expect(agent({ block: 'transfer', dest: '+6581234567' }, call)).toMatchObject({ type: 'outcome', outcome: 'answered' });
    expect(agent({ block: 'play' }, call)).toEqual({ type: 'hangup' });
    expect(scriptedCaller({ dial: 'unanswered' })({ block: 'dial', dest: '+65' }, call)).toMatchObject({ outcome: 'unanswered' });
  });

  it('hangupAfter: 0 hangs up during the first block', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ hangupAfter: 0 }) });
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/middle/play', { session: s, msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    expect((await h.sim.calls.get(s)!.ended).reason).toBe('caller-hangup');
  });
});

describe('randomCaller', () => {
  it('is deterministic per seed and session', () => {
    const prompts: CallerPrompt[] = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 0 ? { block: 'transfer', dest: '+6581234567' } : i % 3 === 1 ? gather : { block: 'record', maxDuration: 60 },
    );
    const run = (seed: number, session: string): CallerAction[] => {
      const agent = randomCaller(seed, { hangup: 0.05 });
      const call = fakeCall(session);
      return prompts.map((p) => agent(p, call) as CallerAction);
    };
    expect(run(1, 'S1')).toEqual(run(1, 'S1'));
    expect(run(1, 'S1')).not.toEqual(run(2, 'S1'));
    expect(run(1, 'S1')).not.toEqual(run(1, 'S2'));
    const types = new Set(run(1, 'S1').map((a) => a.type));
    expect(types.has('press')).toBe(true);
    expect(types.has('outcome')).toBe(true);
    for (const a of run(1, 'S1')) if (a.type === 'press') expect(a.digits).toMatch(/^\d{1,4}$/);
  });

  it('drives real calls to an end', async () => {
    h = await harness({ defaultCaller: randomCaller(42, { hangup: 0.2 }) });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    for (let i = 0; i < 30 && call.state !== 'ended'; i++) {
      const answer = await api(h.sim, 'ivr/middle/gather', { session: s, max_digits: '2', notify_url: h.engine.notifyUrl('g') });
      if (answer.status !== 'success_ok') break;
      await h.engine.waitFor((n) => n.fields.session === s && h.engine.forSession(s).length >= i + 2);
    }
    if (call.state !== 'ended') call.hangup();
    expect((await call.ended).reason).toBe('caller-hangup');
  });
});

describe('interactive callers and act()', () => {
  async function pendingGather(): Promise<SimCall> {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('g') });
    await call.waitFor((e) => e.kind === 'prompt');
    return call;
  }

  it('act without a pending decision → no_pending_decision', async () => {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    expect(() => h.sim.calls.get(s)!.act({ type: 'press', digits: '1' })).toThrow(
      expect.objectContaining({ code: 'no_pending_decision' }),
    );
  });

  it('an action that does not fit the block → action_not_allowed; bad digits → invalid_action', async () => {
    const call = await pendingGather();
    expect(() => call.act({ type: 'outcome', outcome: 'busy' })).toThrow(expect.objectContaining({ code: 'action_not_allowed' }));
    expect(() => call.act({ type: 'press', digits: '12a' })).toThrow(expect.objectContaining({ code: 'invalid_action' }));
    expect(call.pending?.block).toBe('gather');
    call.act({ type: 'no-input' });
    expect((await h.engine.next(call.session, 'ongoing')).fields.digits).toBe('');
    const entry = call.transcript.find((e): e is CallerEntry => e.kind === 'caller');
    expect(entry).toMatchObject({ source: 'act', action: { type: 'no-input' } });
  });

  it('act({type:"hangup"}) is accepted at any time', async () => {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { notify_url: h.engine.notifyUrl('p') });
    h.sim.calls.get(s)!.act({ type: 'hangup' });
    expect((await h.sim.calls.get(s)!.ended).reason).toBe('caller-hangup');
  });

  it('confirmPlays makes plays wait for continue', async () => {
    h = await harness({ defaultCaller: interactiveCaller({ confirmPlays: true }) });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
    await call.waitFor((e) => e.kind === 'prompt');
    expect(call.pending).toEqual({ block: 'play' });
    call.act({ type: 'continue' });
    await h.engine.next(s, 'ongoing');
  });

  it('act() overrides any agent that has not decided yet', async () => {
    const slow = (): Promise<CallerAction> => new Promise((r) => setTimeout(() => r({ type: 'press', digits: '1' }), 500));
    h = await harness({ defaultCaller: slow });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('g') });
    await call.waitFor((e) => e.kind === 'prompt');
    call.act({ type: 'press', digits: '2' });
    expect((await h.engine.next(s, 'ongoing')).fields.digits).toBe('2');
  });
});

describe('broken agents', () => {
  it.each([
    ['throws', (): CallerAction => { throw new Error('boom'); }],
    ['answers a gather with an outcome', (): CallerAction => ({ type: 'outcome', outcome: 'busy' })],
  ])('an agent that %s counts as a hangup, noted in the transcript', async (_name, agent) => {
    h = await harness({ defaultCaller: agent });
    const call = h.sim.ring({ to: HOIIO_NUMBER });
    await h.engine.next(call.session, 'ringing');
    await api(h.sim, 'ivr/middle/gather', { session: call.session, notify_url: h.engine.notifyUrl('g') });
    expect((await call.ended).reason).toBe('caller-hangup');
    expect(call.transcript.some((e) => e.kind === 'call' && e.event === 'agent-error')).toBe(true);
  });
});
