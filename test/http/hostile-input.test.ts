/**
 * Hostile HTTP input on every endpoint that takes input, over real loopback HTTP:
 * oversize bodies (declared, and streamed without a Content-Length) get 413, wrong
 * content types 415, missing or malformed fields 400, missing or wrong credentials
 * 401/403, unknown calls and scripts 404; every answer is the JSON error shape,
 * a call in progress is untouched by all of it, and the refusals are counted in
 * GET /metrics by reason.
 */
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoiioSignature } from '../../src/provider/hoiio/signature.js';
import type { ProviderClient } from '../../src/provider/provider.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import type { BlockEntry, SimCall } from '../../src/simulator/index.js';
import { exampleScripts, startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';
import type { DevServer } from '../../src/dev/server.js';

const ACCESS_TOKEN = 'test-access-token';
const MAX_BODY = 65_536;
const FORM = 'application/x-www-form-urlencoded';

let dev: DevServer;
let call: SimCall;
let notifyPath: string;

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
}

async function send(
  path: string,
  o: { method?: 'GET' | 'POST'; body?: string | Readable; type?: string; signed?: boolean | 'wrong'; auth?: string; server?: { url: string } } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.type !== undefined) headers['content-type'] = o.type;
  if (o.auth !== undefined) headers.authorization = o.auth;
  if (o.signed !== undefined && o.signed !== false && typeof o.body === 'string') {
    headers['x-hoiio-signature'] = o.signed === 'wrong' ? hoiioSignature(o.body, 'not-the-token') : hoiioSignature(o.body, ACCESS_TOKEN);
  }
  const res = await request(`${(o.server ?? dev).url}${path}`, { method: o.method ?? 'POST', headers, ...(o.body !== undefined ? { body: o.body } : {}) });
  const text = await res.body.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.statusCode, code };
}

/** A body of `bytes` streamed in chunks, so no Content-Length is sent (chunked transfer encoding). */
function streamed(bytes: number): Readable {
  const chunk = Buffer.alloc(8192, 'a');
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(chunk.subarray(0, n));
    },
  });
}

const big = `call_state=ongoing&digits=${'1'.repeat(MAX_BODY + 10)}`;

beforeAll(async () => {
  dev = await startTestServer();
  // A call parked at the menu for the whole file: nothing below may move it.
  call = dev.simulator.ring({
    to: '+6560000001',
    caller: (p) => (p.block === 'gather' || p.block === 'record' ? new Promise(() => undefined) : p.block === 'transfer' ? { type: 'outcome', outcome: 'busy' } : { type: 'continue' }),
  });
  const gather = await call.waitFor((e): e is BlockEntry => e.kind === 'block' && e.block === 'gather');
  const url = new URL(gather.params.notify_url ?? '');
  notifyPath = url.pathname + url.search;
});

afterAll(async () => {
  await dev?.close();
});

