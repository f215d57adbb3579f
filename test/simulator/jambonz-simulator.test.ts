/**
 * The jambonz simulator on the shared phone network, against a small
 * hand-written jambonz app on loopback (an HTTP server answering verb arrays
 * and a WebSocket server taking `listen` audio, as a team would write one):
 * it signs every hook as the feature server does (checked with @jambonz/sdk's
 * own verifier), runs the verbs as ../shared/providers.md §3.2 says (gather
 * reasons, dial statuses, listen's metadata frame and PCM, actionHook answers
 * replacing or continuing the application, relative hooks, the status hook at
 * the end), refuses what @jambonz/verb-specifications refuses, gives up on a
 * slow app, and takes the REST calls for outbound calls and forced hangups.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookResponse } from '@jambonz/sdk/webhook';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { interactiveCaller, scriptedCaller } from '../../src/simulator/index.js';
import { AUDIO_SUBPROTOCOL, startJambonzSimulator, type JambonzSimulator } from '../../src/simulator/jambonz/index.js';
import type { BlockEntry, NotificationEntry, SimEntry } from '../../src/simulator/types.js';

interface Hit {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly raw: string;
  readonly headers: IncomingMessage['headers'];
}

interface Stream {
  readonly protocol: string;
  readonly path: string;
  readonly texts: string[];
  bytes: number;
  readonly closed: Promise<void>;
}

type Answer = unknown[] | 'hang' | { readonly status: number; readonly type?: string; readonly body: string };

/** A jambonz app: answers each hook by path; a WebSocket server on the same port takes listen streams. */
async function jambonzApp(answer: (hit: Hit, base: string) => Answer) {
  const hits: Hit[] = [];
  const streams: Stream[] = [];
  let base = '';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const hit = { path: req.url ?? '', body: raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>), raw, headers: req.headers };
      hits.push(hit);
      const reply = answer(hit, base);
      if (reply === 'hang') return;
      if (Array.isArray(reply)) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      else res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/json' }).end(reply.body);
    });
  });
  const wss = new WebSocketServer({
    server,
    handleProtocols: (protocols) => (protocols.has(AUDIO_SUBPROTOCOL) ? AUDIO_SUBPROTOCOL : false),
    verifyClient: (info, cb) => (info.req.url?.startsWith('/refused') === true ? cb(false, 403) : cb(true)),
  });
  wss.on('connection', (ws: WebSocket, req) => {
    let done!: () => void;
    const stream: Stream = { protocol: ws.protocol, path: req.url ?? '', texts: [], bytes: 0, closed: new Promise((resolve) => (done = resolve)) };
    streams.push(stream);
    ws.on('message', (data, isBinary) => {
      if (isBinary) stream.bytes += (data as Buffer).length;
      else stream.texts.push(String(data));
    });
    ws.on('close', () => done());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    hits,
    streams,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const blocks = (entries: readonly SimEntry[]): BlockEntry[] => entries.filter((e): e is BlockEntry => e.kind === 'block');
const paths = (hits: readonly Hit[]): string[] => hits.map((h) => h.path);

const open: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setUp(answer: (hit: Hit, base: string) => Answer, extra: Partial<Parameters<typeof startJambonzSimulator>[0]> = {}) {
  const app = await jambonzApp(answer);
  const sim = await startJambonzSimulator({ callHook: `${app.url}/voice`, statusHook: `${app.url}/status`, ...extra });
  open.push(sim, app);
  return { app, sim };
}

function sdkAccepts(secret: string, hit: Hit): boolean {
  let verdict: Error | undefined;
  const req = { headers: hit.headers, body: hit.raw } as unknown as IncomingMessage;
  WebhookResponse.verifySignature(secret)(req, {} as ServerResponse, (err?: Error) => (verdict = err));
  return verdict === undefined;
}

describe('hooks are signed and shaped as the feature server sends them', () => {
  it("every hook is JSON with snake_case call fields, and @jambonz/sdk's verifier accepts its Jambonz-Signature", async () => {
    const { app, sim } = await setUp((hit, base) => (hit.path === '/voice' ? [{ verb: 'say', text: 'Hi' }, { verb: 'redirect', actionHook: `${base}/next` }] : [{ verb: 'hangup' }]));
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller() });
    await call.ended;
    await sim.settled();
    expect(paths(app.hits)).toEqual(['/voice', '/next', '/status']);
    for (const hit of app.hits) {
      expect(hit.headers['content-type']).toBe('application/json');
      expect(hit.headers['jambonz-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(sdkAccepts(sim.credentials.webhookSecret, hit)).toBe(true);
      expect(sdkAccepts(`not-${sim.credentials.webhookSecret}`, hit)).toBe(false);
      expect(hit.body).toMatchObject({ call_sid: call.session, account_sid: sim.credentials.accountSid, application_sid: sim.credentials.applicationSid, direction: 'inbound', from: '+6591234567', to: '+6560000001' });
    }
    expect(app.hits[0]?.body).toMatchObject({ call_status: 'trying', sip_status: 100 });
    expect(app.hits[1]?.body).toMatchObject({ call_status: 'in-progress', sip_status: 200 });
    expect(app.hits[2]?.body).toMatchObject({ call_status: 'completed', call_termination_by: 'jambonz', duration: 0 });
    expect(call.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(call.endInfo?.reason).toBe('script-hangup');
    const notes = call.transcript.filter((e): e is NotificationEntry => e.kind === 'notification');
    expect(notes.map((n) => n.fields.call_status)).toEqual(['trying', 'in-progress', 'completed']);
  });

  it('a relative hook is requested at the origin of the call hook, not under its path', async () => {
    const app = await jambonzApp((hit) => (hit.path === '/app/voice' ? [{ verb: 'redirect', actionHook: '/menu' }] : [{ verb: 'hangup' }]));
    const sim = await startJambonzSimulator({ callHook: `${app.url}/app/voice` });
    open.push(sim, app);
    await sim.ring({ to: '+6560000001' }).ended;
    expect(paths(app.hits)).toEqual(['/app/voice', '/menu']);
  });
});

describe('verbs', () => {
  const menu = (hit: Hit, base: string): Answer => {
    if (hit.path === '/voice') {
      return [
        { verb: 'say', text: 'Welcome.', synthesizer: { vendor: 'aws', language: 'en-GB', voice: 'Amy' } },
        { verb: 'gather', actionHook: { url: `${base}/digits`, method: 'POST' }, input: ['digits'], numDigits: 4, timeout: 7, finishOnKey: '#', say: { text: '歡迎', synthesizer: { vendor: 'aws', language: 'yue-CN', voice: 'Hiujin' } } },
      ];
    }
    return [{ verb: 'hangup' }];
  };

  it('gather: the digits before the finishOnKey as dtmfDetected; what is said (the synthesizer\'s voice) and the settings in the transcript', async () => {
    const { app, sim } = await setUp(menu);
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['12#9'] }) });
    await call.ended;
    expect(app.hits[1]).toMatchObject({ path: '/digits', body: { digits: '12', reason: 'dtmfDetected' } });
    const [gather] = blocks(call.transcript);
    expect(gather).toMatchObject({
      block: 'gather',
      params: { max_digits: '4', timeout: '7' },
      heard: [
        { type: 'say', text: 'Welcome.', voice: { language: 'en-GB', gender: 'female' } },
        { type: 'say', text: '歡迎', voice: { language: 'zh-HK', gender: 'female' } },
      ],
    });
  });

  it('gather: numDigits ends the input; no input is reason timeout; a lone finishOnKey is dtmfDetected with no digits', async () => {
    const { app, sim } = await setUp(menu);
    await sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['123456'] }) }).ended;
    await sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: [''] }) }).ended;
    await sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['#'] }) }).ended;
    const digits = app.hits.filter((h) => h.path === '/digits').map((h) => ({ digits: h.body.digits, reason: h.body.reason }));
    expect(digits).toEqual([{ digits: '1234', reason: 'dtmfDetected' }, { digits: undefined, reason: 'timeout' }, { digits: '', reason: 'dtmfDetected' }]);
  });

  it("a say with another vendor's synthesizer is heard in its language and gender; the default voice and no synthesizer read the same", async () => {
    const { sim } = await setUp(() => [
      { verb: 'say', text: 'Hallo', synthesizer: { vendor: 'google', language: 'de-DE', gender: 'MALE' } },
      { verb: 'say', text: 'Hello', synthesizer: { vendor: 'aws', language: 'en-US', voice: 'Joanna' } },
      { verb: 'play', url: ['https://cdn.example/a.wav', 'https://cdn.example/b.wav'] },
      { verb: 'pause', length: 2 },
      { verb: 'say', text: 'Bye' },
      { verb: 'hangup' },
    ]);
    const call = sim.ring({ to: '+6560000001' });
    await call.ended;
    expect(blocks(call.transcript)).toMatchObject([
      {
        block: 'hangup',
        heard: [
          { type: 'say', text: 'Hallo', voice: { language: 'de-DE', gender: 'male' } },
          { type: 'say', text: 'Hello' },
          { type: 'play', url: 'https://cdn.example/a.wav' },
          { type: 'play', url: 'https://cdn.example/b.wav' },
          { type: 'pause', seconds: 2 },
          { type: 'say', text: 'Bye' },
        ],
      },
    ]);
    expect(blocks(call.transcript)[0]?.heard?.[1]).not.toHaveProperty('voice');
  });

  it.each([
    ['busy', 'busy', 486],
    ['unanswered', 'no-answer', 487],
    ['failed', 'failed', 503],
    ['answered', 'completed', 200],
  ] as const)('dial %s: the actionHook gets dial_call_status %s', async (outcome, status, sip) => {
    const { app, sim } = await setUp((hit, base) =>
      hit.path === '/voice' ? [{ verb: 'say', text: 'Connecting.' }, { verb: 'dial', actionHook: `${base}/dialled`, callerId: '+6560000009', target: [{ type: 'phone', number: '+6562223333' }], timeout: 30 }] : [{ verb: 'hangup' }],
    );
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ transfers: [outcome] }) });
    await call.ended;
    expect(app.hits[1]).toMatchObject({ path: '/dialled', body: { dial_call_status: status, dial_sip_status: sip, call_sid: call.session } });
    expect(blocks(call.transcript)[0]).toMatchObject({ block: 'transfer', params: { dest: '+6562223333', caller_id: '+6560000009' }, heard: [{ type: 'say', text: 'Connecting.' }] });
    // The answer to the dial's hook is only a hangup: the dial ended the call.
    expect(call.endInfo).toMatchObject(outcome === 'answered' ? { reason: 'transfer-answered' } : { reason: 'transfer-failed', transferStatus: outcome });
  });

  it('listen: the app\'s WebSocket gets the metadata text frame, then the caller\'s linear16 audio; then the actionHook', async () => {
    const { app, sim } = await setUp((hit, base) =>
      hit.path === '/voice'
        ? [{ verb: 'say', text: 'Leave a message.' }, { verb: 'listen', url: `${base.replace('http', 'ws')}/record?call=1`, actionHook: `${base}/recorded`, maxLength: 60, finishOnKey: '#', playBeep: true, mixType: 'mono', sampleRate: 16000, metadata: { box: 7 } }]
        : [{ verb: 'hangup' }],
    );
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ recordSeconds: 2 }) });
    await call.ended;
    const [stream] = app.streams;
    expect(stream).toBeDefined();
    await stream?.closed;
    expect(stream?.protocol).toBe(AUDIO_SUBPROTOCOL);
    expect(stream?.path).toBe('/record?call=1');
    expect(stream?.texts).toHaveLength(1);
    expect(JSON.parse(stream?.texts[0] ?? '{}')).toMatchObject({ sampleRate: 16000, mixType: 'mono', callSid: call.session, from: '+6591234567', to: '+6560000001', box: 7 });
    expect(stream?.bytes).toBe(2 * 16000 * 2);
    expect(app.hits[1]).toMatchObject({ path: '/recorded', body: { digits: '#', dial_call_duration: 2 } });
    expect(blocks(call.transcript)[0]).toMatchObject({ block: 'record', params: { max_duration: '60' }, heard: [{ type: 'say', text: 'Leave a message.' }] });
    expect(call.endInfo?.reason).toBe('script-hangup');
  });

  it('an actionHook answered with no verbs lets the rest of the application go on; a non-empty one replaces it', async () => {
    const { app, sim } = await setUp((hit, base) => {
      if (hit.path === '/voice') return [{ verb: 'gather', actionHook: `${base}/first`, numDigits: 1, say: { text: 'One' } }, { verb: 'gather', actionHook: `${base}/second`, numDigits: 1, say: { text: 'Two' } }, { verb: 'say', text: 'never' }];
      if (hit.path === '/first') return [];
      return [{ verb: 'say', text: 'Bye' }, { verb: 'hangup' }];
    });
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['1', '2'] }) });
    await call.ended;
    await sim.settled();
    expect(paths(app.hits)).toEqual(['/voice', '/first', '/second', '/status']);
    expect(blocks(call.transcript).map((b) => b.heard?.map((p) => (p.type === 'say' ? p.text : p.type)).join(' '))).toEqual(['One', 'Two', 'Bye']);
  });

  it('pauses then a redirect hold the caller; the end of the application hangs up after what was said', async () => {
    const { sim } = await setUp((hit, base) => (hit.path === '/voice' ? [{ verb: 'pause', length: 1 }, { verb: 'redirect', actionHook: `${base}/later` }] : [{ verb: 'say', text: 'Done.' }]));
    const call = sim.ring({ to: '+6560000001' });
    await call.ended;
    expect(call.transcript.filter((e) => e.kind === 'call').map((e) => (e.kind === 'call' ? e.event : ''))).toEqual(['ringing', 'answered', 'held', 'unheld', 'ended']);
    expect(blocks(call.transcript)).toMatchObject([{ block: 'play', heard: [{ type: 'say', text: 'Done.' }] }]);
    expect(call.endInfo?.reason).toBe('played-without-notify-url');
  });
});

