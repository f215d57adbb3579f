/** Transfer outcomes × on_failure, rooms, and outbound Dial outcomes. */
import { afterEach, describe, expect, it } from 'vitest';
import { interactiveCaller, scriptedCaller, type DialOutcome } from '../../src/simulator/index.js';
import { api, block, harness, ringAndWait, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

describe('transfer', () => {
  const failures: DialOutcome[] = ['busy', 'unanswered', 'failed'];

  it.each(failures)('%s with on_failure=continue: ongoing with transfer_status, the call goes on', async (outcome) => {
    h = await harness({ defaultCaller: scriptedCaller({ transfers: [outcome] }) });
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/end/transfer', {
      dest: '+6581234567',
      on_failure: 'continue',
      tag: 'sales',
      notify_url: h.engine.notifyUrl('x'),
    });
    expect(n.fields).toMatchObject({ call_state: 'ongoing', ivr_block: 'transfer', transfer_status: outcome, tag: 'sales' });
    expect(h.sim.calls.get(s)?.state).toBe('ready');
    // Middle blocks are allowed again after a failed transfer with continue.
    await block(h, s, 'ivr/middle/play', { msg: 'Sorry', notify_url: h.engine.notifyUrl('p') });
    expect(h.sim.violations).toEqual([]);
  });

  it.each(failures)('%s with on_failure=hangup (default): ended with transfer_status', async (outcome) => {
    h = await harness({ defaultCaller: scriptedCaller({ transfers: [outcome] }) });
    const s = await ringAndWait(h);
    const n = await block(h, s, 'ivr/end/transfer', { dest: '+6581234567', notify_url: h.engine.notifyUrl('x') }, 'ended');
    expect(n.fields).toMatchObject({ call_state: 'ended', ivr_block: 'transfer', transfer_status: outcome, duration: '1' });
    const end = await h.sim.calls.get(s)!.ended;
    expect(end).toMatchObject({ reason: 'transfer-failed', transferStatus: outcome });
    expect((await api(h.sim, 'ivr/middle/play', { session: s, msg: 'x' })).status).toBe('error_session_ended');
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['after-end']);
  });

  it.each(['hangup', 'continue'])('answered (on_failure=%s): one ended after the bridged call', async (onFailure) => {
    h = await harness({ defaultCaller: scriptedCaller({ talkSeconds: 150 }), timing: { secondMs: 0.1 } });
    const s = await ringAndWait(h);
    const n = await block(
      h,
      s,
      'ivr/end/transfer',
      { dest: '+6581234567', on_failure: onFailure, notify_url: h.engine.notifyUrl('x') },
      'ended',
    );
    expect(n.fields).toMatchObject({ transfer_status: 'answered', duration: '3' });
    await h.sim.settled();
    const after = h.engine.forSession(s).filter((x) => x.query.step === 'x');
    expect(after).toHaveLength(1);
    expect((await h.sim.calls.get(s)!.ended).reason).toBe('transfer-answered');
  });

  it('while the transfer runs (on_failure=hangup) a middle block is after an end block', async () => {
    h = await harness({ defaultCaller: interactiveCaller() });
    const s = await ringAndWait(h);
    await api(h.sim, 'ivr/end/transfer', { session: s, dest: '+6581234567', notify_url: h.engine.notifyUrl('x') });
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, msg: 'x' });
    expect(answer.status).toBe('error_session_ended');
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['after-end-block']);
  });

  it('room: creates a room (R<n>) or joins a named one', async () => {
    h = await harness();
    const s1 = await ringAndWait(h);
    const created = await api(h.sim, 'ivr/end/transfer', { session: s1, dest: 'room:' });
    expect(created.body).toEqual({ status: 'success_ok', room: 'R1' });
    const s2 = await ringAndWait(h);
    const joined = await api(h.sim, 'ivr/end/transfer', { session: s2, dest: 'room:team.a_1' });
    expect(joined.body).toEqual({ status: 'success_ok', room: 'team.a_1' });
    const entry = h.sim.calls.get(s2)!.transcript.find((e) => e.kind === 'block');
    expect(entry).toMatchObject({ block: 'transfer', room: 'team.a_1' });
  });
});

