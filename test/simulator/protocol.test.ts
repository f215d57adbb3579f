/** Session rules: not ready, after end, forced hangup, caller hangups, timeouts, failed deliveries. */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { interactiveCaller, scriptedCaller, type NotificationEntry, type SimEntry } from '../../src/simulator/index.js';
import { api, block, harness, HOIIO_NUMBER, ringAndWait, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

const notifications = (entries: readonly SimEntry[]): NotificationEntry[] =>
  entries.filter((e): e is NotificationEntry => e.kind === 'notification');

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('not ready', () => {
  it('a block sent before the previous block\'s notification is refused and recorded', async () => {
    h = await harness({ timing: { speakMs: 400 } });
    const s = await ringAndWait(h);
    expect((await api(h.sim, 'ivr/middle/play', { session: s, msg: 'Long message', notify_url: h.engine.notifyUrl('p') })).status).toBe('success_ok');
    const early = await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('g') });
    expect(early.status).toBe('error_session_not_ready');
    expect(h.sim.violations).toEqual([
      expect.objectContaining({ kind: 'not-ready', session: s, block: 'gather', status: 'error_session_not_ready' }),
    ]);
    // The running play is not disturbed.
    const n = await h.engine.next(s, 'ongoing');
    expect(n.fields.ivr_block).toBe('play');
  });

  it('a non-forced hangup while busy is not ready either', async () => {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('g') });
    expect((await api(h.sim, 'ivr/end/hangup', { session: s })).status).toBe('error_session_not_ready');
  });
});

describe('forced hangup', () => {
  it('ends the call mid-block; the block\'s result is never sent; no violation', async () => {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('g') });
    await call.waitFor((e) => e.kind === 'prompt');
    const answer = await api(h.sim, 'ivr/end/hangup', { session: s, force: 'enabled', notify_url: h.engine.notifyUrl('bye') });
    expect(answer.status).toBe('success_ok');
    const n = await h.engine.next(s, 'ended');
    expect(n.fields).toMatchObject({ ivr_block: 'hangup', duration: '1' });
    expect(n.query.step).toBe('bye');
    expect((await call.ended).reason).toBe('script-hangup');
    expect(() => call.act({ type: 'press', digits: '1' })).toThrow(expect.objectContaining({ code: 'call_ended' }));
    await h.sim.settled();
    expect(h.engine.forSession(s).filter((x) => x.query.step === 'g')).toEqual([]);
    expect(h.sim.violations).toEqual([]);
  });

  it('works while on hold', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/middle/hold', { session: s });
    expect((await api(h.sim, 'ivr/end/hangup', { session: s, force: 'enabled' })).status).toBe('success_ok');
    expect((await h.sim.calls.get(s)!.ended).reason).toBe('script-hangup');
  });
});

describe('after the end', () => {
  it('a block after Hangup was accepted (still playing) → error_session_ended, after-end-block', async () => {
    h = await harness({ timing: { speakMs: 400 } });
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/end/hangup', { session: s, msg: 'Goodbye', notify_url: h.engine.notifyUrl('bye') });
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, msg: 'x' });
    expect(answer.status).toBe('error_session_ended');
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['after-end-block']);
  });

  it('a block after the call ended by Hangup → error_session_ended, after-end', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/end/hangup', { notify_url: h.engine.notifyUrl('bye') }, 'ended');
    expect((await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('g') })).status).toBe('error_session_ended');
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['after-end']);
  });

  it('after a caller hangup the engine could not know of yet, session_ended is no violation', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    h.engine.status = 500; // the engine fails to take the ended notification
    h.sim.calls.get(s)!.hangup();
    await h.sim.settled();
    expect((await api(h.sim, 'ivr/middle/play', { session: s, msg: 'x' })).status).toBe('error_session_ended');
    expect(h.sim.violations).toEqual([]);
  });

  it('once the ended notification was delivered, a block is a violation', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    h.sim.calls.get(s)!.hangup();
    await h.engine.next(s, 'ended');
    await h.sim.settled();
    expect((await api(h.sim, 'ivr/middle/play', { session: s, msg: 'x' })).status).toBe('error_session_ended');
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['after-end']);
  });
});

