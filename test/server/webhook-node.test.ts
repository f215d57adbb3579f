/**
 * The node server's webhook dispatch (webhook-node.ts) over a real socket, and
 * Hono's binding of the same routes (webhook-hono.ts) giving the same answers.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPath } from '../../src/server/read-body.js';
import { honoWebhooks } from '../../src/server/webhook-hono.js';
import { nodeWebhooks, segmentsOf, serverWithWebhooks } from '../../src/server/webhook-node.js';
import { errorAnswer, queryValue, queryValues, textAnswer, xmlAnswer, type WebhookRoute } from '../../src/server/webhook.js';
import { captureLogger } from '../helpers/dev-server.js';

const LIMIT = 64;

const seen: string[] = [];

/** Echoes what the handler saw, so each test can check what the dispatch handed over. */
const routes: WebhookRoute[] = [
  {
    path: '/step/:id/:seq',
    handle: async (req) => {
      const body = await req.body(LIMIT);
      return xmlAnswer(
        JSON.stringify({
          path: req.path,
          query: req.query,
          id: req.param('id'),
          seq: req.param('seq'),
          missing: req.param('nope'),
          t: req.queryParam('t') ?? null,
          k: req.queryParam('k') ?? null,
          sig: req.header('x-sig') ?? null,
          body: body.ok ? body.text : `!${body.reason}`,
        }),
      );
    },
  },
  { path: '/voice', handle: () => textAnswer('voice', 201) },
  {
    path: '/throws',
    handle: () => {
      throw new Error('sync boom');
    },
  },
  { path: '/rejects', handle: async () => Promise.reject(new Error('async boom')) },
  { path: '/bad-header', handle: () => ({ status: 200, contentType: 'text/plain\r\nx-injected: 1', body: 'no' }) },
  {
    path: '/record',
    handle: async (req) => {
      const body = await req.body(LIMIT);
      seen.push(body.ok ? body.text : `!${body.reason}`);
      return textAnswer('recorded');
    },
  },
  { path: '/refuse', handle: async (req) => ((await req.body(LIMIT)).ok ? textAnswer('read') : errorAnswer(413, 'CS_BODY_TOO_LARGE', 'too big')) },
];

const captured = captureLogger();
let server: Server;
let base: string;
const fallbacks: string[] = [];