describe('dial (outbound)', () => {
  it('answered: success with txn_ref and session first, then ongoing with dial_status and dest', async () => {
    h = await harness();
    const dialled = h.sim.nextDial();
    const answer = await api(h.sim, 'ivr/start/dial', {
      dest: '+6598765432',
      msg: 'Your order is ready',
      caller_id: '+6561234567',
      tag: 'order-1',
      notify_url: h.engine.notifyUrl('d'),
    });
    expect(answer.status).toBe('success_ok');
    expect(answer.body.session).toMatch(/^S\d+$/);
    expect(answer.body.txn_ref).toMatch(/^AA-C-\d+$/);
    const call = await dialled;
    expect(call.session).toBe(answer.body.session);
    expect(call).toMatchObject({ direction: 'outbound', from: '+6561234567', to: '+6598765432' });
    const n = await h.engine.next(call.session, 'ongoing');
    expect(n.fields).toEqual({
      call_state: 'ongoing',
      ivr_block: 'dial',
      session: call.session,
      txn_ref: call.txnRef,
      tag: 'order-1',
      from: '+6561234567',
      to: '+6598765432',
      dest: '+6598765432',
      dial_status: 'answered',
    });
    // Later notifications of a dialled call keep dest.
    const played = await block(h, call.session, 'ivr/middle/play', { msg: 'Bye', notify_url: h.engine.notifyUrl('p') });
    expect(played.fields.dest).toBe('+6598765432');
    expect(played.fields.dial_status).toBeUndefined();
  });

  it.each(['busy', 'unanswered', 'failed'] as const)('%s: ended with dial_status, duration 0', async (outcome) => {
    h = await harness({ outboundCaller: scriptedCaller({ dial: outcome }) });
    const answer = await api(h.sim, 'ivr/start/dial', { dest: '+6598765432', notify_url: h.engine.notifyUrl('d') });
    const s = answer.body.session ?? '';
    const n = await h.engine.next(s, 'ended');
    expect(n.fields).toMatchObject({ ivr_block: 'dial', dial_status: outcome, dest: '+6598765432', duration: '0', currency: 'SGD' });
    expect(await h.sim.calls.get(s)!.ended).toMatchObject({ reason: 'dial-failed', dialStatus: outcome, answered: false });
  });

  it('per-dest callees and the account number as from', async () => {
    h = await harness({
      accountNumber: '+6560001111',
      outboundCallers: { '+6511111111': scriptedCaller({ dial: 'busy' }) },
    });
    const a = await api(h.sim, 'ivr/start/dial', { dest: '+6511111111', notify_url: h.engine.notifyUrl('d') });
    const b = await api(h.sim, 'ivr/start/dial', { dest: '+6522222222', notify_url: h.engine.notifyUrl('d') });
    expect((await h.engine.next(a.body.session ?? '', 'ended')).fields.dial_status).toBe('busy');
    const nb = await h.engine.next(b.body.session ?? '', 'ongoing');
    expect(nb.fields).toMatchObject({ dial_status: 'answered', from: '+6560001111' });
  });

  it('without notify_url the call hangs up after msg, no notification', async () => {
    h = await harness();
    const answer = await api(h.sim, 'ivr/start/dial', { dest: '+6598765432', msg: 'Reminder' });
    const call = h.sim.calls.get(answer.body.session ?? '')!;
    expect((await call.ended).reason).toBe('played-without-notify-url');
    await h.sim.settled();
    expect(h.engine.received).toEqual([]);
  });

  it('max_duration ends the call by itself', async () => {
    h = await harness();
    const answer = await api(h.sim, 'ivr/start/dial', { dest: '+6598765432', max_duration: '1', notify_url: h.engine.notifyUrl('d') });
    const s = answer.body.session ?? '';
    await h.engine.next(s, 'ongoing');
    const n = await h.engine.next(s, 'ended');
    expect(n.fields).toMatchObject({ ivr_block: 'dial', duration: '1' });
    expect((await h.sim.calls.get(s)!.ended).reason).toBe('max-duration');
  });

  it('an interactive callee can decline', async () => {
    h = await harness({ outboundCaller: interactiveCaller() });
    const dialled = h.sim.nextDial();
    await api(h.sim, 'ivr/start/dial', { dest: '+6598765432', notify_url: h.engine.notifyUrl('d') });
    const call = await dialled;
    await call.waitFor((e) => e.kind === 'prompt');
    expect(call.pending).toEqual({ block: 'dial', dest: '+6598765432' });
    call.act({ type: 'hangup' });
    const n = await h.engine.next(call.session, 'ended');
    expect(n.fields.dial_status).toBe('busy');
  });

  it('refuses a Dial beyond the concurrent call limit (not a violation)', async () => {
    h = await harness({ concurrentCallLimit: 2, outboundCaller: interactiveCaller() });
    await api(h.sim, 'ivr/start/dial', { dest: '+6598765432' });
    await api(h.sim, 'ivr/start/dial', { dest: '+6598765433' });
    const third = await api(h.sim, 'ivr/start/dial', { dest: '+6598765434' });
    expect(third.status).toBe('error_concurrent_call_limit_reached');
    expect(h.sim.violations).toEqual([]);
  });
});