describe('webhooks', () => {
  const webhooks = (): Array<[string, string]> => [
    ['the Voice Notify URL', '/hoiio/incoming'],
    ['a script’s Voice Notify URL', '/hoiio/incoming/acme'],
    ['a block’s notify URL', notifyPath],
  ];

  it('413 for a body over the limit, declared or streamed', async () => {
    for (const [, path] of webhooks()) {
      expect(await send(path, { body: big, type: FORM, signed: true })).toEqual({ status: 413, code: 'CS_BODY_TOO_LARGE' });
      expect(await send(path, { body: streamed(MAX_BODY + 1), type: FORM })).toEqual({ status: 413, code: 'CS_BODY_TOO_LARGE' });
    }
  });

  it('415 for a body that is not a form', async () => {
    for (const [, path] of webhooks()) {
      for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
        const body = type === 'application/json' ? '{"call_state":"ongoing"}' : 'call_state=ongoing';
        expect(await send(path, { body, type, signed: true })).toEqual({ status: 415, code: 'CS_UNSUPPORTED_MEDIA_TYPE' });
      }
      // A body without any content type is refused as well (an empty one is fine: the fields may be in the query).
      expect(await send(path, { body: 'call_state=ongoing', signed: true })).toEqual({ status: 415, code: 'CS_UNSUPPORTED_MEDIA_TYPE' });
    }
  });

  it('401 for a missing or wrong X-Hoiio-Signature (signatures enforced)', async () => {
    for (const [, path] of webhooks()) {
      const body = `call_state=ringing&session=${call.session}&to=%2B6560000001`;
      expect(await send(path, { body, type: FORM })).toEqual({ status: 401, code: 'CS_BAD_SIGNATURE' });
      expect(await send(path, { body, type: FORM, signed: 'wrong' })).toEqual({ status: 401, code: 'CS_BAD_SIGNATURE' });
    }
  });

  it('400 for missing or malformed fields', async () => {
    const ringing = [``, `call_state=ringing`, `call_state=ringing&to=%2B6560000001`, `call_state=ringing&session=S9`, `call_state=ongoing&session=S9&to=%2B6560000001`];
    for (const body of ringing) {
      for (const path of ['/hoiio/incoming', '/hoiio/incoming/acme']) {
        expect(await send(path, { body, type: FORM, signed: true })).toMatchObject({ status: 400, code: 'CS_BAD_NOTIFICATION' });
      }
    }
    for (const body of ['', 'call_state=ringing', 'call_state=nonsense', `session=${call.session}&digits=1`]) {
      expect(await send(notifyPath, { body, type: FORM, signed: true })).toEqual({ status: 400, code: 'CS_BAD_NOTIFICATION' });
    }
    const [path, query] = notifyPath.split('?') as [string, string];
    const base = path.slice(0, path.lastIndexOf('/'));
    for (const seq of ['0', '-1', 'abc', '1.5', '99999999999999999999']) {
      expect(await send(`${base}/${seq}?${query}`, { body: `call_state=ongoing&session=${call.session}`, type: FORM, signed: true })).toEqual({
        status: 400,
        code: 'CS_BAD_NOTIFICATION',
      });
    }
  });

  it('403 for a notify URL with a missing or wrong token, or another call’s session; 404 for an unknown call or script', async () => {
    const [path] = notifyPath.split('?') as [string];
    const body = `call_state=ongoing&session=${call.session}&digits=1`;
    expect(await send(path, { body, type: FORM, signed: true })).toEqual({ status: 403, code: 'CS_FORBIDDEN' });
    expect(await send(`${path}?t=${'A'.repeat(22)}`, { body, type: FORM, signed: true })).toEqual({ status: 403, code: 'CS_FORBIDDEN' });
    expect(await send(`${path}?t=`, { body, type: FORM, signed: true })).toEqual({ status: 403, code: 'CS_FORBIDDEN' });
    const other = `call_state=ongoing&session=S-someone-else&digits=1`;
    expect(await send(notifyPath, { body: other, type: FORM, signed: true })).toEqual({ status: 403, code: 'CS_FORBIDDEN' });
    expect(await send('/hoiio/notify/cNoSuchCall01/1?t=x', { body, type: FORM, signed: true })).toEqual({ status: 404, code: 'CS_UNKNOWN_CALL' });
    const ring = `call_state=ringing&session=S-new&to=%2B6560000001`;
    expect(await send('/hoiio/incoming/no-such-script', { body: ring, type: FORM, signed: true })).toEqual({ status: 404, code: 'CS_UNKNOWN_SCRIPT' });
  });
});

describe('ringing notifications naming a call in progress', () => {
  it('at an unknown number or script, do not hang up the call in progress (a duplicate, or a forgery)', async () => {
    const ring = (to: string): string => `call_state=ringing&session=${call.session}&to=${encodeURIComponent(to)}`;
    expect(await send('/hoiio/incoming', { body: ring('+6500000000'), type: FORM, signed: true })).toEqual({ status: 200, code: undefined });
    expect(await send('/hoiio/incoming/no-such-script', { body: ring('+6560000001'), type: FORM, signed: true })).toEqual({ status: 200, code: undefined });
    expect(await send('/hoiio/incoming', { body: ring('+6560000001'), type: FORM, signed: true })).toEqual({ status: 200, code: undefined });
    await dev.runner.drain();
    expect(call.state).not.toBe('ended');
    expect(call.transcript.filter((e) => e.kind === 'block').map((e) => (e.kind === 'block' ? e.block : ''))).toEqual(['monitor', 'gather']);
  });
});

