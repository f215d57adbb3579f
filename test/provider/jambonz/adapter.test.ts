/**
 * The jambonz adapter end to end: a menu like acme's through the real runtime
 * with signed JSON hooks, each answer a verb array that
 * @jambonz/verb-specifications accepts; a retried hook answered identically
 * without advancing the call; forged, unsigned, stale, malformed and oversized
 * requests refused with nothing changed; the status hook ending the call; an
 * outbound call and a forced hangup over the REST API (a stub on loopback).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, PUBLIC_URL, startHarness, type AnyVerb, type Answer, type Harness } from './harness.js';

/** acme as jambonz can run it: no monitor (jambonz offers none callscript can drive). */
const ACME = readFileSync('examples/acme.yaml', 'utf8').replace('monitor: "Welcome', 'play: "Welcome');
const REMINDER = readFileSync('examples/reminder.yaml', 'utf8');
const EDGES = `numbers: ["+6560000003"]
vars: { name: "" }
steps:
  lookup:
    http: { url: "{{API_URL}}/slow", timeout: 3, save: { name: name } }
    next: hello
  hello:
    play: "Hello {{name}}."
    next: away
  away:
    transfer: { to: "+6562229999", message: "Transferring you." }
`;

const verbNames = (a: Answer): string[] => (a.verbs ?? []).map((v) => v.verb);
const find = (a: Answer, verb: string): AnyVerb | undefined => a.verbs?.find((v) => v.verb === verb);
const hookOf = (v: AnyVerb | undefined): string => ((v?.actionHook as { url?: string } | undefined)?.url ?? '');
const redirect = (a: Answer): string => hookOf(find(a, 'redirect'));
const gatherHook = (a: Answer): string => hookOf(find(a, 'gather'));
const dialHook = (a: Answer): string => hookOf(find(a, 'dial'));
/** Everything the caller hears, nested prompts included. */
const said = (a: Answer): string =>
  (a.verbs ?? [])
    .flatMap((v) => (v.verb === 'say' ? [v.text] : v.verb === 'gather' && v.say !== undefined ? [(v.say as { text: string }).text] : []))
    .join(' | ');
const callId = (url: string): string => /\/step\/([^/]+)\//.exec(url)?.[1] ?? '';

const caller = (sid: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  call_sid: sid,
  account_sid: ACCOUNT_SID,
  application_sid: 'app-1',
  direction: 'inbound',
  from: '+6591234567',
  to: '+6560000001',
  call_id: `${sid}@sip.example`,
  call_status: 'in-progress',
  sip_status: 200,
  ...extra,
});
const VOICE = `${PUBLIC_URL}/jambonz/voice`;
const STATUS = `${PUBLIC_URL}/jambonz/status`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ 'acme.yaml': ACME, 'reminder.yaml': REMINDER, 'edges.yaml': EDGES }, { replyWaitMs: 150 });
});
afterAll(async () => {
  await h?.close();
});

