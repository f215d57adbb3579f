/**
 * What a TwiML provider does when the app misbehaves, as the simulator plays it
 * (issue 20): the error code the provider reports, the fallback URL it tries
 * once (with ErrorCode and ErrorUrl), and what the caller hears when it gives
 * up; and the execution rules a hand-written app relies on (a Gather without an
 * action, relative URLs, `method="GET"`, `loop`, a `<Redirect>` loop).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scriptedCaller, type CallerScript } from '../../src/simulator/caller.js';
import { newCredentials, startTwimlSimulator, type TwimlSimulator } from '../../src/simulator/twiml/index.js';
import type { EndInfo, SimCall } from '../../src/simulator/types.js';
import { buildTranscript } from '../../src/testbench/transcript.js';

const SORRY = 'We are sorry, an application error has occurred. Goodbye.';
const credentials = newCredentials('twilio');
const token = credentials.provider === 'twilio' ? credentials.authToken : '';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly fields: Record<string, string>;
  readonly valid: boolean;
}
type Handler = (req: IncomingMessage, res: ServerResponse, fields: Record<string, string>) => void;

let server: Server;
let base = '';
const routes = new Map<string, Handler>();
const seen: Seen[] = [];

const xml = (res: ServerResponse, body: string, type = 'text/xml'): void => void res.writeHead(200, { 'content-type': type }).end(`<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`);

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const fields = Object.fromEntries(req.method === 'GET' ? url.searchParams : new URLSearchParams(body));
      // The signature as Twilio's own package checks it: over the URL requested, and for a POST its form fields.
      const valid = twilio.validateRequest(token, String(req.headers['x-twilio-signature'] ?? ''), `${base}${req.url ?? ''}`, req.method === 'GET' ? {} : fields);
      seen.push({ method: req.method ?? '', path: url.pathname, fields, valid });
      const handler = routes.get(url.pathname);
      if (handler === undefined) res.writeHead(404).end('not found');
      else handler(req, res, fields);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let sim: TwimlSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  routes.clear();
  seen.length = 0;
});

async function ring(script: CallerScript = {}, o: { fallback?: boolean; timeoutMs?: number } = {}): Promise<{ call: SimCall; end: EndInfo; heard: string[] }> {
  sim = await startTwimlSimulator({
    provider: 'twilio',
    credentials,
    voiceUrl: `${base}/voice`,
    ...(o.fallback === true ? { fallbackUrl: `${base}/fallback` } : {}),
    ...(o.timeoutMs !== undefined ? { timing: { notifyTimeoutMs: o.timeoutMs } } : {}),
  });
  const call = sim.ring({ to: '+15550001', caller: scriptedCaller(script) });
  const end = await call.ended;
  await sim.settled();
  const heard = buildTranscript(call.transcript).turns.map((t) => `${t.block}${t.message !== undefined ? ` ${t.message}` : ''}`);
  return { call, end, heard };
}

describe('an app the provider cannot run', () => {
  it('an HTTP error is 11200: the caller hears the apology and the call ends', async () => {
    routes.set('/voice', (_req, res) => void res.writeHead(500).end('boom'));
    const { end, heard } = await ring();
    expect(end.reason).toBe('application-error');
    expect(end.error).toMatch(/^11200 HTTP retrieval failure: .*\/voice answered 500/);
    expect(heard).toEqual([`hangup ${SORRY}`]);
  });

  it('with a fallback URL, the provider requests it once with ErrorCode and ErrorUrl, and the call goes on there', async () => {
    routes.set('/voice', (_req, res) => void res.writeHead(503).end());
    routes.set('/fallback', (_req, res) => xml(res, '<Say>Our menu is resting. Goodbye.</Say><Hangup/>'));
    const { end, heard, call } = await ring({}, { fallback: true });
    expect(heard).toEqual(['hangup Our menu is resting. Goodbye.']);
    expect(end.reason).toBe('script-hangup');
    const fallback = seen.find((s) => s.path === '/fallback');
    expect(fallback?.fields).toMatchObject({ ErrorCode: '11200', ErrorUrl: `${base}/voice`, CallSid: call.session });
    expect(seen.every((s) => s.valid)).toBe(true);
  });

  it('a fallback that fails too ends the call with the apology (the fallback is tried once)', async () => {
    routes.set('/voice', (_req, res) => void res.writeHead(500).end());
    routes.set('/fallback', (_req, res) => xml(res, '<Say>unclosed', 'text/xml'));
    const { end, heard } = await ring({}, { fallback: true });
    expect(end.error).toMatch(/^12100 Document parse failure/);
    expect(heard).toEqual([`hangup ${SORRY}`]);
    expect(seen.map((s) => s.path)).toEqual(['/voice', '/fallback']);
  });

  it('no answer within the webhook timeout is 11200', async () => {
    routes.set('/voice', () => undefined);
    const { end, heard } = await ring({}, { timeoutMs: 150 });
    expect(end.error).toMatch(/^11200 HTTP retrieval failure: no answer from .*\/voice within 150 ms/);
    expect(heard).toEqual([`hangup ${SORRY}`]);
  });

  it('an app that cannot be reached is 11205', async () => {
    sim = await startTwimlSimulator({ provider: 'twilio', credentials, voiceUrl: 'http://127.0.0.1:9/voice' });
    const call = sim.ring({ to: '+15550001' });
    const end = await call.ended;
    expect(end.error).toMatch(/^11205 HTTP connection failure: .*ECONNREFUSED/);
  });

  it('markup that does not parse is 12100', async () => {
    routes.set('/voice', (_req, res) => void res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response><Say>Hi</Response>'));
    const { end, heard } = await ring();
    expect(end.error).toMatch(/^12100 Document parse failure/);
    expect(heard).toEqual([`hangup ${SORRY}`]);
  });

  it('a content type that is not TwiML is 12300', async () => {
    routes.set('/voice', (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"say":"hi"}'));
    const { end, heard } = await ring();
    expect(end.error).toMatch(/^12300 Invalid Content-Type: .* answered application\/json/);
    expect(heard).toEqual([`hangup ${SORRY}`]);
  });

  it('a reply over 64 kB is 11750', async () => {
    routes.set('/voice', (_req, res) => xml(res, `<Say>${'a'.repeat(70_000)}</Say>`));
    const { end, heard } = await ring();
    expect(end.error).toMatch(/^11750 TwiML response body too large/);
    expect(heard).toEqual([`hangup ${SORRY}`]);
  });

  it('a <Redirect> loop is stopped', async () => {
    routes.set('/voice', (_req, res) => xml(res, '<Redirect>/voice</Redirect>'));
    const { end } = await ring();
    expect(end.reason).toBe('application-error');
    expect(end.error).toMatch(/<Redirect> loop/);
    expect(seen.length).toBe(100);
  });
});

describe('execution rules a hand-written app relies on', () => {
  it('a Gather without an action posts the digits to the document it came from; relative URLs resolve against it', async () => {
    routes.set('/menus/main', (_req, res, fields) =>
      fields.Digits === undefined ? xml(res, '<Gather numDigits="1"><Say>Press a key.</Say></Gather>') : xml(res, `<Say>You pressed ${fields.Digits}.</Say><Redirect>../bye</Redirect>`),
    );
    routes.set('/bye', (_req, res) => xml(res, '<Say>Bye.</Say><Hangup/>'));
    routes.set('/voice', (_req, res) => xml(res, '<Redirect>menus/main</Redirect>'));
    const { heard } = await ring({ presses: ['7'] });
    expect(heard).toEqual(['gather Press a key.', 'play You pressed 7.', 'hangup Bye.']);
    expect(seen.map((s) => `${s.method} ${s.path}${s.fields.Digits !== undefined ? ` Digits=${s.fields.Digits}` : ''}`)).toEqual([
      'POST /voice',
      'POST /menus/main',
      'POST /menus/main Digits=7',
      'POST /bye',
    ]);
    expect(seen.every((s) => s.valid)).toBe(true);
  });

  it('a voice URL set to GET is requested with GET, its fields in the query and signed over that URL', async () => {
    routes.set('/voice', (_req, res) => xml(res, '<Say>Hi.</Say><Hangup/>'));
    sim = await startTwimlSimulator({ provider: 'twilio', credentials, voiceUrl: `${base}/voice?line=main`, voiceMethod: 'GET' });
    await sim.ring({ to: '+15550001' }).ended;
    await sim.settled();
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/voice', valid: true, fields: { line: 'main', CallStatus: 'ringing', To: '+15550001' } });
  });

  it('method="GET" sends the fields in the query, signed over that URL', async () => {
    routes.set('/voice', (_req, res) => xml(res, '<Gather action="/picked" method="GET" numDigits="1"><Say>Pick.</Say></Gather>'));
    routes.set('/picked', (_req, res, fields) => xml(res, `<Say>Got ${fields.Digits}.</Say><Hangup/>`));
    const { heard } = await ring({ presses: ['3'] });
    expect(heard).toEqual(['gather Pick.', 'hangup Got 3.']);
    const picked = seen.find((s) => s.path === '/picked');
    expect(picked).toMatchObject({ method: 'GET', valid: true });
  });

  it('loop="2" says a text twice; loop="0" says it until the caller hangs up', async () => {
    routes.set('/voice', (_req, res) => xml(res, '<Say loop="2">Hello.</Say><Hangup/>'));
    expect((await ring()).heard).toEqual(['hangup Hello. Hello.']);
    await sim?.close();
    routes.set('/voice', (_req, res) => xml(res, '<Say loop="0">Please hold.</Say><Hangup/>'));
    const forever = await ring();
    expect(forever.heard).toEqual(['play Please hold.']);
    expect(forever.end.reason).toBe('caller-hangup');
  });

  it('a URL that answers with audio is played, then the call ends', async () => {
    routes.set('/voice', (_req, res) => void res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.alloc(16)));
    const { heard, end } = await ring();
    expect(heard).toEqual([`play [audio ${base}/voice]`]);
    expect(end.reason).toBe('played-without-notify-url');
  });
});