describe('what the feature server refuses', () => {
  it('an answer @jambonz/verb-specifications refuses ends the call with its message, and the status hook still comes', async () => {
    const { app, sim } = await setUp(() => [{ verb: 'say', text: 'Hi', language: 'en-US' }]);
    const call = sim.ring({ to: '+6560000001' });
    const end = await call.ended;
    await sim.settled();
    expect(end.reason).toBe('application-error');
    expect(end.error).toMatch(/verb validation: .*language/);
    expect(paths(app.hits)).toEqual(['/voice', '/status']);
  });

  it('a call hook that answers no verbs, an HTTP error, and a verb the simulator does not run are application errors', async () => {
    let reply: Answer = [];
    const { sim } = await setUp(() => reply);
    expect((await sim.ring({ to: '+6560000001' }).ended).error).toMatch(/answered no verbs/);
    reply = { status: 500, body: 'oops' };
    expect((await sim.ring({ to: '+6560000001' }).ended).error).toMatch(/HTTP 500/);
    reply = [{ verb: 'conference', name: 'room' }];
    expect((await sim.ring({ to: '+6560000001' }).ended).error).toMatch(/does not run the conference verb/);
  });

  it('an answer that is not application/json is no instructions: the call hook then rejects the call', async () => {
    const { sim } = await setUp(() => ({ status: 200, type: 'text/plain', body: '[{"verb":"hangup"}]' }));
    expect((await sim.ring({ to: '+6560000001' }).ended).reason).toBe('application-error');
  });

  it('a hook with no answer within the webhook timeout is an application error', async () => {
    const { sim } = await setUp(() => 'hang', { timing: { notifyTimeoutMs: 100 } });
    const end = await sim.ring({ to: '+6560000001' }).ended;
    expect(end).toMatchObject({ reason: 'application-error' });
    expect(end.error).toMatch(/no answer .* within 100 ms/);
  });

  it('a listen socket the app refuses is an application error naming the status', async () => {
    const { app, sim } = await setUp((hit, base) => (hit.path === '/voice' ? [{ verb: 'listen', url: `${base.replace('http', 'ws')}/refused`, actionHook: `${base}/recorded` }] : [{ verb: 'hangup' }]));
    const end = await sim.ring({ to: '+6560000001', caller: scriptedCaller({ recordSeconds: 1 }) }).ended;
    await sim.settled();
    expect(end.reason).toBe('application-error');
    expect(end.error).toMatch(/refused with HTTP 403/);
    expect(paths(app.hits)).toEqual(['/voice', '/status']);
  });
});

