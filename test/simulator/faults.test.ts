/** Fault injection: per request (delay, status, 502, reset, hang) and per notification. */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  randomFaults,
  type NotificationEntry,
  type RequestFaultContext,
  type NotificationFaultContext,
} from '../../src/simulator/index.js';
import { api, block, harness, HOIIO_NUMBER, ringAndWait, TOKEN, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

const onPlay = (fault: object) => ({
  request: (ctx: RequestFaultContext) => (ctx.block === 'play' ? fault : undefined),
});

describe('request faults', () => {
  it('delayMs: the answer comes late, the block runs', async () => {
    h = await harness({ faults: onPlay({ delayMs: 120 }) });
    const s = await ringAndWait(h);
    const t0 = Date.now();
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(answer.status).toBe('success_ok');
    await h.engine.next(s, 'ongoing');
  });

  it.each(['error_rate_limit_exceeded', 'error_session_not_ready', 'error_internal_server_error'])(
    'status %s: answered, the block did not run, no violation',
    async (status) => {
      h = await harness({ faults: onPlay({ status }) });
      const s = await ringAndWait(h);
      const answer = await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
      expect(answer.body).toEqual({ status });
      const call = h.sim.calls.get(s)!;
      expect(call.state).toBe('ringing');
      expect(call.transcript.at(-1)).toMatchObject({ kind: 'block', block: 'play', response: status, fault: 'status' });
      expect(h.sim.violations).toEqual([]);
      // The engine may retry; without the fault it goes through.
      h.sim.setFaults(undefined);
      await block(h, s, 'ivr/middle/play', { notify_url: h.engine.notifyUrl('p') });
    },
  );

  it('httpStatus 502: a non-JSON body and the block did not run', async () => {
    h = await harness({ faults: onPlay({ httpStatus: 502 }) });
    const s = await ringAndWait(h);
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
    expect(answer.httpStatus).toBe(502);
    expect(answer.status).toBe('');
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
    expect(h.sim.calls.get(s)?.state).toBe('ringing');
    expect(h.sim.requests.at(-1)).toMatchObject({ fault: 'http-502', httpStatus: 502, response: 'http-502' });
  });

  it('httpStatus 502 with apply: the block ran though the answer was lost', async () => {
    h = await harness({ faults: onPlay({ httpStatus: 502, apply: true }) });
    const s = await ringAndWait(h);
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
    expect(answer.httpStatus).toBe(502);
    await h.engine.next(s, 'ongoing');
    expect(h.sim.calls.get(s)!.transcript.find((e) => e.kind === 'block')).toMatchObject({ response: 'success_ok', fault: 'http-502' });
  });

  it('reset: the socket is destroyed', async () => {
    h = await harness({ faults: onPlay({ reset: true }) });
    const s = await ringAndWait(h);
    await expect(api(h.sim, 'ivr/middle/play', { session: s })).rejects.toThrow();
    expect(h.sim.calls.get(s)?.state).toBe('ringing');
  });

  it('reset with apply: the block runs', async () => {
    h = await harness({ faults: onPlay({ reset: true, apply: true }) });
    const s = await ringAndWait(h);
    await expect(api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') })).rejects.toThrow();
    await h.engine.next(s, 'ongoing');
  });

  it('hang: never answered, until close() ends it', async () => {
    h = await harness({ faults: onPlay({ hang: true }) });
    const s = await ringAndWait(h);
    let settled = false;
    const pending = api(h.sim, 'ivr/middle/play', { session: s }).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(settled).toBe(false);
    await h.sim.close();
    await expect(pending).rejects.toThrow();
  });

  it('a function plan is consulted for requests and notifications, with counters', async () => {
    const seen: string[] = [];
    h = await harness({
      faults: (ctx) => {
        seen.push(ctx.kind === 'request' ? `req:${ctx.block}:${ctx.callIndex}` : `note:${ctx.fields.call_state}:${ctx.callIndex}`);
        return undefined;
      },
    });
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { notify_url: h.engine.notifyUrl('p') });
    expect(seen).toEqual(['note:ringing:0', 'req:play:0', 'note:ongoing:1']);
  });
});

describe('notification faults', () => {
  const onOngoing = (fault: object) => ({
    notification: (ctx: NotificationFaultContext) => (ctx.fields.call_state === 'ongoing' ? fault : undefined),
  });

  it('duplicate: the same notification n more times', async () => {
    h = await harness({ faults: onOngoing({ duplicate: 2 }) });
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { notify_url: h.engine.notifyUrl('p') });
    await h.sim.settled();
    const got = h.engine.forSession(s).filter((n) => n.fields.call_state === 'ongoing');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((n) => n.raw)).size).toBe(1);
    const entries = h.sim.calls.get(s)!.transcript.filter((e): e is NotificationEntry => e.kind === 'notification');
    expect(entries.map((e) => e.copy)).toEqual([0, 0, 1, 2]);
  });

  it('delayMs: later notifications of the call wait behind it', async () => {
    h = await harness({ faults: onOngoing({ delayMs: 100 }) });
    const s = await ringAndWait(h);
    const t0 = Date.now();
    await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
    h.sim.calls.get(s)!.hangup(); // its ended must not overtake the delayed ongoing
    await h.sim.settled();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(h.engine.forSession(s).map((n) => n.fields.call_state)).toEqual(['ringing', 'ongoing', 'ended']);
  });

  it('reorder: the later notification is delivered first', async () => {
    h = await harness({ faults: onOngoing({ reorder: true }), timing: { reorderHoldMs: 5000 } });
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
    await h.sim.calls.get(s)!.waitFor((e) => e.kind === 'caller');
    await new Promise((r) => setTimeout(r, 20));
    h.sim.calls.get(s)!.hangup();
    await h.sim.settled();
    expect(h.engine.forSession(s).map((n) => n.fields.call_state)).toEqual(['ringing', 'ended', 'ongoing']);
  });

  it('reorder without a later notification releases it after reorderHoldMs', async () => {
    h = await harness({ faults: onOngoing({ reorder: true }), timing: { reorderHoldMs: 60 } });
    const s = await ringAndWait(h);
    const t0 = Date.now();
    await block(h, s, 'ivr/middle/play', { notify_url: h.engine.notifyUrl('p') });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
  });

  it('drop: never sent, recorded as dropped', async () => {
    h = await harness({ faults: onOngoing({ drop: true }) });
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/middle/play', { session: s, notify_url: h.engine.notifyUrl('p') });
    await h.sim.calls.get(s)!.waitFor((e) => e.kind === 'delivery' && e.result.error === 'dropped');
    await h.sim.settled();
    expect(h.engine.forSession(s).map((n) => n.fields.call_state)).toEqual(['ringing']);
  });
});

