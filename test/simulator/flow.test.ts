/**
 * End to end with a tiny hand-written IVR app (not the engine): it answers ringing with
 * play → gather → transfer, replies 200 at once and sends the next block asynchronously.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedCaller, type BlockEntry, type SimCall } from '../../src/simulator/index.js';
import { api, harness, HOIIO_NUMBER, type Harness, type Received } from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

/** The app: one notify URL per step, the step name carried in the query string. */
function installApp(h: Harness): void {
  const next = async (n: Received): Promise<void> => {
    const session = n.fields.session ?? '';
    const url = (step: string): string => h.engine.notifyUrl(step);
    const state = n.fields.call_state;
    if (state === 'ended') return;
    const step = n.path === '/hoiio/voice' ? 'ringing' : n.query.step;
    let answer;
    switch (step) {
      case 'ringing':
        answer = await api(h.sim, 'ivr/middle/play', { session, msg: 'Welcome to Acme', notify_url: url('welcome') });
        break;
      case 'welcome':
        answer = await api(h.sim, 'ivr/middle/gather', {
          session,
          msg: 'Press 1 for sales',
          max_digits: '1',
          timeout: '10',
          attempts: '3',
          notify_url: url('menu'),
        });
        break;
      case 'menu':
        if (n.fields.digits === '1') {
          answer = await api(h.sim, 'ivr/end/transfer', {
            session,
            dest: '+6581234567',
            msg: 'Connecting',
            on_failure: 'continue',
            notify_url: url('xfer'),
          });
        } else if (n.fields.digits === '') {
          answer = await api(h.sim, 'ivr/end/hangup', { session, msg: 'Goodbye', notify_url: url('bye') });
        } else {
          answer = await api(h.sim, 'ivr/middle/play', { session, msg: 'Invalid choice', notify_url: url('welcome') });
        }
        break;
      case 'xfer':
        answer = await api(h.sim, 'ivr/end/hangup', { session, msg: 'Sorry, nobody is free', notify_url: url('bye') });
        break;
      default:
        throw new Error(`unexpected step ${String(step)}`);
    }
    if (answer.status !== 'success_ok') throw new Error(`${String(step)}: ${answer.status}`);
  };
  h.engine.handler = (n) => {
    // Reply first, then drive the call (the NODE sample's pattern).
    setImmediate(() => void next(n));
  };
  h.engine.handlerNext = next;
}

/** The AA/CD samples' pattern: send the next block, then reply to the notification. */
function installSyncApp(h: Harness): void {
  installApp(h);
  const next = h.engine.handlerNext;
  h.engine.handler = async (n) => {
    await next?.(n);
  };
}

function blocks(call: SimCall): string[] {
  return call.transcript.filter((e): e is BlockEntry => e.kind === 'block').map((e) => e.block);
}

describe('a small IVR app against the simulator', () => {
  it('transfers the caller who presses 1', async () => {
    h = await harness();
    installApp(h);
    const call = h.sim.ring({ to: HOIIO_NUMBER, from: '+6590001111', caller: scriptedCaller({ presses: ['1'] }) });
    const end = await call.ended;
    expect(end.reason).toBe('transfer-answered');
    expect(end.transferStatus).toBe('answered');
    expect(blocks(call)).toEqual(['play', 'gather', 'transfer']);
    await h.sim.settled();
    const last = h.engine.forSession(call.session).at(-1);
    expect(last?.fields).toMatchObject({ call_state: 'ended', ivr_block: 'transfer', transfer_status: 'answered' });
    expect(h.sim.violations).toEqual([]);
  });

  it('re-prompts after an invalid key, hangs up after no input', async () => {
    h = await harness();
    installApp(h);
    const call = h.sim.ring({ to: HOIIO_NUMBER, caller: scriptedCaller({ presses: ['7', ''] }) });
    const end = await call.ended;
    expect(end.reason).toBe('script-hangup');
    expect(blocks(call)).toEqual(['play', 'gather', 'play', 'gather', 'hangup']);
    await h.sim.settled();
    const states = h.engine.forSession(call.session).map((n) => `${n.fields.call_state}:${n.fields.ivr_block}`);
    expect(states).toEqual([
      'ringing:answer',
      'ongoing:play',
      'ongoing:gather',
      'ongoing:play',
      'ongoing:gather',
      'ended:hangup',
    ]);
    expect(h.sim.violations).toEqual([]);
  });

  it('falls back when the transfer is busy (on_failure=continue)', async () => {
    h = await harness();
    installApp(h);
    const call = h.sim.ring({ to: HOIIO_NUMBER, caller: scriptedCaller({ presses: ['1'], transfers: ['busy'] }) });
    await call.ended;
    await h.sim.settled();
    expect(blocks(call)).toEqual(['play', 'gather', 'transfer', 'hangup']);
    const xfer = h.engine.forSession(call.session).find((n) => n.query.step === 'xfer');
    expect(xfer?.fields).toMatchObject({ call_state: 'ongoing', transfer_status: 'busy' });
    expect(h.sim.violations).toEqual([]);
  });

  it('works when the app sends the next block before replying to the notification', async () => {
    h = await harness();
    installSyncApp(h);
    const call = h.sim.ring({ to: HOIIO_NUMBER, caller: scriptedCaller({ presses: ['1'] }) });
    expect((await call.ended).reason).toBe('transfer-answered');
    expect(blocks(call)).toEqual(['play', 'gather', 'transfer']);
    expect(h.sim.violations).toEqual([]);
  });

  it('runs many calls at once without crossing them', async () => {
    h = await harness();
    installApp(h);
    const calls = Array.from({ length: 12 }, (_, i) =>
      h.sim.ring({ to: HOIIO_NUMBER, from: `+659000${String(i).padStart(4, '0')}`, caller: scriptedCaller({ presses: [i % 2 ? '1' : ''] }) }),
    );
    const ends = await Promise.all(calls.map((c) => c.ended));
    expect(ends.map((e) => e.reason)).toEqual(calls.map((_, i) => (i % 2 ? 'transfer-answered' : 'script-hangup')));
    await h.sim.settled();
    for (const c of calls) {
      for (const n of h.engine.forSession(c.session)) expect(n.fields.from).toBe(c.from);
    }
    expect(h.sim.violations).toEqual([]);
  });
});
