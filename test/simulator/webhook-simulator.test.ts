/**
 * The shell the webhook providers (TwiML family, jambonz) share, pinned through a dialect that
 * does nothing else: one webhook sent with its fault, timeout and transcript entries
 * (WebhookSender), and WebhookSimulator's REST faults and request log, a ring, a call placed
 * and ended by the app, answering, a caller's hangup and the start of end(), with the control
 * plane on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedCaller } from '../../src/simulator/caller.js';
import { resolveFaults } from '../../src/simulator/faults.js';
import { sendJson } from '../../src/simulator/json-reply.js';
import { Lifetime } from '../../src/simulator/lifetime.js';
import { CallSession, type CallHost } from '../../src/simulator/session.js';
import type { CallerAgent, EndReason, FaultPlan, ForgeResult, NotificationEntry, RingOptions, SimCall, SimEntry } from '../../src/simulator/types.js';
import { WebhookSender, type WireRequest } from '../../src/simulator/webhook-sender.js';
import { WebhookSimulator, type CallEnded, type EndDetail, type WebhookSimulatorOptions } from '../../src/simulator/webhook-simulator.js';
import { WorkCounter } from '../../src/simulator/work-counter.js';

// --- an app to send webhooks to -------------------------------------------------------------

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function app(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function senderWith(options: { faults?: FaultPlan; timeoutMs?: number; reach?: (url: string) => string } = {}) {
  const lifetime = new Lifetime();
  const work = new WorkCounter();
  let seq = 0;
  const host: CallHost = { lifetime, clock: () => Date.now(), nextSeq: () => ++seq, callerHangup: () => undefined };
  const call = new CallSession(host, { session: 'C1', txnRef: 'T1', direction: 'inbound', from: '+15550001', to: '+15550002', agent: scriptedCaller(), state: 'busy' });
  const sender = new WebhookSender({
    lifetime,
    work,
    faults: () => resolveFaults(options.faults),
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.reach !== undefined ? { reach: options.reach } : {}),
  });
  return { lifetime, work, call, sender };
}

const post = (url: string, signature = 'sig-1') => (): WireRequest => ({ url, method: 'POST', headers: { 'content-type': 'text/plain', 'x-sig': signature }, body: 'a=1', signature });

function entriesOf(call: CallSession, kind: SimEntry['kind']): SimEntry[] {
  return call.transcript.filter((e) => e.kind === kind);
}

describe('WebhookSender', () => {
  it('sends what the dialect built to where `reach` maps it, and records the URL as written, the fields, the signature and the delivery', async () => {
    const target = await app((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>'));
    const { call, sender, work } = senderWith({ reach: (u) => u.replace('http://app.example', target.url) });
    const fields = { CallSid: 'C1' };
    const pending = sender.send(call, { url: 'http://app.example/voice', fields, forged: false, wire: post('http://app.example/voice?x=1') });
    expect(work.count).toBe(1);
    const result = await pending;
    expect(result).toEqual({ status: 200, contentType: 'text/xml', text: '<Response/>' });
    expect(work.count).toBe(0);
    expect(target.received).toEqual([expect.objectContaining({ method: 'POST', url: '/voice?x=1', body: 'a=1' })]);
    expect(target.received[0]?.headers['x-sig']).toBe('sig-1');
    const [note] = entriesOf(call, 'notification') as NotificationEntry[];
    expect(note).toMatchObject({ url: 'http://app.example/voice', fields: { CallSid: 'C1' }, signature: 'sig-1', copy: 0, forged: false, result: { status: 200 } });
    expect(note?.fields).not.toBe(fields);
    expect(entriesOf(call, 'delivery')).toEqual([expect.objectContaining({ notificationId: note?.id, result: expect.objectContaining({ status: 200 }) })]);
  });

  it('builds the wire request only once a fault delay is over, so a signature is as late as the request', async () => {
    const target = await app((_req, res) => res.writeHead(204).end());
    const { call, sender } = senderWith({ faults: { notification: () => ({ delayMs: 60 }) } });
    const started = Date.now();
    let builtAfter = -1;
    await sender.send(call, {
      url: `${target.url}/status`,
      fields: {},
      forged: false,
      wire: () => {
        builtAfter = Date.now() - started;
        return post(`${target.url}/status`)();
      },
    });
    expect(builtAfter).toBeGreaterThanOrEqual(50);
  });

  it('a dropped webhook never reaches the app and is recorded as dropped; a forged one is never faulted', async () => {
    const target = await app((_req, res) => res.writeHead(200).end('ok'));
    const asked: string[] = [];
    const { call, sender } = senderWith({
      faults: {
        notification: (ctx) => {
          asked.push(`${ctx.session}#${ctx.callIndex}`);
          return { drop: true };
        },
      },
    });
    expect(await sender.send(call, { url: `${target.url}/a`, fields: {}, forged: false, wire: post(`${target.url}/a`) })).toEqual({ error: 'dropped', failure: 'other' });
    expect(await sender.send(call, { url: `${target.url}/b`, fields: {}, forged: true, wire: post(`${target.url}/b`) })).toEqual({ status: 200, contentType: undefined, text: 'ok' });
    expect(asked).toEqual(['C1#0']);
    expect(target.received.map((r) => r.url)).toEqual(['/b']);
    expect((entriesOf(call, 'notification') as NotificationEntry[]).map((n) => [n.forged, n.result?.error])).toEqual([
      [false, 'dropped'],
      [true, undefined],
    ]);
  });

  it('tells a late answer (timeout) from an app that is not there (unreachable)', async () => {
    const silent = await app(() => undefined);
    const { call, sender, work } = senderWith({ timeoutMs: 80 });
    const late = await sender.send(call, { url: `${silent.url}/slow`, fields: {}, forged: false, wire: post(`${silent.url}/slow`) });
    expect(late).toEqual({ error: `no answer from ${silent.url}/slow within 80 ms`, failure: 'timeout' });
    const dead = `http://127.0.0.1:${await deadPort()}/gone`;
    const gone = await sender.send(call, { url: dead, fields: {}, forged: false, wire: post(dead) });
    expect(gone).toEqual({ error: `${dead}: ECONNREFUSED`, failure: 'unreachable' });
    expect((entriesOf(call, 'delivery') as Array<{ result: { error?: string } }>).map((d) => d.result.error)).toEqual(['timeout', 'ECONNREFUSED']);
    expect(work.count).toBe(0);
  });

  it('hands a Content-Type sent twice over as a list, for each dialect to read its own way', async () => {
    const target = await app((_req, res) => {
      res.setHeader('content-type', ['application/json', 'text/plain']);
      res.writeHead(200).end('{}');
    });
    const { sender } = senderWith();
    const result = await sender.send(undefined, { url: target.url, fields: {}, forged: true, wire: post(target.url) });
    expect(result).toMatchObject({ status: 200, contentType: ['application/json', 'text/plain'] });
  });

  it('a close of the simulator aborts a webhook in flight', async () => {
    const silent = await app(() => undefined);
    const { call, sender, lifetime } = senderWith();
    const pending = sender.send(call, { url: silent.url, fields: {}, forged: false, wire: post(silent.url) });
    await new Promise((resolve) => setTimeout(resolve, 30));
    lifetime.close();
    expect(await pending).toEqual({ error: `${silent.url}: closed`, failure: 'other' });
    await sender.close();
  });
});

// --- a dialect with nothing but the shell ---------------------------------------------------

/** Answers `POST /calls` (a new call) and `POST /calls/{id}` (ends it, with an empty 202), in `{ msg }` errors. */
class BareWebhookSimulator extends WebhookSimulator {
  readonly ended: Array<{ session: string; reason: EndReason; ended: CallEnded }> = [];
  readonly firstWebhooks: string[] = [];
  #n = 0;