describe('forged notifications', () => {
  it.each([
    ['none', undefined],
    ['invalid', 'wrong'],
    ['valid', 'right'],
  ] as const)('signature %s: sent, and the engine\'s answer recorded', async (mode, expectSig) => {
    h = await harness();
    const s = await ringAndWait(h);
    h.engine.status = 403;
    const url = `${h.engine.url}hoiio/notify?step=p&t=guessed`;
    const res = await h.sim.forge(s, { call_state: 'ongoing', ivr_block: 'gather', digits: '9' }, url, { signature: mode });
    expect(res).toMatchObject({ status: 403, body: 'OK' });
    const got = await h.engine.waitFor((n) => n.query.t === 'guessed');
    expect(got.fields).toMatchObject({ session: s, digits: '9' });
    const good = createHmac('sha256', TOKEN).update(got.raw).digest('hex');
    if (expectSig === undefined) expect(got.signature).toBeUndefined();
    else if (expectSig === 'right') expect(got.signature).toBe(good);
    else expect(got.signature).not.toBe(good);
    const entry = h.sim.calls.get(s)!.transcript.find((e): e is NotificationEntry => e.kind === 'notification' && e.forged);
    expect(entry?.result?.status).toBe(403);
  });

  it('forging for an unknown session still sends and reports', async () => {
    h = await harness();
    const res = await h.sim.forge('S404', { call_state: 'ended' }, `${h.engine.url}x`);
    expect(res.status).toBe(200);
  });
});

describe('randomFaults', () => {
  const reqCtx = (i: number): RequestFaultContext => ({
    kind: 'request',
    index: i,
    block: 'play',
    params: {},
    session: `S${i % 3}`,
    callIndex: i,
  });

  it('is deterministic per seed and per (session, counter)', () => {
    const opts = { request: { status: 0.3, http502: 0.1, reset: 0.1, delay: { p: 0.5, minMs: 1, maxMs: 9 } } };
    const a = randomFaults({ seed: 7, ...opts });
    const b = randomFaults({ seed: 7, ...opts });
    const c = randomFaults({ seed: 8, ...opts });
    const run = (p: typeof a) => Array.from({ length: 60 }, (_, i) => JSON.stringify(p.request?.(reqCtx(i)) ?? null));
    expect(run(a)).toEqual(run(b));
    expect(run(a)).not.toEqual(run(c));
    const kinds = new Set(run(a).map((x) => Object.keys(JSON.parse(x) as object ?? {}).sort().join('+')));
    expect(kinds.size).toBeGreaterThan(2);
  });

  it('with zero rates injects nothing', () => {
    const p = randomFaults({ seed: 1 });
    expect(p.request?.(reqCtx(0))).toBeUndefined();
    expect(
      p.notification?.({ kind: 'notification', index: 0, session: 'S1', callIndex: 0, url: 'http://x/', fields: {} }),
    ).toBeUndefined();
  });

  it('drives a whole call with duplicates without breaking it', async () => {
    h = await harness({ faults: randomFaults({ seed: 3, notification: { duplicate: 1 } }) });
    const call = h.sim.ring({ to: HOIIO_NUMBER });
    await h.sim.settled();
    expect(h.engine.forSession(call.session).length).toBe(2);
  });
});
