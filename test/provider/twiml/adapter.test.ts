/**
 * The TwiML adapters end to end, one run per dialect (Twilio, Telnyx TeXML,
 * SignalWire): the acme example through the real runtime with signed webhooks,
 * each answer a TwiML reply; a retried webhook answered identically without
 * advancing the call; forged, missing, malformed and oversized requests refused
 * with nothing changed; the status callback ending the call and sending its
 * summary; an outbound call and a forced hangup over the REST API (a stub on
 * loopback standing in for the provider's).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attribute, elements, text, type XmlNode } from './xml-oracle.js';
import { PUBLIC_URL, TELNYX_ACCOUNT, startHarness, type Answer, type Dialect, type Harness } from './harness.js';

const ACME = readFileSync('examples/acme.yaml', 'utf8');
const REMINDER = readFileSync('examples/reminder.yaml', 'utf8');
const SUMMARISED = `numbers: ["+6560000002"]
events_url: "{{EVENTS_URL}}"
steps:
  hello:
    hangup: "Hello and goodbye."
`;

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

const TWICE = `numbers: ["+6560000004"]
steps:
  first:
    monitor: "Recorded once."
    next: second
  second:
    monitor: "Recorded again."
    next: bye
  bye:
    hangup: "Goodbye."
`;

const said = (a: Answer): string => elements(a.twiml ?? { name: 'Response', attributes: [], children: [] }, 'Say').map((s) => text(s)).join(' | ');
const verbs = (a: Answer): string[] => (a.twiml?.children ?? []).map((c) => (typeof c === 'string' ? '#text' : c.name));
const redirect = (a: Answer): string => text(a.twiml === undefined ? undefined : elements(a.twiml, 'Redirect').at(-1));
const action = (a: Answer, verb: string, index = 0): string => attribute(a.twiml === undefined ? undefined : elements(a.twiml, verb)[index], 'action') ?? '';
const first = (node: XmlNode | undefined, name: string): XmlNode | undefined => (node === undefined ? undefined : elements(node, name)[0]);
const callId = (url: string): string => /\/step\/([^/]+)\//.exec(url)?.[1] ?? '';

describe.each<Dialect>(['twilio', 'telnyx', 'signalwire'])('%s', (dialect) => {
  let h: Harness;
  const caller = (sid: string, extra: Record<string, string> = {}): Record<string, string> => ({
    CallSid: sid,
    AccountSid: dialect === 'telnyx' ? TELNYX_ACCOUNT : 'AC0123456789abcdef0123456789abcdef',
    From: '+6591234567',
    To: '+6560000001',
    CallStatus: 'in-progress',
    Direction: 'inbound',
    ...extra,
  });
  const voice = `${PUBLIC_URL}/${dialect}/voice`;
  const status = `${PUBLIC_URL}/${dialect}/status`;

  beforeAll(async () => {
    h = await startHarness(dialect, { 'acme.yaml': ACME, 'reminder.yaml': REMINDER, 'summarised.yaml': SUMMARISED, 'edges.yaml': EDGES, 'twice.yaml': TWICE }, { replyWaitMs: 150 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs acme: ring → monitor → menu (an empty attempt asks again) → press 1 → transfer busy → voicemail → goodbye; retries get the same reply and advance nothing', async () => {
    const sid = `${dialect}-call-1`;
    const ring = await h.post(voice, caller(sid, { CallStatus: 'ringing' }));
    expect(ring.status).toBe(200);
    expect(ring.contentType).toMatch(/^text\/xml/);
    expect(said(ring)).toBe('Welcome to Acme. This call may be recorded for quality purposes.');
    expect(verbs(ring)).toEqual(['Say', 'Redirect']);
    // monitor: the provider's call recording, started over REST once.
    const recordings = h.rest.filter((r) => r.path.includes(`/Calls/${encodeURIComponent(sid)}/Recordings.json`));
    expect(recordings).toHaveLength(1);
    if (dialect === 'telnyx') expect(recordings[0]?.path).toContain(`/texml/Accounts/${TELNYX_ACCOUNT}/`);
    const retriedRing = await h.post(voice, caller(sid, { CallStatus: 'ringing' }));
    expect(retriedRing.body).toBe(ring.body);
    expect(h.rest.filter((r) => r.path.includes('/Recordings.json'))).toHaveLength(1);

    const menu = await h.post(redirect(ring), caller(sid));
    expect(said(menu)).toMatch(/^For sales press 1\./);
    const gathers = elements(menu.twiml as XmlNode, 'Gather');
    // acme's menu has 2 attempts: emulated by the adapter.
    expect(gathers).toHaveLength(dialect === 'telnyx' ? 2 : 1);
    expect(attribute(gathers[0], 'numDigits')).toBe('1');
    expect(attribute(gathers[0], 'timeout')).toBe('10');
    expect(redirect(menu)).toMatch(/&k=none$/);
    expect((await h.post(redirect(ring), caller(sid))).body).toBe(menu.body);

    // The first attempt passes with no key (Twilio and SignalWire report it; Telnyx would fall through): asked again, and
    // nothing is applied, so the call's state and transcript are those of a provider that repeats the prompt itself (Hoiio).
    const beforeEmpty = await h.server.store.get(callId(redirect(ring)));
    const again = await h.post(action(menu, 'Gather'), caller(sid, { Digits: '' }));
    expect(await h.server.store.get(callId(redirect(ring)))).toEqual(beforeEmpty);
    expect(text(first(first(again.twiml, 'Gather'), 'Say'))).toBe(text(first(gathers[0], 'Say')));
    expect(elements(again.twiml as XmlNode, 'Gather').map((g) => attribute(g, 'action')?.replace(/^.*&a=/, ''))).toEqual(['2']);
    const id = callId(redirect(ring));
    expect((await h.server.store.get(id))?.step).toBe('menu');

    const sales = await h.post(action(again, 'Gather'), caller(sid, { Digits: '1' }));
    expect(said(sales)).toBe('Connecting you to our sales team.');
    const dial = first(sales.twiml, 'Dial');
    expect(attribute(dial, 'callerId')).toBe('+6591234567');
    expect(text(first(dial, 'Number'))).toBe('+6562223333');
    // The key press retried (the provider lost our answer): the same transfer, not a second press.
    expect((await h.post(action(again, 'Gather'), caller(sid, { Digits: '1' }))).body).toBe(sales.body);

    const voicemail = await h.post(action(sales, 'Dial'), caller(sid, { DialCallStatus: 'busy', DialCallSid: 'CA-leg' }));
    expect(said(voicemail)).toMatch(/^Sorry, no one is available/);
    const record = first(voicemail.twiml, 'Record');
    expect(attribute(record, 'maxLength')).toBe('120');
    expect(attribute(record, 'playBeep')).toBe('true');

    const thanks = await h.post(action(voicemail, 'Record'), caller(sid, { RecordingUrl: 'https://rec.example/RE1', RecordingDuration: '7', Digits: '#' }));
    expect(said(thanks)).toBe('Thank you for calling Acme. Goodbye.');
    expect(verbs(thanks)).toEqual(['Say', 'Hangup']);
    expect((await h.post(action(voicemail, 'Record'), caller(sid, { RecordingUrl: 'https://rec.example/RE1' }))).body).toBe(thanks.body);

    const over = await h.post(status, caller(sid, { CallStatus: 'completed', CallDuration: '42' }));
    expect(over.status).toBe(200);
    const state = await h.server.store.get(id);
    expect(state).toMatchObject({ status: 'ended', outcome: 'completed', vars: { voicemail_url: 'https://rec.example/RE1' } });
    expect(state?.path).toEqual(['welcome', 'menu', 'sales', 'voicemail', 'thanks']);
    // A late webhook for the call gets a polite hangup and changes nothing.
    const late = await h.post(redirect(ring), caller(sid));
    expect(verbs(late)).toEqual(['Hangup']);
    expect(await h.server.store.get(id)).toEqual(state);
  });

  it('no input after every attempt goes to no_input; a connected transfer ends the call as transferred', async () => {
    const ring = await h.post(voice, caller(`${dialect}-call-2`, { CallStatus: 'ringing' }));
    const menu = await h.post(redirect(ring), caller(`${dialect}-call-2`));
    const goodbye = await h.post(redirect(menu), caller(`${dialect}-call-2`));
    expect(said(goodbye)).toBe('We did not receive your choice. Thank you for calling Acme. Goodbye.');

    const sid = `${dialect}-call-3`;
    const ring3 = await h.post(voice, caller(sid, { CallStatus: 'ringing' }));
    const menu3 = await h.post(redirect(ring3), caller(sid));
    const support = await h.post(action(menu3, 'Gather'), caller(sid, { Digits: '2#' }));
    expect(said(support)).toBe('Connecting you to support.');
    const done = await h.post(action(support, 'Dial'), caller(sid, { DialCallStatus: 'completed', DialCallDuration: '30' }));
    expect(verbs(done)).toEqual(['Hangup']);
    expect(await h.server.store.get(callId(redirect(ring3)))).toMatchObject({ status: 'ended', outcome: 'transferred' });
  });

  it('holds the caller while an http step is out (a pause and a redirect to the same block), then goes on; a failed transfer without on_failure ends the call', async () => {
    const sid = `${dialect}-call-7`;
    const ring = await h.post(voice, caller(sid, { To: '+6560000003', CallStatus: 'ringing' }));
    expect(verbs(ring)).toEqual(['Pause', 'Redirect']);
    expect(redirect(ring)).toMatch(/\/step\/[^/]+\/0\?t=[^&]+&k=hold$/);
    let answer = ring;
    for (let i = 0; i < 20 && verbs(answer)[0] === 'Pause'; i++) answer = await h.post(redirect(answer), caller(sid, { To: '+6560000003' }));
    expect(said(answer)).toBe('Hello Ann.');
    const transfer = await h.post(redirect(answer), caller(sid, { To: '+6560000003' }));
    expect(action(transfer, 'Dial')).toMatch(/&k=dial-end$/);
    const over = await h.post(action(transfer, 'Dial'), caller(sid, { To: '+6560000003', DialCallStatus: 'no-answer' }));
    expect(verbs(over)).toEqual(['Hangup']);
    expect(await h.server.store.get(callId(redirect(ring)))).toMatchObject({ status: 'ended', outcome: 'transfer-failed', transferStatus: 'unanswered' });
  });

  it('refuses forged and unsigned webhooks with 403 and changes nothing, counting them; malformed 400, oversized 413, unknown calls a polite hangup', async () => {
    const sid = `${dialect}-call-4`;
    const ring = await h.post(voice, caller(sid, { CallStatus: 'ringing' }));
    const id = callId(redirect(ring));
    const before = await h.server.store.get(id);
    const forged = await h.post(redirect(ring), caller(sid), 'forged');
    expect(forged.status).toBe(403);
    expect((await h.post(redirect(ring), caller(sid), 'none')).status).toBe(403);
    expect((await h.post(voice, caller(`${dialect}-forged`, { CallStatus: 'ringing' }), 'forged')).status).toBe(403);
    expect((await h.post(status, caller(sid, { CallStatus: 'completed' }), 'forged')).status).toBe(403);
    expect(await h.server.store.get(id)).toEqual(before);
    const metrics = await h.server.metrics.registry.getSingleMetricAsString('callscript_notifications_refused_total');
    expect(metrics).toMatch(/reason="signature-invalid"} 3/);
    expect(metrics).toMatch(/reason="signature-missing"} 1/);

    // A token that is not the call's: the signature is valid (the URL is what it is), the token is not.
    const foreign = redirect(ring).replace(/t=[^&]+/, 't=forged-token');
    expect((await h.post(foreign, caller(sid))).status).toBe(403);
    expect((await h.post(voice, {}, 'valid', { body: 'CallSid=%E0%A4%A&To=1' })).status).toBe(400);
    expect((await h.post(voice, {}, 'valid', { body: `CallSid=x&To=%2B6560000001&Pad=${'x'.repeat(5000)}` })).status).toBe(413);
    expect((await h.post(voice, { From: '+6591234567', To: '+6560000001' })).status).toBe(400);
    const unknown = await h.post(`${PUBLIC_URL}/${dialect}/step/cNoSuchCall/3?t=abc&k=next`, caller('nobody'));
    expect(unknown.status).toBe(200);
    expect(verbs(unknown)).toEqual(['Hangup']);
    const unknownNumber = await h.post(voice, caller(`${dialect}-call-5`, { To: '+6569999999', CallStatus: 'ringing' }));
    expect(said(unknownNumber)).toBe('Sorry, this number is not in service. Goodbye.');
    expect(await h.server.store.get(id)).toEqual(before);
  });

  it('the status callback ends a call in progress and sends its summary to events_url', async () => {
    const sid = `${dialect}-call-6`;
    const ring = await h.post(voice, caller(sid, { To: '+6560000002', CallStatus: 'ringing' }));
    expect(said(ring)).toBe('Hello and goodbye.');
    await h.post(status, caller(sid, { To: '+6560000002', CallStatus: 'completed' }));
    expect(await h.server.store.get((await h.server.store.findBySession(sid)) ?? '')).toMatchObject({ status: 'ended', outcome: 'completed' });
    for (let i = 0; i < 100 && h.events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.events.at(-1)).toMatchObject({ script: 'summarised' });
    // The ringing webhook retried after the end starts nothing: the ended call keeps its session.
    const ended = await h.server.store.findBySession(sid);
    const calls = (await h.server.store.active()).length;
    expect(verbs(await h.post(voice, caller(sid, { To: '+6560000002', CallStatus: 'ringing' })))).toEqual(['Hangup']);
    expect(await h.server.store.findBySession(sid)).toBe(ended);
    expect((await h.server.store.active()).length).toBe(calls);
  });

  it('starts one recording per monitor block, whatever the retries, and forgets the call at its final status', async () => {
    const sid = `${dialect}-call-twice`;
    const recordings = (): number => h.rest.filter((r) => r.path.includes(`/Calls/${encodeURIComponent(sid)}/Recordings.json`)).length;
    const ring = await h.post(voice, caller(sid, { To: '+6560000004', CallStatus: 'ringing' }));
    expect(said(ring)).toBe('Recorded once.');
    expect(recordings()).toBe(1);
    const again = await h.post(redirect(ring), caller(sid, { To: '+6560000004' }));
    expect(said(again)).toBe('Recorded again.');
    expect(recordings()).toBe(2);
    // Retries of both webhooks start nothing more (a ringing webhook retried now gets the call's current block).
    expect((await h.post(redirect(ring), caller(sid, { To: '+6560000004' }))).body).toBe(again.body);
    expect((await h.post(voice, caller(sid, { To: '+6560000004', CallStatus: 'ringing' }))).body).toBe(again.body);
    expect(recordings()).toBe(2);
    const bye = await h.post(redirect(again), caller(sid, { To: '+6560000004' }));
    expect(verbs(bye)).toEqual(['Say', 'Hangup']);
    await h.post(status, caller(sid, { To: '+6560000004', CallStatus: 'completed' }));
    // A webhook after the end gets a hangup, and no recording.
    expect(verbs(await h.post(redirect(ring), caller(sid, { To: '+6560000004' })))).toEqual(['Hangup']);
    expect(recordings()).toBe(2);
  });

  it('a status callback for a call it does not know makes its ringing webhook, arriving late, start nothing', async () => {
    const sid = `${dialect}-call-6b`;
    const calls = (await h.server.store.active()).length;
    expect((await h.post(status, caller(sid, { To: '+6560000002', CallStatus: 'no-answer' }))).status).toBe(200);
    expect(verbs(await h.post(voice, caller(sid, { To: '+6560000002', CallStatus: 'ringing' })))).toEqual(['Hangup']);
    expect(await h.server.store.findBySession(sid)).toBeUndefined();
    expect((await h.server.store.active()).length).toBe(calls);
  });

  it('places an outbound call over REST, runs the script when the callee answers, and forces a hangup', async () => {
    const auth = { authorization: 'Bearer api-token', 'content-type': 'application/json' };
    const placed = await h.server.app.request('/calls', { method: 'POST', headers: auth, body: JSON.stringify({ script: 'reminder', to: '+6598765432', from: '+6560000001', vars: { name: 'Bob' } }) });
    expect(placed.status).toBeLessThan(300);
    const call = (await placed.json()) as { session?: string };
    const create = h.rest.find((r) => /\/Calls(\.json)?$/.test(r.path));
    expect(create?.fields).toMatchObject({ To: '+6598765432', From: '+6560000001', StatusCallback: `${PUBLIC_URL}/${dialect}/status`, Timeout: '60' });
    expect(create?.fields.Url).toMatch(new RegExp(`^${PUBLIC_URL}/${dialect}/step/[^/]+/1\\?t=`));
    expect(create?.authorization).toMatch(dialect === 'telnyx' ? /^Bearer KEY-telnyx$/ : /^Basic /);
    expect(create?.contentType).toMatch(dialect === 'telnyx' ? /^application\/json/ : /^application\/x-www-form-urlencoded/);
    expect(call.session).toBe(dialect === 'telnyx' ? 'v3:OUT-1' : 'CAOUT1');
    const session = call.session ?? '';

    const answered = await h.post(create?.fields.Url ?? '', { CallSid: session, From: '+6560000001', To: '+6598765432', CallStatus: 'in-progress', Direction: 'outbound-api' });
    expect(said(answered)).toBe('Hello Bob, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.');

    const hung = await h.server.app.request(`/calls/${encodeURIComponent(session)}/hangup`, { method: 'POST', headers: auth });
    expect(hung.status).toBe(202);
    const update = h.rest.at(-1);
    expect(update?.path).toMatch(new RegExp(`/Calls/${encodeURIComponent(session).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.json)?$`));
    expect(update?.fields).toEqual({ Status: 'completed' });

    // An outbound call nobody answers: the status callback ends it as not answered.
    const again = await h.server.app.request('/calls', { method: 'POST', headers: auth, body: JSON.stringify({ script: 'reminder', to: '+6598765433', from: '+6560000001' }) });
    const second = (await again.json()) as { session?: string; id?: string };
    await h.post(status, { CallSid: second.session ?? '', CallStatus: 'no-answer', From: '+6560000001', To: '+6598765433' });
    const id = await h.server.store.findBySession(second.session ?? '');
    expect(await h.server.store.get(id ?? '')).toMatchObject({ status: 'ended', outcome: 'not-answered' });
  });
});