describe('the REST API', () => {
  async function rest(sim: JambonzSimulator, method: string, path: string, body: unknown, key = sim.credentials.apiKey) {
    const res = await fetch(`${sim.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  it('places an outbound call: 201 with its sid, then the call hook once the callee answers; a busy callee gets the status hook only', async () => {
    const { app, sim } = await setUp(() => [{ verb: 'say', text: 'Your appointment is tomorrow.' }, { verb: 'hangup' }]);
    const calls = `/v1/Accounts/${sim.credentials.accountSid}/Calls`;
    const placed = await rest(sim, 'POST', calls, { from: '+6560000000', to: { type: 'phone', number: '+6598765432' }, call_hook: { url: `${app.url}/out`, method: 'POST' }, call_status_hook: { url: `${app.url}/status`, method: 'POST' } });
    expect(placed.status).toBe(201);
    const call = sim.calls.get(String(placed.body.sid));
    expect(call).toBeDefined();
    await call?.ended;
    await sim.settled();
    expect(app.hits.map((h) => [h.path, h.body.direction, h.body.call_status])).toEqual([
      ['/out', 'outbound', 'in-progress'],
      ['/status', 'outbound', 'completed'],
    ]);
    sim.setOutboundCaller(scriptedCaller({ dial: 'busy' }));
    const busy = await rest(sim, 'POST', calls, { from: '+6560000000', to: { type: 'phone', number: '+6598765432' }, call_hook: `${app.url}/out`, call_status_hook: `${app.url}/status` });
    await sim.calls.get(String(busy.body.sid))?.ended;
    await sim.settled();
    expect(app.hits.slice(2).map((h) => [h.path, h.body.call_status])).toEqual([['/status', 'busy']]);
  });

  it('ends a call on PUT call_status completed (202), and refuses a wrong key, a missing status hook and an unknown call', async () => {
    const { app, sim } = await setUp((hit, base) => (hit.path === '/voice' ? [{ verb: 'gather', actionHook: `${base}/digits`, numDigits: 1, say: { text: 'Press' } }] : [{ verb: 'hangup' }]));
    const call = sim.ring({ to: '+6560000001', caller: interactiveCaller() });
    await call.waitFor((e) => e.kind === 'prompt');
    const path = `/v1/Accounts/${sim.credentials.accountSid}/Calls`;
    expect((await rest(sim, 'PUT', `${path}/${call.session}`, { call_status: 'completed' }, 'wrong')).status).toBe(401);
    expect((await rest(sim, 'PUT', `${path}/${call.session}`, { call_status: 'completed' })).status).toBe(202);
    expect((await call.ended).reason).toBe('script-hangup');
    expect(blocks(call.transcript).at(-1)).toMatchObject({ block: 'hangup', params: { force: 'enabled' } });
    expect((await rest(sim, 'PUT', `${path}/no-such-call`, { call_status: 'completed' })).status).toBe(404);
    expect((await rest(sim, 'POST', path, { from: '+6560000000', to: { type: 'phone', number: '+6598765432' }, call_hook: `${app.url}/out` })).status).toBe(400);
    expect((await rest(sim, 'POST', '/v1/Accounts/someone-else/Calls', {})).status).toBe(404);
    expect(sim.violations.map((v) => v.kind)).toEqual(['auth', 'invalid-params', 'unknown-path']);
  });
});

describe('faults and forged hooks', () => {
  it('a dropped hook is an application error; a REST request fault answers with its status and changes nothing', async () => {
    const { app, sim } = await setUp((hit, base) => (hit.path === '/voice' ? [{ verb: 'redirect', actionHook: `${base}/next` }] : [{ verb: 'hangup' }]));
    sim.setFaults({ notification: (ctx) => (ctx.callIndex === 1 ? { drop: true } : undefined), request: () => ({ httpStatus: 503 }) });
    const end = await sim.ring({ to: '+6560000001' }).ended;
    expect(end.reason).toBe('application-error');
    expect(paths(app.hits)).toEqual(['/voice']);
    const res = await fetch(`${sim.apiUrl}/v1/Accounts/${sim.credentials.accountSid}/Calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+6560000000', to: { type: 'phone', number: '+6598765432' }, call_hook: `${app.url}/out`, call_status_hook: `${app.url}/status` }),
    });
    expect(res.status).toBe(503);
    expect([...sim.calls.values()].filter((c) => c.direction === 'outbound')).toEqual([]);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', block: 'dial', response: 'http-503', httpStatus: 503 });
  });

  it('forge sends a hook as an attacker would: only a valid signature passes @jambonz/sdk', async () => {
    const { app, sim } = await setUp(() => [{ verb: 'hangup' }]);
    const call = sim.ring({ to: '+6560000001' });
    await call.ended;
    await sim.settled();
    for (const signature of ['none', 'invalid', 'valid'] as const) {
      const result = await sim.forge(call.session, { call_status: 'completed' }, `${app.url}/forged-${signature}`, { signature });
      expect(result.status).toBe(200);
    }
    const forged = app.hits.filter((h) => h.path.startsWith('/forged-'));
    expect(forged.map((h) => [h.path, sdkAccepts(sim.credentials.webhookSecret, h)])).toEqual([
      ['/forged-none', false],
      ['/forged-invalid', false],
      ['/forged-valid', true],
    ]);
    expect(forged[2]?.body).toMatchObject({ call_sid: call.session, call_status: 'completed' });
    expect(call.transcript.filter((e): e is NotificationEntry => e.kind === 'notification' && e.forged)).toHaveLength(3);
  });
});
