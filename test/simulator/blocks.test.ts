/** Each block's notification: state, fields, billing, recordings, signature, query string. */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { interactiveCaller, scriptedCaller } from '../../src/simulator/index.js';
import { api, block, harness, HOIIO_NUMBER, ringAndWait, TOKEN, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe('ringing', () => {
  it('POSTs call_state=ringing, ivr_block=answer to the Voice Notify URL, keeping its query', async () => {
    h = await harness();
    const call = h.sim.ring({ to: HOIIO_NUMBER, from: '+6591110000' });
    const n = await h.engine.next(call.session, 'ringing');
    expect(n.path).toBe('/hoiio/voice');
    expect(n.query).toEqual({ app: 'demo' });
    expect(n.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(n.fields).toEqual({
      call_state: 'ringing',
      ivr_block: 'answer',
      session: call.session,
      txn_ref: call.txnRef,
      from: '+6591110000',
      to: HOIIO_NUMBER,
    });
    // E.164 `+` travels as %2B.
    expect(n.raw).toContain('from=%2B6591110000');
    expect(call.state).toBe('ringing');
    expect(call.session).toMatch(/^S\d+$/);
    expect(call.txnRef).toMatch(/^AA-C-\d+$/);
  });

  it('picks the Voice Notify URL per number when it is a function', async () => {
    h = await harness();
    await h.sim.close();
    const { startSimulator } = await import('../../src/simulator/index.js');
    const sim = await startSimulator({
      appId: 'a',
      accessToken: 't',
      voiceNotifyUrl: (to) => (to === HOIIO_NUMBER ? `${h.engine.url}hoiio/voice?n=1` : undefined),
    });
    try {
      const call = sim.ring({ to: HOIIO_NUMBER });
      const n = await h.engine.next(call.session, 'ringing');
      expect(n.query).toEqual({ n: '1' });
      expect(() => sim.ring({ to: '+6500000000' })).toThrow(expect.objectContaining({ code: 'no_voice_notify_url' }));
    } finally {
      await sim.close();
    }
  });
});

describe('middle blocks', () => {
  it('play: ongoing with the echoed tag; the first block answers the call', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/middle/play', { msg: 'Hi', tag: 'welcome', notify_url: h.engine.notifyUrl('p') });
    expect(n.fields).toEqual({
      call_state: 'ongoing',
      ivr_block: 'play',
      session: s,
      txn_ref: h.sim.calls.get(s)?.txnRef,
      tag: 'welcome',
      from: '+6591110000',
      to: HOIIO_NUMBER,
    });
    expect(n.query).toEqual({ step: 'p', t: 'tok123' });
    expect(h.sim.calls.get(s)?.answered).toBe(true);
    expect(h.sim.calls.get(s)?.state).toBe('ready');
  });

  it('play without notify_url hangs up after the message, with no notification', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, msg: 'Bye' });
    expect(answer.status).toBe('success_ok');
    const end = await h.sim.calls.get(s)!.ended;
    expect(end.reason).toBe('played-without-notify-url');
    await h.sim.settled();
    expect(h.engine.forSession(s).map((n) => n.fields.call_state)).toEqual(['ringing']);
  });

  it('gather: the keys pressed, up to # and max_digits', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ presses: ['42', '12#9', '98765'] }) });
    const s = await ringAndWait(h);
    const url = h.engine.notifyUrl('g');
    expect((await block(h, s, 'ivr/middle/gather', { msg: 'Code?', notify_url: url })).fields.digits).toBe('42');
    expect((await block(h, s, 'ivr/middle/gather', { notify_url: url })).fields.digits).toBe('12');
    const n = await block(h, s, 'ivr/middle/gather', { notify_url: url, max_digits: '3', tag: 'pin' });
    expect(n.fields).toMatchObject({ call_state: 'ongoing', ivr_block: 'gather', digits: '987', tag: 'pin' });
  });

  it('gather with no input after all attempts: ongoing with empty digits', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ presses: [''] }), timing: { inputTimeoutMs: 5 } });
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/middle/gather', { msg: 'Press', attempts: '3', notify_url: h.engine.notifyUrl('g') });
    expect(n.fields.call_state).toBe('ongoing');
    expect(n.fields.digits).toBe('');
    expect('digits' in n.fields).toBe(true);
    const prompt = h.sim.calls.get(s)!.transcript.find((e) => e.kind === 'prompt');
    expect(prompt).toMatchObject({ prompt: { block: 'gather', attempts: 3, maxDigits: 0, timeout: 15, msg: 'Press' } });
  });

  it('record: record_url serves audio/mpeg; a tampered link is refused', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ recordSeconds: 2 }) });
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/middle/record', { msg: 'After the tone', max_duration: '30', notify_url: h.engine.notifyUrl('r') });
    expect(n.fields).toMatchObject({ call_state: 'ongoing', ivr_block: 'record' });
    const recordUrl = n.fields.record_url ?? '';
    expect(recordUrl.startsWith(`${h.sim.url}recordings/`)).toBe(true);
    expect(recordUrl).toMatch(/\.mp3\?Expires=\d+&Signature=[0-9a-f]+$/);
    const res = await request(recordUrl);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    const bytes = Buffer.from(await res.body.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(1000);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfb]);
    const tampered = recordUrl.replace(/Signature=(.)/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
    const bad = await request(tampered);
    expect(bad.statusCode).toBe(403);
    await bad.body.dump();
    const missing = await request(`${h.sim.url}recordings/rec-999.mp3`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('record caps the recording at max_duration', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ recordSeconds: 500 }) });
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/record', { max_duration: '5', notify_url: h.engine.notifyUrl('r') });
    await api(h.sim, 'ivr/end/hangup', { session: s, notify_url: h.engine.notifyUrl('bye') });
    // 5 simulated seconds → 1 billed minute, not 9.
    expect((await h.sim.calls.get(s)!.ended).durationMinutes).toBe(1);
  });

  it('monitor: ongoing when started; record_url arrives on the final ended', async () => {
    h = await harness({ defaultCaller: scriptedCaller({ talkSeconds: 90 }) });
    const s = await ringAndWait(h);
    const started = await block(h, s, 'ivr/middle/monitor', { msg: 'This call is recorded', notify_url: h.engine.notifyUrl('m') });
    expect(started.fields).toMatchObject({ call_state: 'ongoing', ivr_block: 'monitor' });
    expect(started.fields.record_url).toBeUndefined();
    const ended = await block(h, s, 'ivr/end/transfer', { dest: '+6581234567', notify_url: h.engine.notifyUrl('x') }, 'ended');
    expect(ended.fields).toMatchObject({ ivr_block: 'transfer', transfer_status: 'answered', duration: '2' });
    expect(ended.fields.record_url).toMatch(/recordings\/rec-\d+\.mp3\?/);
    const res = await request(ended.fields.record_url ?? '');
    expect(res.headers['content-type']).toBe('audio/mpeg');
    await res.body.dump();
    expect((await h.sim.calls.get(s)!.ended).monitorRecordUrl).toBe(ended.fields.record_url);
  });

  it('a second monitor while one runs → error_monitor_in_progress', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/monitor', { notify_url: h.engine.notifyUrl('m') });
    const again = await api(h.sim, 'ivr/middle/monitor', { session: s, notify_url: h.engine.notifyUrl('m') });
    expect(again.status).toBe('error_monitor_in_progress');
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['monitor-in-progress']);
  });

  it('monitor_notify_url also gets the recording', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/monitor', {
      notify_url: h.engine.notifyUrl('m'),
      monitor_notify_url: h.engine.notifyUrl('mon'),
    });
    await block(h, s, 'ivr/end/hangup', { notify_url: h.engine.notifyUrl('bye') }, 'ended');
    const mon = await h.engine.waitFor((n) => n.query.step === 'mon');
    expect(mon.fields).toMatchObject({ call_state: 'ended', ivr_block: 'monitor' });
    expect(mon.fields.record_url).toMatch(/recordings\//);
  });

  it('monitor without any later notify_url sends the recording to the monitor notify_url', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/monitor', { notify_url: h.engine.notifyUrl('m') });
    await api(h.sim, 'ivr/end/hangup', { session: s });
    const n = await h.engine.waitFor((x) => x.fields.session === s && x.fields.call_state === 'ended');
    expect(n.query.step).toBe('m');
    expect(n.fields.record_url).toMatch(/recordings\//);
  });

  it('hold then unhold: blocks refused while held, unhold notifies', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    expect((await api(h.sim, 'ivr/middle/hold', { session: s, msg: 'Please hold' })).status).toBe('success_ok');
    expect(h.sim.calls.get(s)?.state).toBe('held');
    expect((await api(h.sim, 'ivr/middle/play', { session: s, msg: 'x' })).status).toBe('error_session_not_ready');
    const n = await block(h, s, 'ivr/middle/unhold', { tag: 'back', notify_url: h.engine.notifyUrl('u') });
    expect(n.fields).toMatchObject({ call_state: 'ongoing', ivr_block: 'unhold', tag: 'back' });
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['on-hold']);
  });
});