describe('jambonz', () => {
  it('runs acme: ring → welcome → menu (an empty attempt asks again) → press 1 → dial busy → voicemail (listen) → goodbye; retries get the same answer and advance nothing', async () => {
    const sid = 'jz-call-1';
    const ring = await h.post(VOICE, caller(sid, { call_status: 'trying', sip: { headers: {} } }));
    expect(ring.status).toBe(200);
    expect(ring.contentType).toMatch(/^application\/json/);
    expect(said(ring)).toBe('Welcome to Acme. This call may be recorded for quality purposes.');
    expect(verbNames(ring)).toEqual(['say', 'redirect']);
    expect(redirect(ring)).toMatch(/^https:\/\/ivr\.example\.com\/jambonz\/step\/[^/]+\/1\?t=[^&]+&k=next$/);
    expect((await h.post(VOICE, caller(sid, { call_status: 'trying' }))).body).toBe(ring.body);

    const menu = await h.post(redirect(ring), caller(sid));
    expect(verbNames(menu)).toEqual(['gather']);
    expect(find(menu, 'gather')).toMatchObject({ input: ['digits'], numDigits: 1, timeout: 10, finishOnKey: '#' });
    expect(said(menu)).toMatch(/^For sales press 1\./);
    expect(gatherHook(menu)).toMatch(/&k=gather&a=1$/);
    expect((await h.post(redirect(ring), caller(sid))).body).toBe(menu.body);

    // The first attempt times out (jambonz calls the actionHook anyway): asked again, and nothing is applied, so the
    // call's state and transcript are those of a provider that repeats the prompt itself (Hoiio).
    const id = callId(redirect(ring));
    const beforeEmpty = await h.server.store.get(id);
    const again = await h.post(gatherHook(menu), caller(sid, { reason: 'timeout' }));
    expect(await h.server.store.get(id)).toEqual(beforeEmpty);
    expect(said(again)).toBe(said(menu));
    expect(gatherHook(again)).toMatch(/&k=gather&a=2$/);
    expect((await h.post(gatherHook(menu), caller(sid, { reason: 'timeout' }))).body).toBe(again.body);

    const sales = await h.post(gatherHook(again), caller(sid, { reason: 'dtmfDetected', digits: '1' }));
    expect(said(sales)).toBe('Connecting you to our sales team.');
    expect(find(sales, 'dial')).toMatchObject({ target: [{ type: 'phone', number: '+6562223333' }], callerId: '+6591234567', timeout: 30 });
    expect(dialHook(sales)).toMatch(/&k=dial$/);
    // The key press retried (jambonz lost our answer): the same transfer, not a second press.
    expect((await h.post(gatherHook(again), caller(sid, { reason: 'dtmfDetected', digits: '1' }))).body).toBe(sales.body);

    const voicemail = await h.post(dialHook(sales), caller(sid, { dial_call_status: 'busy', dial_sip_status: 486, dial_call_sid: 'leg-1' }));
    expect(said(voicemail)).toMatch(/^Sorry, no one is available/);
    expect(verbNames(voicemail)).toEqual(['say', 'listen']);
    const listen = find(voicemail, 'listen');
    expect(listen).toMatchObject({ maxLength: 120, finishOnKey: '#', playBeep: true, mixType: 'mono', sampleRate: 8000 });
    expect(listen?.url).toMatch(/^wss:\/\/ivr\.example\.com\/jambonz\/listen\/[^/]+\/4\?t=[^&]+$/);
    // No audio reached us (here no stream was opened): the recording has no URL, and the script goes on.
    const thanks = await h.post(hookOf(listen), caller(sid, { digits: '#' }));
    expect(said(thanks)).toBe('Thank you for calling Acme. Goodbye.');
    expect(verbNames(thanks)).toEqual(['say', 'hangup']);
    expect((await h.post(hookOf(listen), caller(sid))).body).toBe(thanks.body);

    const over = await h.post(STATUS, caller(sid, { call_status: 'completed', call_termination_by: 'jambonz', duration: 42 }));
    expect(over.status).toBe(200);
    expect(over.verbs).toEqual([]);
    const state = await h.server.store.get(id);
    expect(state).toMatchObject({ status: 'ended', outcome: 'completed' });
    expect(state?.path).toEqual(['welcome', 'menu', 'sales', 'voicemail', 'thanks']);
    // A late hook for the call is answered with a hangup and changes nothing.
    const late = await h.post(redirect(ring), caller(sid));
    expect(late.verbs).toEqual([{ verb: 'hangup' }]);
    expect(await h.server.store.get(id)).toEqual(state);
  });

  it('no input after every attempt goes to no_input; a lone # is no input; a connected transfer ends the call as transferred', async () => {
    const ring = await h.post(VOICE, caller('jz-call-2', { call_status: 'trying' }));
    const menu = await h.post(redirect(ring), caller('jz-call-2'));
    const second = await h.post(gatherHook(menu), caller('jz-call-2', { reason: 'dtmfDetected', digits: '' }));
    const goodbye = await h.post(gatherHook(second), caller('jz-call-2', { reason: 'timeout' }));
    expect(said(goodbye)).toBe('We did not receive your choice. Thank you for calling Acme. Goodbye.');
    expect(verbNames(goodbye)).toEqual(['say', 'hangup']);

    const sid = 'jz-call-3';
    const ring3 = await h.post(VOICE, caller(sid, { call_status: 'trying' }));
    const menu3 = await h.post(redirect(ring3), caller(sid));
    const support = await h.post(gatherHook(menu3), caller(sid, { reason: 'dtmfDetected', digits: '2' }));
    expect(said(support)).toBe('Connecting you to support.');
    expect(find(support, 'dial')).not.toHaveProperty('callerId');
    const done = await h.post(dialHook(support), caller(sid, { dial_call_status: 'completed', duration: 30 }));
    expect(done.verbs).toEqual([{ verb: 'hangup' }]);
    expect(await h.server.store.get(callId(redirect(ring3)))).toMatchObject({ status: 'ended', outcome: 'transferred' });
  });

  it('holds the caller while an http step is out (a pause and a redirect to the same block), then goes on; a failed transfer without on_failure ends the call', async () => {
    const sid = 'jz-call-7';
    const ring = await h.post(VOICE, caller(sid, { to: '+6560000003', call_status: 'trying' }));
    expect(verbNames(ring)).toEqual(['pause', 'redirect']);
    expect(redirect(ring)).toMatch(/\/step\/[^/]+\/0\?t=[^&]+&k=hold$/);
    let answer = ring;
    for (let i = 0; i < 20 && verbNames(answer)[0] === 'pause'; i++) answer = await h.post(redirect(answer), caller(sid, { to: '+6560000003' }));
    expect(said(answer)).toBe('Hello Ann.');
    const transfer = await h.post(redirect(answer), caller(sid, { to: '+6560000003' }));
    expect(dialHook(transfer)).toMatch(/&k=dial-end$/);
    const over = await h.post(dialHook(transfer), caller(sid, { to: '+6560000003', dial_call_status: 'no-answer' }));
    expect(over.verbs).toEqual([{ verb: 'hangup' }]);
    expect(await h.server.store.get(callId(redirect(ring)))).toMatchObject({ status: 'ended', outcome: 'transfer-failed', transferStatus: 'unanswered' });
  });

  it('refuses forged, unsigned and stale hooks with 403 and changes nothing, counting them; malformed 400, not JSON 415, oversized 413; unknown calls and numbers a hangup', async () => {
    const sid = 'jz-call-4';
    const ring = await h.post(VOICE, caller(sid, { call_status: 'trying' }));
    const id = callId(redirect(ring));
    const before = await h.server.store.get(id);
    expect((await h.post(redirect(ring), caller(sid), 'forged')).status).toBe(403);
    expect((await h.post(redirect(ring), caller(sid), 'stale')).status).toBe(403);
    expect((await h.post(redirect(ring), caller(sid), 'none')).status).toBe(403);
    expect((await h.post(VOICE, caller('jz-forged', { call_status: 'trying' }), 'forged')).status).toBe(403);
    expect((await h.post(STATUS, caller(sid, { call_status: 'completed' }), 'forged')).status).toBe(403);
    // A body changed after signing is a forgery too.
    const signed = JSON.stringify(caller(sid));
    expect((await h.post(redirect(ring), {}, 'valid', { body: signed, headers: { 'jambonz-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}` } })).status).toBe(403);
    expect(await h.server.store.get(id)).toEqual(before);
    expect(await h.server.store.findBySession('jz-forged')).toBeUndefined();
    const metrics = await h.server.metrics.registry.getSingleMetricAsString('callscript_notifications_refused_total');
    expect(metrics).toMatch(/reason="signature-invalid"} 5/);
    expect(metrics).toMatch(/reason="signature-missing"} 1/);

    // A token that is not the call's: the signature is valid, the token is not.
    expect((await h.post(redirect(ring).replace(/t=[^&]+/, 't=forged-token'), caller(sid))).status).toBe(403);
    // Another call's call_sid on this call's URL.
    expect((await h.post(redirect(ring), caller('jz-someone-else'))).status).toBe(403);
    expect((await h.post(VOICE, {}, 'valid', { body: '{"call_sid":"x",' })).status).toBe(400);
    expect((await h.post(VOICE, {}, 'valid', { body: '["call_sid"]' })).status).toBe(400);
    expect((await h.post(VOICE, { from: '+6591234567', to: '+6560000001' })).status).toBe(400);
    expect((await h.post(VOICE, caller('jz-x'), 'valid', { headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await h.post(VOICE, caller('jz-big', { sip: { body: 'x'.repeat(9000) } }))).status).toBe(413);
    expect((await h.post(`${PUBLIC_URL}/jambonz/step/c1/x?t=abc`, caller(sid))).status).toBe(400);
    expect((await h.post(`${PUBLIC_URL}/jambonz/step/c1/1?t=abc&k=nonsense`, caller(sid))).status).toBe(400);
    const unknown = await h.post(`${PUBLIC_URL}/jambonz/step/cNoSuchCall/3?t=abc&k=next`, caller('nobody'));
    expect(unknown.status).toBe(200);
    expect(unknown.verbs).toEqual([{ verb: 'hangup' }]);
    const unknownNumber = await h.post(VOICE, caller('jz-call-5', { to: '+6569999999', call_status: 'trying' }));
    expect(unknownNumber.verbs).toEqual([{ verb: 'say', text: 'Sorry, this number is not in service. Goodbye.' }, { verb: 'hangup' }]);
    expect(await h.server.store.get(id)).toEqual(before);
    // A goodbye cannot be said over jambonz's REST API: refusing the number sent nothing there.
    expect(h.rest.filter((r) => r.path.includes('jz-call-5'))).toEqual([]);
  });

  it('the status hook ends a call in progress; a ringing hook retried after the end starts nothing', async () => {
    const sid = 'jz-call-6';
    const ring = await h.post(VOICE, caller(sid, { call_status: 'trying' }));
    await h.post(redirect(ring), caller(sid));
    expect((await h.post(STATUS, caller(sid, { call_status: 'ringing' }))).verbs).toEqual([]);
    expect(await h.server.store.get(callId(redirect(ring)))).toMatchObject({ status: 'active' });
    await h.post(STATUS, caller(sid, { call_status: 'completed', call_termination_by: 'caller' }));
    expect(await h.server.store.get(callId(redirect(ring)))).toMatchObject({ status: 'ended', outcome: 'caller-hangup' });
    expect((await h.post(VOICE, caller(sid, { call_status: 'trying' }))).verbs).toEqual([{ verb: 'hangup' }]);
  });

  it('places an outbound call over REST, runs the script when the callee answers, and forces a hangup; one nobody answers ends as not answered', async () => {
    const auth = { authorization: 'Bearer api-token', 'content-type': 'application/json' };
    const placed = await h.server.app.request('/calls', { method: 'POST', headers: auth, body: JSON.stringify({ script: 'reminder', to: '+6598765432', from: '+6560000001', vars: { name: 'Bob' } }) });
    expect(placed.status).toBeLessThan(300);
    const call = (await placed.json()) as { session?: string };
    const create = h.rest.find((r) => r.method === 'POST' && r.path === `/v1/Accounts/${ACCOUNT_SID}/Calls`);
    expect(create?.authorization).toBe('Bearer api-key-1');
    expect(create?.contentType).toMatch(/^application\/json/);
    expect(create?.body).toMatchObject({
      from: '+6560000001',
      to: { type: 'phone', number: '+6598765432' },
      call_hook: { url: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/jambonz/step/[^/]+/1\\?t=[^&]+$`)), method: 'POST' },
      call_status_hook: { url: STATUS, method: 'POST' },
      timeout: 60,
    });
    expect(call.session).toBe('out-1');
    const callHook = (create?.body.call_hook as { url: string }).url;

    const answered = await h.post(callHook, { call_sid: 'out-1', direction: 'outbound', from: '+6560000001', to: '+6598765432', call_status: 'in-progress', account_sid: ACCOUNT_SID });
    expect(said(answered)).toBe('Hello Bob, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.');

    const hung = await h.server.app.request('/calls/out-1/hangup', { method: 'POST', headers: auth });
    expect(hung.status).toBe(202);
    expect(h.rest.at(-1)).toMatchObject({ method: 'PUT', path: `/v1/Accounts/${ACCOUNT_SID}/Calls/out-1`, body: { call_status: 'completed' } });

    const again = await h.server.app.request('/calls', { method: 'POST', headers: auth, body: JSON.stringify({ script: 'reminder', to: '+6598765433', from: '+6560000001' }) });
    const second = (await again.json()) as { session?: string };
    await h.post(STATUS, { call_sid: second.session ?? '', direction: 'outbound', call_status: 'no-answer', from: '+6560000001', to: '+6598765433' });
    const id = await h.server.store.findBySession(second.session ?? '');
    expect(await h.server.store.get(id ?? '')).toMatchObject({ status: 'ended', outcome: 'not-answered' });
  });
});
