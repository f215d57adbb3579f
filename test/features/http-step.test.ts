/**
 * The http step against real HTTP servers on loopback: first the executor alone
 * (success, statuses, timeout, malformed JSON, connection refused, size limit,
 * environment headers, bodies), then whole calls through the dev server and the
 * Hoiio simulator, including a caller who hangs up while a request is out.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../src/engine/transition.js';
import { HttpExecutor } from '../../src/http-step/execute.js';
import type { DevServer } from '../../src/dev/server.js';
import { scriptedCaller } from '../../src/simulator/index.js';
import { captureLogger, spoken, startTestServer } from '../helpers/dev-server.js';
import { mustCompile } from '../helpers/compile.js';
import { closedPort, json, localServer, type LocalServer } from './local-server.js';

const GET = (url: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({ method: 'GET', url, headers: [], timeoutMs: 2000, save: [], ...extra });
const SAVE = [{ name: 'name', path: ['customer', 'name'] }];

describe('the http executor against a real server', () => {
  let server: LocalServer;
  const executor = new HttpExecutor({ maxResponseBytes: 1024, env: (name) => (name === 'CRM_TOKEN' ? 'Bearer s3cret' : undefined) });

  beforeAll(async () => {
    server = await localServer();
  });
  afterAll(async () => {
    await executor.close();
    await server.close();
  });

  it('2xx JSON: the saved values, and only those', async () => {
    server.handle((_req, res) => json(res, 200, { customer: { name: 'Ann', secret: 'x'.repeat(500) } }));
    const result = await executor.execute(GET(`${server.url}/c/1`, { save: SAVE }));
    expect(result).toMatchObject({ status: 200, values: { name: 'Ann' } });
    expect(result.failure).toBeUndefined();
  });

  it('a status other than 2xx is reported as it is, with no values', async () => {
    for (const status of [404, 500, 302]) {
      server.handle((_req, res) => json(res, status, { customer: { name: 'Ann' } }));
      const result = await executor.execute(GET(`${server.url}/c/2`, { save: SAVE }));
      expect(result.status).toBe(status);
      expect(result.values).toBeUndefined();
      expect(result.failure).toBeUndefined();
    }
  });

  it('no complete answer within the timeout is a timeout', async () => {
    server.handle((_req, res) => {
      const timer = setTimeout(() => json(res, 200, {}), 3000);
      res.on('close', () => clearTimeout(timer));
    });
    const started = Date.now();
    const result = await executor.execute(GET(`${server.url}/slow`, { timeoutMs: 200 }));
    expect(result).toMatchObject({ failure: 'timeout' });
    // Never held beyond its timeout: back after about 200 ms, not the server's 3 s.
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1500);
  });

  it('a body that stalls half way is a timeout too', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"customer":');
      const timer = setTimeout(() => res.end('{}}'), 3000);
      res.on('close', () => clearTimeout(timer));
    });
    const started = Date.now();
    const result = await executor.execute(GET(`${server.url}/stall`, { timeoutMs: 200, save: SAVE }));
    expect(result.failure).toBe('timeout');
    // The timeout covers the whole answer, body included.
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('malformed JSON is a failure only when values are to be saved', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>not json');
    });
    expect(await executor.execute(GET(`${server.url}/bad`, { save: SAVE }))).toMatchObject({ status: 200, failure: 'malformed' });
    expect(await executor.execute(GET(`${server.url}/bad`))).toMatchObject({ status: 200 });
    expect((await executor.execute(GET(`${server.url}/bad`))).failure).toBeUndefined();
  });

  it('connection refused is a network failure', async () => {
    const port = await closedPort();
    const result = await executor.execute(GET(`http://127.0.0.1:${port}/x`));
    expect(result.failure).toBe('network');
    expect(result.message).toMatch(/ECONNREFUSED/);
  });

  it('an answer over the size limit is refused, with its status, whether its length is declared or it streams in chunks', async () => {
    server.handle((_req, res) => json(res, 200, { big: 'x'.repeat(5000) }));
    expect(await executor.execute(GET(`${server.url}/big`, { save: SAVE }))).toMatchObject({
      status: 200,
      failure: 'too-large',
      message: 'the answer is larger than 1024 bytes',
    });
    server.handle((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      for (let i = 0; i < 8; i++) res.write('y'.repeat(300));
      res.end();
    });
    expect(await executor.execute(GET(`${server.url}/chunked`))).toMatchObject({ status: 502, failure: 'too-large' });
    // At the limit exactly is not over it.
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"customer":{"name":"${'z'.repeat(1024 - 24)}"}}`);
    });
    const atLimit = await executor.execute(GET(`${server.url}/exact`, { save: SAVE }));
    expect(atLimit.failure).toBeUndefined();
    expect(atLimit.values?.name).toHaveLength(1024 - 24);
  });

  it('sends env headers resolved at request time (a call\'s own env first), templated headers and bodies', async () => {
    server.handle((_req, res) => json(res, 201, {}));
    await executor.execute({
      method: 'POST',
      url: `${server.url}/tickets?x=1`,
      headers: [
        ['Authorization', { env: 'CRM_TOKEN' }],
        ['X-Api-Key', { env: 'KEY' }],
        ['X-Caller', '+6591234567'],
      ],
      body: '{"a":1}',
      contentType: 'application/json',
      timeoutMs: 2000,
      save: [],
    }, (name) => (name === 'KEY' ? 'per-call' : undefined));
    const req = server.received.at(-1);
    expect(req).toMatchObject({ method: 'POST', url: '/tickets?x=1', body: '{"a":1}' });
    expect(req?.headers).toMatchObject({ authorization: 'Bearer s3cret', 'x-api-key': 'per-call', 'x-caller': '+6591234567', 'content-type': 'application/json' });
  });

  it('a missing env var, a bad URL or a non-http URL fail before any request is made', async () => {
    const before = server.received.length;
    expect(await executor.execute(GET(`${server.url}/x`, { headers: [['Authorization', { env: 'NOPE' }]] }))).toMatchObject({
      failure: 'bad-request',
      message: 'header Authorization: environment variable NOPE is not set',
    });
    expect((await executor.execute(GET('not a url'))).failure).toBe('bad-request');
    expect((await executor.execute(GET('file:///etc/passwd'))).failure).toBe('bad-request');
    expect(server.received.length).toBe(before);
  });
});

describe('http steps in calls, through the dev server and the simulator', () => {
  let crm: LocalServer;
  let dev: DevServer;
  let refusedPort: number;
  const logs = captureLogger();

  const LOOKUP = (base: string) => `
name: lookup
numbers: ["+6560000099"]
vars: { crm: "${base}", name: "" }
steps:
  lookup:
    http:
      url: "{{{crm}}}/customers/{{call.from}}"
      headers: { Authorization: { env: CRM_TOKEN } }
      timeout: 0.5
      save: { name: customer.name }
    next: hello
    on_status: { "404": unknown }
    on_timeout: slow
    on_error: broken
  hello: { hangup: "Hello {{name}}." }
  unknown: { hangup: "Who is calling? {{http_status}}" }
  slow: { hangup: "Slow." }
  broken: { hangup: "Broken {{http_status}}." }
`;

  beforeAll(async () => {
    crm = await localServer();
    refusedPort = await closedPort();
    const refused = mustCompile(LOOKUP(`http://127.0.0.1:${refusedPort}`).replace('name: lookup', 'name: refused').replace('+6560000099', '+6560000098'), 'refused.yaml');
    dev = await startTestServer({
      scripts: [mustCompile(LOOKUP(crm.url), 'lookup.yaml'), refused],
      log: logs.log,
      env: (name) => (name === 'CRM_TOKEN' ? 'Bearer t' : undefined),
    });
  });
  afterAll(async () => {
    await dev.close();
    await crm.close();
  });

  const call = async (from: string, to = '+6560000099'): Promise<string | undefined> => {
    const c = dev.simulator.ring({ to, from, caller: scriptedCaller({}) });
    await c.ended;
    await dev.runner.drain();
    return spoken(c).at(-1)?.[1];
  };

  it('success saves the answer; 404 goes to on_status; 500 and malformed JSON to on_error; slow to on_timeout; refused to on_error', async () => {
    crm.handle((req, res) => {
      const from = decodeURIComponent(req.url.split('/').pop() ?? '');
      if (from === '+6591111111') return json(res, 200, { customer: { name: 'Ann' } });
      if (from === '+6592222222') return json(res, 404, {});
      if (from === '+6593333333') return json(res, 500, {});
      if (from === '+6594444444') {
        res.writeHead(200);
        return void res.end('{"customer": ');
      }
      const timer = setTimeout(() => json(res, 200, { customer: { name: 'Late' } }), 2000);
      res.on('close', () => clearTimeout(timer));
    });
    expect(await call('+6591111111')).toBe('Hello Ann.');
    expect(crm.received.at(-1)).toMatchObject({ url: '/customers/%2B6591111111' });
    expect(crm.received.at(-1)?.headers.authorization).toBe('Bearer t');
    expect(await call('+6592222222')).toBe('Who is calling? 404');
    expect(await call('+6593333333')).toBe('Broken 500.');
    expect(await call('+6594444444')).toBe('Broken 200.');
    expect(await call('+6595555555')).toBe('Slow.');
    expect(await call('+6591111111', '+6560000098')).toBe('Broken .');
    const failed = logs.lines().filter((l) => l.msg === 'http.failed').map((l) => l.failure);
    expect(failed).toEqual(expect.arrayContaining(['malformed', 'timeout', 'network']));
    expect(dev.simulator.violations).toEqual([]);
    const metrics = await (await request(`${dev.url}/metrics`)).body.text();
    for (const line of ['outcome="2xx"} 1', 'outcome="4xx"} 1', 'outcome="5xx"} 1', 'outcome="malformed"} 1', 'outcome="timeout"} 1', 'outcome="network"} 1']) {
      expect(metrics).toContain(`callscript_http_steps_total{${line}`);
    }
  });

  it('an answer over 256 KiB (the documented limit) goes to on_error, with its status', async () => {
    crm.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"customer": {"name": "');
      for (let i = 0; i < 300; i++) res.write('n'.repeat(1024));
      res.end('"}}');
    });
    expect(await call('+6596666666')).toBe('Broken 200.');
    expect(logs.lines().filter((l) => l.msg === 'http.failed').map((l) => l.failure)).toContain('too-large');
    const metrics = await (await request(`${dev.url}/metrics`)).body.text();
    expect(metrics).toContain('callscript_http_steps_total{outcome="too-large"} 1');
  });

  it('a caller who hangs up while the request is out ends the call; the late answer is ignored and nothing is sent', async () => {
    let release: () => void = () => undefined;
    crm.handle(
      (_req, res) =>
        new Promise<void>((resolve) => {
          release = () => {
            json(res, 200, { customer: { name: 'Too late' } });
            resolve();
          };
        }),
    );
    const arrived = crm.next();
    const c = dev.simulator.ring({ to: '+6560000099', from: '+6591111111', caller: scriptedCaller({}) });
    await arrived;
    c.hangup();
    await c.ended;
    await dev.simulator.settled();
    // The request is still out: the call has ended already.
    const ended = await new Promise<Record<string, unknown> | undefined>((resolve) => {
      const find = (): void => {
        const line = logs.lines().find((l) => l.msg === 'call.ended' && l.session === c.session);
        if (line !== undefined) resolve(line);
        else setTimeout(find, 10);
      };
      find();
    });
    expect(ended).toMatchObject({ outcome: 'caller-hangup' });
    release();
    await dev.runner.drain();
    expect(spoken(c)).toEqual([]);
    const id = String(ended?.call);
    const state = await dev.store.get(id);
    expect(state).toMatchObject({ status: 'ended', outcome: 'caller-hangup', pending: null });
    expect(state?.vars).toEqual({});
    expect(logs.lines().filter((l) => l.call === id && l.msg === 'block.sent')).toEqual([]);
  });
});