describe('end blocks and billing', () => {
  it('hangup: ended with date (GMT+8), duration ≥ 1, SGD, rate and debit', async () => {
    h = await harness({ ratePerMinute: 0.08, clock: () => Date.UTC(2024, 0, 31, 20, 15, 7) });
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    const n = await block(h, s, 'ivr/end/hangup', { msg: 'Bye', tag: 'end', notify_url: h.engine.notifyUrl('bye') }, 'ended');
    expect(n.fields).toMatchObject({
      call_state: 'ended',
      ivr_block: 'hangup',
      tag: 'end',
      date: '2024-02-01 04:15:07',
      duration: '1',
      currency: 'SGD',
      rate: '0.08',
      debit: '0.08',
    });
    expect(n.fields.date).toMatch(DATE);
    expect((await h.sim.calls.get(s)!.ended).reason).toBe('script-hangup');
  });

  it('hangup as the first block rejects the call: duration 0', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/end/hangup', { notify_url: h.engine.notifyUrl('rej') }, 'ended');
    expect(n.fields).toMatchObject({ duration: '0', debit: '0', ivr_block: 'hangup' });
    const end = await h.sim.calls.get(s)!.ended;
    expect(end).toMatchObject({ reason: 'rejected', answered: false, durationMinutes: 0 });
  });

  it('hangup with a msg as the first block answers, plays, then hangs up', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/end/hangup', { msg: 'We are closed', notify_url: h.engine.notifyUrl('bye') }, 'ended');
    expect(n.fields.duration).toBe('1');
    expect(await h.sim.calls.get(s)!.ended).toMatchObject({ reason: 'script-hangup', answered: true });
  });

  it('hangup without notify_url ends silently', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    await block(h, s, 'ivr/middle/play', { msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    await api(h.sim, 'ivr/end/hangup', { session: s, msg: 'Bye' });
    await h.sim.calls.get(s)!.ended;
    await h.sim.settled();
    expect(h.engine.forSession(s).map((n) => n.fields.call_state)).toEqual(['ringing', 'ongoing']);
  });
});