describe('caller hangs up', () => {
  it('mid-gather: ended to the gather\'s notify_url, no gather result afterwards', async () => {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    await api(h.sim, 'ivr/middle/gather', { session: s, tag: 'menu', notify_url: h.engine.notifyUrl('g') });
    await call.waitFor((e) => e.kind === 'prompt');
    call.hangup();
    const n = await h.engine.next(s, 'ended');
    expect(n.query.step).toBe('g');
    expect(n.fields).toMatchObject({ ivr_block: 'gather', tag: 'menu', duration: '1', currency: 'SGD' });
    expect(n.fields.digits).toBeUndefined();
    expect((await call.ended).reason).toBe('caller-hangup');
    await h.sim.settled();
    expect(h.engine.forSession(s).map((x) => x.fields.call_state)).toEqual(['ringing', 'ended']);
  });

  it('mid-play (scripted hangupAfter): the play never reports', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ hangupAfter: 1 }) });
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { msg: 'one', notify_url: h.engine.notifyUrl('p1') });
    await api(h.sim, 'ivr/middle/play', { session: s, msg: 'two', notify_url: h.engine.notifyUrl('p2') });
    const n = await h.engine.next(s, 'ended');
    expect(n.fields.ivr_block).toBe('play');
    expect(n.query.step).toBe('p2');
    await h.sim.settled();
    expect(h.engine.forSession(s).filter((x) => x.query.step === 'p2').map((x) => x.fields.call_state)).toEqual(['ended']);
  });

  it('mid-record: the partial recording comes with ended', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ recordSeconds: 60 }), timing: { secondMs: 10 } });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    await api(h.sim, 'ivr/middle/record', { session: s, notify_url: h.engine.notifyUrl('r') });
    await call.waitFor((e) => e.kind === 'caller');
    await new Promise((r) => setTimeout(r, 50));
    call.hangup();
    const n = await h.engine.next(s, 'ended');
    expect(n.fields).toMatchObject({ ivr_block: 'record' });
    expect(n.fields.record_url).toMatch(/recordings\//);
  });

  it('between blocks: ended to the last notify_url', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    h.sim.calls.get(s)!.hangup();
    const n = await h.engine.next(s, 'ended');
    expect(n.query.step).toBe('p');
    expect(n.fields.ivr_block).toBe('play');
  });

  it('while ringing: ended to the Voice Notify URL, duration 0', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    h.sim.calls.get(s)!.hangup();
    const n = await h.engine.next(s, 'ended');
    expect(n.path).toBe('/hoiio/voice');
    expect(n.fields).toMatchObject({ ivr_block: 'answer', duration: '0' });
  });

  it('hangup() twice is harmless; ended is sent once', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    call.hangup();
    call.hangup();
    await h.sim.settled();
    expect(h.engine.forSession(s).filter((x) => x.fields.call_state === 'ended')).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('an inbound call nobody answers gives up (no-answer-to-ringing)', async () => {
    h = await harness({ timing: { ringTimeoutMs: 30 } });
    const call = h.sim.ring({ to: HOIIO_NUMBER });
    expect((await call.ended).reason).toBe('no-answer-to-ringing');
    const n = await h.engine.next(call.session, 'ended');
    expect(n.fields).toMatchObject({ ivr_block: 'answer', duration: '0' });
  });

  it('a ready call without a next block hangs up after idleTimeoutMs', async () => {
    h = await harness({ timing: { idleTimeoutMs: 30 } });
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    expect((await h.sim.calls.get(s)!.ended).reason).toBe('idle-timeout');
  });
});

describe('deliveries', () => {
  it('records the engine\'s HTTP status; a non-2xx is not retried', async () => {
    h = await harness();
    h.engine.status = 503;
    const call = h.sim.ring({ to: HOIIO_NUMBER });
    await h.sim.settled();
    expect(h.engine.received).toHaveLength(1);
    const [n] = notifications(call.transcript);
    expect(n?.result).toMatchObject({ status: 503 });
    expect(call.transcript.at(-1)).toMatchObject({ kind: 'delivery', notificationId: n?.id, result: { status: 503 } });
  });

  it('records a refused connection', async () => {
    const port = await closedPort();
    h = await harness({ voiceNotifyUrl: `http://127.0.0.1:${port}/voice` });
    const call = h.sim.ring({ to: HOIIO_NUMBER });
    await h.sim.settled();
    expect(notifications(call.transcript)[0]?.result?.error).toBe('ECONNREFUSED');
  });

  it('records a timeout when the engine does not answer', async () => {
    h = await harness({ timing: { notifyTimeoutMs: 50 } });
    h.engine.handler = () => new Promise(() => undefined);
    const call = h.sim.ring({ to: HOIIO_NUMBER });
    await h.sim.settled();
    expect(notifications(call.transcript)[0]?.result?.error).toBe('timeout');
  });

  it('delivers a call\'s notifications one at a time, in order', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ presses: ['1'] }) });
    let inFlight = 0;
    let maxInFlight = 0;
    h.engine.handler = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
    };
    const s = await ringAndWait(h);
    // Without waiting for the previous notification's answer (the engine is slow to reply).
    await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('a') });
    await h.engine.next(s, 'ongoing');
    await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('b') });
    h.sim.calls.get(s)!.hangup();
    await h.sim.settled();
    expect(maxInFlight).toBe(1);
    expect(h.engine.forSession(s).map((n) => n.query.step ?? 'voice')).toEqual(['voice', 'a', 'b', 'b']);
  });
});

describe('lifecycle', () => {
  it('emits entries as they happen', async () => {
    h = await harness();
    const call = h.sim.ring({ to: HOIIO_NUMBER });
    const seen: string[] = [];
    call.on('entry', (e) => seen.push(e.kind));
    await h.sim.settled();
    expect(seen).toEqual(['notification', 'delivery']);
    expect(call.transcript.map((e) => e.kind)).toEqual(['call', 'notification', 'delivery']);
  });

  it('close() ends calls and pending decisions and resolves ended', async () => {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    const call = h.sim.calls.get(s)!;
    await api(h.sim, 'ivr/middle/gather', { session: s, notify_url: h.engine.notifyUrl('g') });
    await call.waitFor((e) => e.kind === 'prompt');
    await h.sim.close();
    expect((await call.ended).reason).toBe('simulator-closed');
    expect(h.sim.closed).toBe(true);
    expect(() => h.sim.ring({ to: HOIIO_NUMBER })).toThrow(expect.objectContaining({ code: 'simulator_closed' }));
    await h.sim.close(); // idempotent
  });
});