  constructor(options: WebhookSimulatorOptions = {}) {
    super(options, { webhookTimeoutMs: 1000, errorBody: (msg) => ({ msg }) });
  }

  ring(options: RingOptions): SimCall {
    const { from, caller } = this.checkRing(options, 'http://app.example/voice', () => undefined);
    const call = this.newCall('inbound', from, options.to, caller);
    this.ringThen(call, async () => void this.firstWebhooks.push(call.session));
    return call;
  }

  forge(): Promise<ForgeResult> {
    return Promise.resolve({ body: '' });
  }

  newCall(direction: 'inbound' | 'outbound', from: string, to: string, agent: CallerAgent): CallSession {
    const n = ++this.#n;
    return this.addCall(new CallSession(this, { session: `W${n}`, txnRef: `W${n}`, direction, from, to, agent, state: 'ringing' }));
  }

  end(call: CallSession, reason: EndReason, detail: EndDetail = {}): void {
    const ended = this.finishCall(call, reason, detail);
    if (ended !== undefined) this.ended.push({ session: call.session, reason, ended });
  }

  protected async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const log = this.requestLogger(method, url.pathname, {});
    await this.readBody(req);
    const m = /^\/calls(?:\/(\w+))?$/.exec(url.pathname);
    if (m === null) {
      log('not-found', 404);
      this.violation('unknown-path', `${method} ${url.pathname}`, '404');
      sendJson(res, 404, { msg: 'no such path' });
      return;
    }
    const session = m[1];
    if (session === undefined) {
      await this.answerRest(req, res, { block: 'dial', params: {} }, log, () => {
        const call = this.newCall('outbound', this.accountNumber, '+15550009', this.calleeFor('+15550009'));
        this.dialled(call);
        return { status: 201, body: { sid: call.session }, session: call.session, then: () => call.add({ kind: 'call', event: 'agent-error', detail: 'then ran' }) };
      });
      return;
    }
    await this.answerRest(req, res, { block: 'hangup', session, params: {} }, log, () => {
      const call = this.sessions.get(session);
      if (call !== undefined) this.hungUpByApp(call, { force: 'enabled' });
      return { status: 202 };
    });
  }
}