describe('signature and encoding', () => {
  it('X-Hoiio-Signature is hex HMAC-SHA256 of the raw body keyed by the access token', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/middle/play', { msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    const expected = createHmac('sha256', TOKEN).update(n.raw).digest('hex');
    expect(n.signature).toBe(expected);
    for (const r of h.engine.received) expect(r.signature).toBe(createHmac('sha256', TOKEN).update(r.raw).digest('hex'));
  });

  it('signNotifications: false sends no signature', async () => {
    h = await harness({ signNotifications: false });
    const s = await ringAndWait(h);
    expect(h.engine.forSession(s)[0]?.signature).toBeUndefined();
  });

  it('notificationEncoding: query puts the fields after the engine\'s own query parameters', async () => {
    h = await harness({ notificationEncoding: 'query' });
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/middle/play', { session: s, msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    const n = await h.engine.next(s, 'ongoing');
    expect(n.raw).toBe('');
    expect(n.query).toMatchObject({ step: 'p', t: 'tok123', ivr_block: 'play' });
    expect(n.signature).toBe(createHmac('sha256', TOKEN).update('').digest('hex'));
  });

  it('accepts GET with a query string, like the Python SDKs', async () => {
    h = await harness();
    const s = await ringAndWait(h);
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, msg: '你好', notify_url: h.engine.notifyUrl('p') }, { method: 'GET' });
    expect(answer.status).toBe('success_ok');
    const entry = h.sim.calls.get(s)!.transcript.find((e) => e.kind === 'block');
    expect(entry).toMatchObject({ method: 'GET', params: { msg: '你好', session: s } });
    expect(entry && 'params' in entry && 'app_id' in entry.params).toBe(false);
  });
});

describe('interactive calls', () => {
  it('waits for act() at gather; plays run on their own', async () => {
    h = await harness();
    const call = h.sim.ring({ to: HOIIO_NUMBER, caller: interactiveCaller() });
    await h.engine.next(call.session, 'ringing');
    await block(h, call.session, 'ivr/middle/play', { msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
    await api(h.sim, 'ivr/middle/gather', { session: call.session, max_digits: '2', notify_url: h.engine.notifyUrl('g') });
    await call.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'gather');
    expect(call.pending).toMatchObject({ block: 'gather', maxDigits: 2 });
    expect(call.state).toBe('busy');
    call.act({ type: 'press', digits: '77' });
    const n = await h.engine.next(call.session, 'ongoing', 1);
    expect(n.fields.digits).toBe('77');
    expect(call.pending).toBeUndefined();
  });
});
