/**
 * The TwiML providers' simulator on the shared phone network, against small
 * hand-written voice apps on loopback (what a team would write without
 * callscript): it signs as each provider signs (checked with the providers'
 * own packages), runs the verbs as ../shared/providers.md says (no-input fall
 * through, actionOnEmptyResult where honoured, DialCallStatus, recordings it
 * serves itself, the status callback, the webhook timeout), takes the REST
 * calls for outbound calls, forced hangups and recordings, and reports it all
 * through the Simulator interface (SimEntry transcripts, pending decisions).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestClient } from '@signalwire/compatibility-api';
import twilio from 'twilio';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { interactiveCaller, scriptedCaller } from '../../src/simulator/index.js';
import { restAuthorization, startTwimlSimulator, telnyxPublicKeyText, type TwimlSimulator } from '../../src/simulator/twiml/index.js';
import type { BlockEntry, HeardPart, NotificationEntry, SimEntry } from '../../src/simulator/types.js';

interface Hit {
  readonly path: string;
  readonly fields: Record<string, string>;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A voice app: answers each POST by path with TwiML (or never, for `hang`). */
async function voiceApp(answer: (hit: Hit, base: string) => string | 'hang'): Promise<{ url: string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const hit = { path: req.url ?? '', fields: Object.fromEntries(new URLSearchParams(body)), headers: req.headers, body };
      hits.push(hit);
      const reply = answer(hit, base);
      if (reply === 'hang') return;
      res.writeHead(200, { 'content-type': 'text/xml' }).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const doc = (verbs: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`;
const blocks = (entries: readonly SimEntry[]): BlockEntry[] => entries.filter((e): e is BlockEntry => e.kind === 'block');

const open: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setUp(provider: 'twilio' | 'telnyx' | 'signalwire', answer: (hit: Hit, base: string) => string | 'hang', extra: Partial<Parameters<typeof startTwimlSimulator>[0]> = {}) {
  const app = await voiceApp(answer);
  const sim = await startTwimlSimulator({ provider, voiceUrl: `${app.url}/voice`, statusUrl: `${app.url}/status`, ...extra });
  open.push(sim, app);
  return { app, sim };
}

describe('webhooks are signed as each provider signs', () => {
  it.each(['twilio', 'signalwire', 'telnyx'] as const)('%s: the provider\'s own package accepts the signature of every request', async (provider) => {
    const { app, sim } = await setUp(provider, (hit, base) => (hit.path === '/voice' ? doc(`<Say>Hi</Say><Redirect>${base}/next?a=1&amp;b=2</Redirect>`) : doc('<Hangup/>')));
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller() });
    await call.ended;
    await sim.settled();
    expect(app.hits.map((h) => h.path)).toEqual(['/voice', '/next?a=1&b=2', '/status']);
    const c = sim.credentials;
    for (const hit of app.hits) {
      const url = `${app.url}${hit.path}`;
      if (c.provider === 'twilio') expect(twilio.validateRequest(c.authToken, String(hit.headers['x-twilio-signature']), url, hit.fields)).toBe(true);
      if (c.provider === 'signalwire') expect(RestClient.validateRequest(c.signingKey, String(hit.headers['x-signalwire-signature']), url, hit.fields)).toBe(true);
      if (c.provider === 'telnyx') {
        const headers = { 'telnyx-signature-ed25519': String(hit.headers['telnyx-signature-ed25519']), 'telnyx-timestamp': String(hit.headers['telnyx-timestamp']) };
        await expect(new TelnyxWebhook(telnyxPublicKeyText(c.publicKey)).verify(hit.body, headers)).resolves.not.toThrow();
        await expect(new TelnyxWebhook(telnyxPublicKeyText(c.publicKey)).verify(`${hit.body}&x=1`, headers)).rejects.toThrow();
      }
      expect(hit.fields.CallSid).toBe(call.session);
    }
    expect(app.hits[0]?.fields).toMatchObject({ CallStatus: 'ringing', Direction: 'inbound', To: '+6560000001', From: '+6591234567' });
    expect(app.hits[2]?.fields).toMatchObject({ CallStatus: 'completed' });
    if (provider === 'telnyx') expect(call.session).toMatch(/^v3:/);
  });
});

describe('verbs', () => {
  const menu = (onEmpty: boolean) => (hit: Hit, base: string) => {
    if (hit.path === '/voice') {
      return doc(`<Gather action="${base}/digits" numDigits="1" timeout="5"${onEmpty ? ' actionOnEmptyResult="true"' : ''}><Say voice="Polly.Amy">Press 1</Say></Gather><Redirect>${base}/none</Redirect>`);
    }
    return doc('<Hangup/>');
  };

  it('a gather with no input posts an empty Digits where actionOnEmptyResult is honoured (Twilio, SignalWire)', async () => {
    const { app, sim } = await setUp('twilio', menu(true));
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: [''] }) });
    await call.ended;
    expect(app.hits[1]).toMatchObject({ path: '/digits', fields: { Digits: '' } });
    const [gather] = blocks(call.transcript);
    expect(gather).toMatchObject({ block: 'gather', params: { max_digits: '1', timeout: '5' }, heard: [{ type: 'say', text: 'Press 1', voice: { language: 'en-GB', gender: 'female' } }] });
  });

  it('Telnyx does not list actionOnEmptyResult: the empty gather falls through to the next verb', async () => {
    const { app, sim } = await setUp('telnyx', menu(true));
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: [''] }) });
    await call.ended;
    expect(app.hits[1]?.path).toBe('/none');
  });

  it('keys pressed are posted without the finishing #, cut at numDigits', async () => {
    const { app, sim } = await setUp('signalwire', menu(false));
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['72#'] }) });
    await call.ended;
    expect(app.hits[1]).toMatchObject({ path: '/digits', fields: { Digits: '7' } });
  });

  it('a repeated question keeps a silent caller silent, without a second decision', async () => {
    let asked = 0;
    const { sim } = await setUp('twilio', (hit, base) => {
      if (hit.path === '/voice' || (hit.path === '/g' && asked < 2)) {
        asked += 1;
        return doc(`<Gather action="${base}/g" numDigits="1" actionOnEmptyResult="true"><Say>Menu</Say></Gather>`);
      }
      return doc('<Say>Bye</Say><Hangup/>');
    });
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: [''] }) });
    await call.ended;
    expect(blocks(call.transcript).map((b) => b.block)).toEqual(['gather', 'hangup']);
    expect(call.transcript.filter((e) => e.kind === 'prompt')).toHaveLength(1);
  });

  it('a transfer reports DialCallStatus for each outcome; the answered one ends the call', async () => {
    const statuses: string[] = [];
    const { sim } = await setUp('twilio', (hit, base) => {
      if (hit.path === '/dial') statuses.push(hit.fields.DialCallStatus ?? '');
      if (hit.path === '/voice' || (hit.path === '/dial' && statuses.length < 3)) {
        return doc(`<Say>Connecting</Say><Dial action="${base}/dial" callerId="+6560000009"><Number>+6562220000</Number></Dial>`);
      }
      return doc('<Hangup/>');
    });
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ transfers: ['busy', 'unanswered', 'answered'] }) });
    const end = await call.ended;
    expect(statuses).toEqual(['busy', 'no-answer', 'completed']);
    expect(end.reason).toBe('transfer-answered');
    expect(blocks(call.transcript)[0]).toMatchObject({ block: 'transfer', params: { dest: '+6562220000', caller_id: '+6560000009' } });
  });

  it('a recording is published at a URL the simulator serves', async () => {
    const { app, sim } = await setUp('telnyx', (hit, base) => (hit.path === '/voice' ? doc(`<Say>After the beep</Say><Record action="${base}/rec" maxLength="60"/>`) : doc('<Hangup/>')));
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ recordSeconds: 4 }) });
    await call.ended;
    const fields = app.hits[1]?.fields ?? {};
    expect(fields).toMatchObject({ RecordingDuration: '4' });
    expect(fields.RecordingUrl).toMatch(new RegExp(`^${sim.url}recordings/rec-\\d+\\.mp3\\?`));
    const audio = await fetch(fields.RecordingUrl ?? '');
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/mpeg');
    expect(blocks(call.transcript)[0]).toMatchObject({ block: 'record', params: { max_duration: '60' } });
  });

  it('an app that does not answer in time is an application error, and the status callback still comes', async () => {
    const { app, sim } = await setUp('twilio', (hit) => (hit.path === '/voice' ? 'hang' : doc('')), { timing: { notifyTimeoutMs: 100 } });
    const call = sim.ring({ to: '+6560000001' });
    const end = await call.ended;
    expect(end.reason).toBe('application-error');
    expect(end.error).toMatch(/no answer .* within 100 ms/);
    await sim.settled();
    expect(app.hits.at(-1)).toMatchObject({ path: '/status', fields: { CallStatus: 'completed' } });
    const note = call.transcript.find((e): e is NotificationEntry => e.kind === 'notification');
    expect(note?.result?.error).toBe('timeout');
  });

  it('a reply that is not TwiML ends the call as an application error', async () => {
    const { sim } = await setUp('signalwire', () => '<Response><Say>unclosed</Response>');
    const end = await sim.ring({ to: '+6560000001' }).ended;
    expect(end.reason).toBe('application-error');
  });

  it('the caller decides through the pending decision, as on every dialect', async () => {
    const { app, sim } = await setUp('twilio', menu(false));
    const call = sim.ring({ to: '+6560000001', caller: interactiveCaller() });
    await call.waitFor((e) => e.kind === 'prompt');
    expect(call.pending).toMatchObject({ block: 'gather', msg: 'Press 1', maxDigits: 1 });
    call.act({ type: 'press', digits: '1' });
    await call.ended;
    expect(app.hits[1]?.fields.Digits).toBe('1');
  });

  it('voices read as the catalog says; the default voice (en-US female) reads as the default', async () => {
    const { sim } = await setUp('twilio', () => doc('<Say voice="Polly.Joanna" language="en-US">A</Say><Say voice="Polly.Hans" language="de-DE">B</Say><Play>https://a.example/x.mp3</Play><Pause length="2"/><Hangup/>'));
    const call = sim.ring({ to: '+6560000001' });
    await call.ended;
    const heard: readonly HeardPart[] | undefined = blocks(call.transcript)[0]?.heard;
    expect(heard).toEqual([
      { type: 'say', text: 'A' },
      { type: 'say', text: 'B', voice: { language: 'de-DE', gender: 'male' } },
      { type: 'play', url: 'https://a.example/x.mp3' },
      { type: 'pause', seconds: 2 },
    ]);
  });
});

describe('the REST API', () => {
  async function rest(sim: TwimlSimulator, path: string, fields: Record<string, string>, auth = restAuthorization(sim.credentials)) {
    const json = sim.provider === 'telnyx';
    const res = await fetch(`${sim.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
      body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it.each([
    ['twilio', (a: string) => `/2010-04-01/Accounts/${a}/Calls.json`],
    ['telnyx', (a: string) => `/texml/Accounts/${a}/Calls`],
  ] as const)('%s: an outbound call rings the callee, then fetches its Url; a wrong key is refused', async (provider, callsPath) => {
    const { app, sim } = await setUp(provider, () => doc('<Say>Reminder</Say><Hangup/>'));
    const account = sim.credentials.provider === 'signalwire' ? sim.credentials.projectId : sim.credentials.accountSid;
    const refused = await rest(sim, callsPath(account), { To: '+6598765432', From: '+6560000000', Url: `${app.url}/out` }, 'Basic bm9wZTpub3Bl');
    expect(refused.status).toBe(401);
    expect(sim.violations.map((v) => v.kind)).toEqual(['auth']);
    const dialled = sim.nextDial();
    const placed = await rest(sim, callsPath(account), { To: '+6598765432', From: '+6560000000', Url: `${app.url}/out`, StatusCallback: `${app.url}/status` });
    expect(placed.status).toBe(201);
    const call = await dialled;
    expect(placed.body[provider === 'telnyx' ? 'call_sid' : 'sid']).toBe(call.session);
    await call.ended;
    await sim.settled();
    expect(app.hits.map((h) => [h.path, h.fields.CallStatus, h.fields.Direction])).toEqual([
      ['/out', 'in-progress', 'outbound-api'],
      ['/status', 'completed', 'outbound-api'],
    ]);
    expect(blocks(call.transcript).map((b) => [b.block, b.params.dest ?? ''])).toEqual([
      ['dial', '+6598765432'],
      ['hangup', ''],
    ]);
  });

  it('an unanswered outbound call reports its status to the status callback only', async () => {
    const { app, sim } = await setUp('signalwire', () => doc('<Hangup/>'), { outboundCaller: scriptedCaller({ dial: 'unanswered' }) });
    const c = sim.credentials;
    if (c.provider !== 'signalwire') throw new Error('signalwire');
    await rest(sim, `/2010-04-01/Accounts/${c.projectId}/Calls.json`, { To: '+6598765432', From: '+6560000000', Url: `${app.url}/out`, StatusCallback: `${app.url}/status` });
    const call = [...sim.calls.values()][0];
    const end = await call?.ended;
    await sim.settled();
    expect(end).toMatchObject({ reason: 'dial-failed', dialStatus: 'unanswered', answered: false });
    expect(app.hits.map((h) => [h.path, h.fields.CallStatus])).toEqual([['/status', 'no-answer']]);
  });

  it('Status=completed hangs up a call in progress (a forced hangup); Recordings start the monitor recording', async () => {
    const { app, sim } = await setUp('twilio', (_hit, base) => doc(`<Gather action="${base}/g" numDigits="1"><Say>Wait</Say></Gather>`));
    const c = sim.credentials;
    if (c.provider !== 'twilio') throw new Error('twilio');
    const call = sim.ring({ to: '+6560000001', caller: interactiveCaller() });
    await call.waitFor((e) => e.kind === 'prompt');
    const rec = await rest(sim, `/2010-04-01/Accounts/${c.accountSid}/Calls/${call.session}/Recordings.json`, { RecordingChannels: 'dual' });
    expect(rec.status).toBe(201);
    const hung = await rest(sim, `/2010-04-01/Accounts/${c.accountSid}/Calls/${call.session}.json`, { Status: 'completed' });
    expect(hung.status).toBe(200);
    const end = await call.ended;
    expect(end.reason).toBe('script-hangup');
    expect(end.monitorRecordUrl).toMatch(/\/recordings\/rec-\d+\.mp3/);
    expect(blocks(call.transcript).at(-1)).toMatchObject({ block: 'hangup', params: { force: 'enabled' } });
    expect((await rest(sim, `/2010-04-01/Accounts/${c.accountSid}/Calls/CAnope.json`, { Status: 'completed' })).status).toBe(404);
    await sim.settled();
    expect(app.hits.at(-1)?.path).toBe('/status');
  });
});

describe('forge', () => {
  it('sends a webhook signed validly, wrongly or not at all, and records it as forged', async () => {
    const { app, sim } = await setUp('twilio', () => doc(''));
    for (const signature of ['valid', 'invalid', 'none'] as const) await sim.forge('CA1', { CallStatus: 'completed' }, `${app.url}/status`, { signature });
    const c = sim.credentials;
    if (c.provider !== 'twilio') throw new Error('twilio');
    const verdicts = app.hits.map((h) => twilio.validateRequest(c.authToken, String(h.headers['x-twilio-signature'] ?? ''), `${app.url}/status`, h.fields));
    expect(verdicts).toEqual([true, false, false]);
    expect(app.hits[2]?.headers['x-twilio-signature']).toBeUndefined();
  });
});