describe('the HTTP API', () => {
  const bearer = `Bearer ${TEST_API_TOKEN}`;
  const json = 'application/json';

  it('POST /calls: 401 without or with a wrong token, 413 (declared or streamed), 415, 400 for bad JSON and fields, 404 for an unknown script', async () => {
    const good = JSON.stringify({ script: 'reminder', to: '+6598765432' });
    expect(await send('/calls', { body: good, type: json })).toEqual({ status: 401, code: 'CS_UNAUTHORIZED' });
    expect(await send('/calls', { body: good, type: json, auth: 'Bearer wrong' })).toEqual({ status: 401, code: 'CS_UNAUTHORIZED' });
    expect(await send('/calls', { body: good, type: json, auth: `Basic ${TEST_API_TOKEN}` })).toEqual({ status: 401, code: 'CS_UNAUTHORIZED' });
    const huge = JSON.stringify({ script: 'reminder', to: '+6598765432', vars: { name: 'x'.repeat(MAX_BODY) } });
    expect(await send('/calls', { body: huge, type: json, auth: bearer })).toEqual({ status: 413, code: 'CS_BODY_TOO_LARGE' });
    expect(await send('/calls', { body: streamed(MAX_BODY + 1), type: json, auth: bearer })).toEqual({ status: 413, code: 'CS_BODY_TOO_LARGE' });
    expect(await send('/calls', { body: 'script=reminder', type: FORM, auth: bearer })).toEqual({ status: 415, code: 'CS_UNSUPPORTED_MEDIA_TYPE' });
    expect(await send('/calls', { body: good, auth: bearer })).toEqual({ status: 415, code: 'CS_UNSUPPORTED_MEDIA_TYPE' });
    for (const body of ['', '{', 'null', '[]', '"x"', '{"to":"+6598765432"}', '{"script":"reminder"}', '{"script":"reminder","to":"12"}', '{"script":"reminder","to":"+6598765432","vars":[1]}', '{"script":"reminder","to":"+6598765432","vars":{"nmae":"x"}}']) {
      expect((await send('/calls', { body, type: json, auth: bearer })).status).toBe(400);
    }
    expect(await send('/calls', { body: JSON.stringify({ script: 'nope', to: '+6598765432' }), type: json, auth: bearer })).toEqual({ status: 404, code: 'CS_UNKNOWN_SCRIPT' });
  });

  it('GET /calls, /calls/<id>, /scripts: 401 without or with a wrong token; 400 for bad paging; 404 for an unknown call', async () => {
    for (const path of ['/calls?active=1', `/calls/${call.session}`, '/scripts']) {
      expect(await send(path, { method: 'GET' })).toEqual({ status: 401, code: 'CS_UNAUTHORIZED' });
      expect(await send(path, { method: 'GET', auth: 'Bearer wrong' })).toEqual({ status: 401, code: 'CS_UNAUTHORIZED' });
    }
    for (const query of ['active=0', 'active=1&limit=0', 'active=1&limit=abc', 'active=1&limit=100000']) {
      expect(await send(`/calls?${query}`, { method: 'GET', auth: bearer })).toEqual({ status: 400, code: 'CS_BAD_REQUEST' });
    }
    expect(await send('/calls/S-no-such-session', { method: 'GET', auth: bearer })).toEqual({ status: 404, code: 'CS_UNKNOWN_CALL' });
  });

  it('a server without an API token answers 403 to the API; GET /metrics needs the metrics token when one is set', async () => {
    const provider: ProviderClient = { name: 'none', send: async () => ({}), close: async () => undefined };
    const server: RunningServer = await startServer({
      config: {
        port: 0,
        host: '127.0.0.1',
        hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: 'a', accessToken: ACCESS_TOKEN, timeoutMs: 1000, signatureMode: 'enforce' },
        maxBodyBytes: MAX_BODY,
        maxSteps: 200,
        metricsToken: 'metrics-secret',
      },
      scripts: await exampleScripts(),
      log: pino({ level: 'silent' }),
      provider,
    });
    try {
      const o = { server };
      expect(await send('/calls', { ...o, body: '{}', type: json, auth: bearer })).toEqual({ status: 403, code: 'CS_API_DISABLED' });
      expect(await send('/calls?active=1', { ...o, method: 'GET', auth: bearer })).toEqual({ status: 403, code: 'CS_API_DISABLED' });
      expect(await send('/scripts', { ...o, method: 'GET', auth: bearer })).toEqual({ status: 403, code: 'CS_API_DISABLED' });
      expect(await send('/metrics', { ...o, method: 'GET' })).toEqual({ status: 401, code: 'CS_UNAUTHORIZED' });
      expect(await send('/metrics', { ...o, method: 'GET', auth: 'Bearer nope' })).toEqual({ status: 401, code: 'CS_UNAUTHORIZED' });
      expect((await send('/metrics', { ...o, method: 'GET', auth: 'Bearer metrics-secret' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('after all of that', () => {
  it('the parked call is untouched and completes, and every refusal was counted by reason', async () => {
    const id = notifyPath.split('/')[3] ?? '';
    const state = await dev.store.get(id);
    expect(state).toMatchObject({ status: 'active', pending: 'gather', step: 'menu' });
    call.act({ type: 'press', digits: '1' });
    await call.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'record');
    call.hangup();
    expect((await call.ended).reason).toBe('caller-hangup');
    expect(dev.simulator.violations.filter((v) => v.session === call.session)).toEqual([]);

    const metrics = await request(`${dev.url}/metrics`);
    const text = await metrics.body.text();
    const refused = (reason: string): number => Number(new RegExp(`^callscript_notifications_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect(refused('too-large')).toBe(6);
    expect(refused('unsupported-media-type')).toBe(12);
    expect(refused('signature-missing')).toBe(3);
    expect(refused('signature-invalid')).toBe(3);
    expect(refused('bad-notification')).toBe(19);
    expect(refused('bad-token')).toBe(3);
    expect(refused('session-mismatch')).toBe(1);
    expect(refused('unknown-call')).toBe(1);
    expect(refused('unknown-script')).toBe(1);
  });
});