const sims: WebhookSimulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function bare(options: WebhookSimulatorOptions = {}): Promise<BareWebhookSimulator> {
  const sim = new BareWebhookSimulator(options);
  sims.push(sim);
  await sim.listen(0);
  return sim;
}

describe('WebhookSimulator', () => {
  it('serves the control plane and the dialect on one port; an answer without a body is empty; the answer\'s `then` runs', async () => {
    const sim = await bare();
    expect(sim.apiUrl).toBe(`http://127.0.0.1:${sim.port}`);
    const control = await request(`${sim.url}sim/calls`);
    expect(await control.body.json()).toEqual({ calls: [] });
    const created = await request(`${sim.apiUrl}/calls`, { method: 'POST' });
    expect(created.statusCode).toBe(201);
    expect(await created.body.json()).toEqual({ sid: 'W1' });
    const call = sim.calls.get('W1');
    expect(call?.transcript.some((e) => e.kind === 'call' && e.event === 'agent-error')).toBe(true);
    const ended = await request(`${sim.apiUrl}/calls/W1`, { method: 'POST' });
    expect(ended.statusCode).toBe(202);
    expect(await ended.body.text()).toBe('');
    // Placed and ended by the app: a Dial block and a forced Hangup block, an end the engine caused.
    expect(call?.transcript.filter((e) => e.kind === 'block')).toEqual([
      expect.objectContaining({ block: 'dial', params: { dest: '+15550009', caller_id: sim.accountNumber } }),
      expect.objectContaining({ block: 'hangup', params: { force: 'enabled' } }),
    ]);
    expect(call?.endInfo?.reason).toBe('script-hangup');
    expect(sim.calls.get('W1')).toMatchObject({ endKnownToEngine: true });
    expect(sim.requests.map((r) => [r.path, r.response, r.httpStatus, r.block, r.session])).toEqual([
      ['/calls', '201', 201, 'dial', 'W1'],
      ['/calls/W1', '202', 202, 'hangup', 'W1'],
    ]);
    const unknown = await request(`${sim.apiUrl}/nowhere`);
    expect(unknown.statusCode).toBe(404);
    await unknown.body.dump();
    expect(sim.violations).toEqual([expect.objectContaining({ kind: 'unknown-path', status: '404', detail: 'GET /nowhere' })]);
  });

  it('applies a request fault before the dialect acts: an error in the dialect\'s body (status as 500), a reset, a hang; the request does nothing', async () => {
    const faults: Array<Record<string, unknown>> = [];
    const plan: Array<Record<string, unknown> | undefined> = [{ status: 'overloaded' }, { httpStatus: 503, body: 'down' }, { reset: true }, { hang: true }, undefined];
    const sim = await bare({
      faults: {
        request: (ctx) => {
          faults.push({ index: ctx.index, block: ctx.block, callIndex: ctx.callIndex });
          return plan.shift();
        },
      },
    });
    const first = await request(`${sim.apiUrl}/calls`, { method: 'POST' });
    expect([first.statusCode, await first.body.json()]).toEqual([500, { msg: 'overloaded' }]);
    const second = await request(`${sim.apiUrl}/calls`, { method: 'POST' });
    expect([second.statusCode, await second.body.json()]).toEqual([503, { msg: 'down' }]);
    await expect(request(`${sim.apiUrl}/calls`, { method: 'POST' })).rejects.toThrow();
    const hung = request(`${sim.apiUrl}/calls`, { method: 'POST', headersTimeout: 150 });
    await expect(hung).rejects.toThrow();
    expect(sim.calls.size).toBe(0);
    const fine = await request(`${sim.apiUrl}/calls`, { method: 'POST' });
    expect(fine.statusCode).toBe(201);
    await fine.body.dump();
    expect(sim.requests.map((r) => [r.response, r.httpStatus])).toEqual([
      ['http-500', 500],
      ['http-503', 503],
      ['reset', 0],
      ['hang', 0],
      ['201', 201],
    ]);
    expect(faults.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a fault is told which request of the call it is', async () => {
    const seen: Array<[string | undefined, number]> = [];
    const sim = await bare({ faults: { request: (ctx) => void seen.push([ctx.session, ctx.callIndex]) } });
    const call = sim.newCall('inbound', '+15550001', '+15550002', scriptedCaller());
    for (let i = 0; i < 2; i++) await (await request(`${sim.apiUrl}/calls/${call.session}`, { method: 'POST' })).body.dump();
    expect(seen).toEqual([
      ['W1', 0],
      ['W1', 1],
    ]);
  });

  it('shows a ring at once and asks the app on a later turn, unless the simulator closed meanwhile', async () => {
    const sim = await bare();
    const call = sim.ring({ to: '+15550002' });
    expect(call.transcript.map((e) => (e.kind === 'call' ? e.event : e.kind))).toEqual(['ringing']);
    expect(sim.firstWebhooks).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sim.firstWebhooks).toEqual([call.session]);
    sim.ring({ to: '+15550002' });
    await sim.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sim.firstWebhooks).toEqual([call.session]);
  });

  it('answers a call once, busy from then on; an ended call is not answered', async () => {
    const sim = await bare();
    const call = sim.newCall('inbound', '+15550001', '+15550002', scriptedCaller());
    sim.answer(call);
    const at = call.answeredAt;
    sim.answer(call);
    expect(call.answeredAt).toBe(at);
    expect(call.state).toBe('busy');
    expect(call.transcript.filter((e) => e.kind === 'call' && e.event === 'answered')).toHaveLength(1);
    const other = sim.newCall('inbound', '+15550001', '+15550002', scriptedCaller());
    sim.end(other, 'caller-hangup');
    sim.answer(other);
    expect(other.answered).toBe(false);
  });

  it("ends a call once, as a dial's outcome with its length in seconds; a callee who hangs up before answering declined it", async () => {
    const sim = await bare();
    const unanswered = sim.newCall('outbound', '+15550001', '+15550002', scriptedCaller());
    sim.callerHangup(unanswered);
    expect(unanswered.endInfo).toMatchObject({ reason: 'dial-failed', dialStatus: 'busy', answered: false, durationMinutes: 0 });

    const talked = sim.newCall('inbound', '+15550001', '+15550002', scriptedCaller());
    sim.answer(talked);
    talked.simulatedSeconds += 75;
    sim.callerHangup(talked);
    sim.end(talked, 'script-hangup');
    expect(talked.endInfo).toMatchObject({ reason: 'caller-hangup', answered: true, durationMinutes: 2 });

    const rejected = sim.newCall('inbound', '+15550001', '+15550002', scriptedCaller());
    sim.end(rejected, 'rejected');
    const failed = sim.newCall('outbound', '+15550001', '+15550002', scriptedCaller());
    sim.end(failed, 'dial-failed');
    const errored = sim.newCall('inbound', '+15550001', '+15550002', scriptedCaller());
    sim.end(errored, 'application-error', { error: 'bad answer', transferStatus: 'failed' });
    expect(errored.endInfo).toMatchObject({ error: 'bad answer', transferStatus: 'failed' });

    expect(sim.ended.map((e) => [e.session, e.reason, e.ended])).toEqual([
      ['W1', 'dial-failed', { outcome: 'busy', seconds: 0 }],
      ['W2', 'caller-hangup', { outcome: 'answered', seconds: 75 }],
      ['W3', 'rejected', { outcome: 'busy', seconds: 0 }],
      ['W4', 'dial-failed', { outcome: 'failed', seconds: 0 }],
      ['W5', 'application-error', { outcome: 'answered', seconds: 0 }],
    ]);
  });
});