beforeAll(async () => {
  const create = serverWithWebhooks(nodeWebhooks('/prov', routes, captured.log));
  server = create({}, (req: IncomingMessage, res: ServerResponse) => {
    fallbacks.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' }).end('fallback');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, body = '', headers: Record<string, string> = {}) =>
  request(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

describe('nodeWebhooks', () => {
  it('hands the route its path, raw query, decoded params and query values, headers and body; the answer goes out with its type and length', async () => {
    const res = await post('/prov/step/c%2D1/7?t=a%2Bb+c&k=g&t=second', 'Digits=1&CallSid=CA1', { 'x-sig': 'sig==' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
    const text = await res.body.text();
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toEqual({
      path: '/prov/step/c%2D1/7',
      query: 't=a%2Bb+c&k=g&t=second',
      id: 'c-1',
      seq: '7',
      missing: '',
      t: 'a+b c',
      k: 'g',
      sig: 'sig==',
      body: 'Digits=1&CallSid=CA1',
    });
    const voice = await post('/prov/voice');
    expect(voice.statusCode).toBe(201);
    expect(voice.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(await voice.body.text()).toBe('voice');
  });

  it('leaves everything that is not a POST to one of its routes to the fallback (Hono in the server)', async () => {
    fallbacks.length = 0;
    const tries: Array<[string, string]> = [
      ['GET', '/prov/voice'],
      ['POST', '/prov/voice/'],
      ['POST', '/prov/unknown'],
      ['POST', '/prov/step//7'],
      ['POST', '/prov/step/c1'],
      ['POST', '/prov/step/c1/7/extra'],
      ['POST', '/other/voice'],
      ['POST', '/provvoice'],
    ];
    for (const [method, path] of tries) {
      const res = await request(`${base}${path}`, { method, ...(method === 'POST' ? { body: '' } : {}) });
      expect(res.statusCode, `${method} ${path}`).toBe(404);
      expect(await res.body.text()).toBe('fallback');
    }
    expect(fallbacks).toEqual(tries.map(([m, p]) => `${m} ${p}`));
  });

  it('answers 500 with the API error shape and logs request.failed when a handler throws or rejects; the server goes on', async () => {
    for (const path of ['/prov/throws', '/prov/rejects']) {
      const res = await post(path);
      expect(res.statusCode).toBe(500);
      expect(await res.body.json()).toEqual({ error: { code: 'CS_INTERNAL', message: 'internal error' } });
    }
    const failed = captured.lines().filter((l) => l.msg === 'request.failed');
    expect(failed.map((l) => l.path)).toEqual(['/prov/throws', '/prov/rejects']);
    expect((await post('/prov/voice')).statusCode).toBe(201);
  });

  it('drops the connection and logs request.failed when Node refuses to write an answer (a header with a line break); the server goes on', async () => {
    const answer = await rawExchange(`POST /prov/bad-header HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
    expect(answer.text).toBe('');
    expect(answer.closedByServer).toBe(true);
    expect(captured.lines().filter((l) => l.msg === 'request.failed' && l.path === '/prov/bad-header')).toHaveLength(1);
    expect((await post('/prov/voice')).statusCode).toBe(201);
  });

  it('closes the connection after answering a body it refused unread (over the limit by Content-Length or as it streams)', async () => {
    const answer = await rawExchange(`POST /prov/refuse HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n` + 'a'.repeat(1000));
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.text.toLowerCase()).toContain('connection: close');
    expect(answer.closedByServer).toBe(true);
    const chunked = await rawExchange(
      `POST /prov/refuse HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n` + `${(200).toString(16)}\r\n${'b'.repeat(200)}\r\n`,
    );
    expect(chunked.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(chunked.closedByServer).toBe(true);
    // A body read in full keeps the connection for the next request.
    const kept = await rawExchange(`POST /prov/refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc`);
    expect(kept.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(kept.text.toLowerCase()).not.toContain('connection: close');
    expect(kept.closedByServer).toBe(false);
  });

  it('gives a body cut short by the client `aborted` and keeps serving', async () => {
    const cut = await rawExchange(`POST /prov/record HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nDigits=`, { endAfterWrite: true });
    // Node's parser answers the truncated request itself; the handler's answer finds the socket gone.
    expect(cut.text).not.toContain('recorded');
    await expect.poll(() => seen).toEqual(['!aborted']);
    expect((await post('/prov/voice')).statusCode).toBe(201);
  });
});

describe('honoWebhooks', () => {
  it('serves the same routes with the same answers through app.request()', async () => {
    const app = honoWebhooks(routes);
    const viaHono = await app.request('/step/c%2D1/7?t=a%2Bb+c&k=g&t=second', {
      method: 'POST',
      body: 'Digits=1&CallSid=CA1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sig': 'sig==' },
    });
    const viaNode = await post('/prov/step/c%2D1/7?t=a%2Bb+c&k=g&t=second', 'Digits=1&CallSid=CA1', { 'x-sig': 'sig==' });
    expect(viaHono.status).toBe(viaNode.statusCode);
    expect(viaHono.headers.get('content-type')).toBe(viaNode.headers['content-type']);
    const h = JSON.parse(await viaHono.text()) as Record<string, unknown>;
    const n = JSON.parse(await viaNode.body.text()) as Record<string, unknown>;
    // Mounted at the root here and at /prov there; both keep the path's escapes as sent.
    expect({ ...h, path: undefined }).toEqual({ ...n, path: undefined });
    expect(h.path).toBe('/step/c%2D1/7');
    const big = await app.request('/refuse', { method: 'POST', body: 'x'.repeat(LIMIT + 1), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { code: 'CS_BODY_TOO_LARGE', message: 'too big' } });
  });

  it('adds the routes only Hono serves', async () => {
    const app = honoWebhooks(routes, (a) => a.get('/extra', (c) => c.text('extra')));
    expect(await (await app.request('/extra')).text()).toBe('extra');
  });
});

describe('rawPath', () => {
  it('is the path as sent, without query or fragment', () => {
    expect(rawPath('http://localhost/twilio/step/c%2D1/7?t=1')).toBe('/twilio/step/c%2D1/7');
    expect(rawPath('https://h:8443/a/b#x')).toBe('/a/b');
    expect(rawPath('http://h')).toBe('/');
    expect(rawPath('http://h?x=1')).toBe('/');
    expect(rawPath('http://h?x=/y')).toBe('/');
    expect(rawPath('http://h#/y')).toBe('/');
  });
});

describe('queryValue', () => {
  it('finds the first value by exact name, decoded as a form value', () => {
    expect(queryValue('t=1&tt=2&t=3', 't')).toBe('1');
    expect(queryValue('tt=2&t=3', 't')).toBe('3');
    expect(queryValue('a=x+y%21', 'a')).toBe('x y!');
    expect(queryValue('flag&b=1', 'flag')).toBe('');
    expect(queryValue('a=', 'a')).toBe('');
    expect(queryValue('', 'a')).toBeUndefined();
    expect(queryValue('ab=1', 'a')).toBeUndefined();
    expect(queryValue('a=%E0%A4%A', 'a')).toBeUndefined();
  });

  it('agrees with URLSearchParams on every well-formed query', () => {
    const name = fc.constantFrom('t', 'k', 'a', 'tt', 'none', 'ta');
    const value = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '+', '&', '=', '%', '/', 'é', '😀'), maxLength: 8 });
    const pair = fc.tuple(name, value, fc.boolean()).map(([n, v, bare]) => (bare && v === '' ? n : `${n}=${encodeURIComponent(v).replace(/%20/g, '+')}`));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 6 }), name, (pairs, wanted) => {
        const query = pairs.join('&');
        expect(queryValue(query, wanted)).toBe(new URLSearchParams(query).get(wanted) ?? undefined);
      }),
      { numRuns: 500 },
    );
  });
});

describe('queryValues', () => {
  it('gives what queryValue gives for each name, in one pass (bare names, repeats, broken escapes)', () => {
    const name = fc.constantFrom('t', 'k', 'a', 'tt', '', 'ta');
    const value = fc.string({ unit: fc.constantFrom('a', '0', '+', '%', '%2', '%21', '%E0%A4', '=', 'é'), maxLength: 5 });
    const pair = fc.tuple(name, value, fc.boolean()).map(([n, v, bare]) => (bare ? n : `${n}=${v}`));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 6 }), (pairs) => {
        const query = pairs.join('&');
        expect(queryValues(query, ['t', 'k', 'a'] as const)).toEqual([queryValue(query, 't'), queryValue(query, 'k'), queryValue(query, 'a')]);
      }),
      { numRuns: 1000 },
    );
  });
});

/** Sends raw bytes, collects the answer and whether the server closed the connection before we did. */
function rawExchange(bytes: string, o: { endAfterWrite?: boolean } = {}): Promise<{ text: string; closedByServer: boolean }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closedByServer });
    };
    // A kept-alive connection stays open: after a quiet moment with an answer in hand, it was not closed.
    const timer = setTimeout(() => finish(false), 1500);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (err) => (settled ? undefined : reject(err)));
    socket.write(bytes, () => {
      if (o.endAfterWrite === true) socket.end();
    });
  });
}

describe('segmentsOf', () => {
  it("is path.slice(from).split('/') for any path", () => {
    const path = fc.string({ unit: fc.constantFrom('/', 'a', 'b', '%', '?'), maxLength: 16 });
    fc.assert(
      fc.property(path, fc.nat(16), (p, from) => {
        const at = Math.min(from, p.length);
        expect(segmentsOf(p, at)).toEqual(p.slice(at).split('/'));
      }),
    );
  });
});
