/**
 * The Hoiio client against the simulator's real HTTP API, with the simulator's
 * fault hooks for the failures a real provider has.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/provider/errors.js';
import { HoiioClient } from '../../src/provider/hoiio/client.js';
import { encodeForm, hoiioParams } from '../../src/provider/hoiio/params.js';
import { hoiioEvent, parseHoiioNotification } from '../../src/provider/hoiio/notification.js';
import { checkHoiioSignature, hoiioSignature } from '../../src/provider/hoiio/signature.js';
import { DEFAULT_RETRY_POLICY, sendWithRetry } from '../../src/provider/retry.js';
import { scriptedCaller, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { said } from '../../src/engine/parts.js';

let sim: Simulator;
let client: HoiioClient;

beforeAll(async () => {
  sim = await startSimulator({ appId: 'app', accessToken: 'secret', concurrentCallLimit: 1000, outboundCaller: scriptedCaller({}) });
  client = new HoiioClient({ baseUrl: sim.url, appId: 'app', accessToken: 'secret', timeoutMs: 300 });
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

const NOTIFY = 'http://127.0.0.1:9/never';

describe('HoiioClient', () => {
  it('dials and returns the session and txn_ref, sending only the parameters that are set', async () => {
    const res = await client.send({ kind: 'dial', to: '+6591234567' }, { notifyUrl: NOTIFY });
    expect(res.session).toMatch(/\S/);
    expect(res.providerRef).toMatch(/\S/);
    const req = sim.requests.at(-1);
    expect(req?.block).toBe('dial');
    expect(Object.keys(req?.params ?? {}).sort()).toEqual(['dest', 'notify_url']);
  });

  it('maps an error status to a ProviderError carrying that status as its code', async () => {
    const err = await client.send({ kind: 'play', message: said('hi') }, { session: 'S-does-not-exist', notifyUrl: NOTIFY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'error_invalid_session', retryable: false, sessionGone: true });
  });

  it('refuses wrong credentials with error_invalid_access_token', async () => {
    const bad = new HoiioClient({ baseUrl: sim.url, appId: 'app', accessToken: 'wrong' });
    try {
      await expect(bad.send({ kind: 'dial', to: '+6591234567' }, { notifyUrl: NOTIFY })).rejects.toMatchObject({
        code: 'error_invalid_access_token',
      });
    } finally {
      await bad.close();
    }
  });

  it.each([
    [{ status: 'error_rate_limit_exceeded' }, 'error_rate_limit_exceeded', true],
    [{ status: 'error_session_not_ready' }, 'error_session_not_ready', true],
    [{ status: 'error_internal_server_error' }, 'error_internal_server_error', false],
    [{ httpStatus: 502 }, 'E_PROVIDER_BAD_RESPONSE', false],
    [{ reset: true }, 'E_PROVIDER_CONNECTION_RESET', false],
    [{ hang: true }, 'E_PROVIDER_TIMEOUT', false],
  ] as const)('fault %o → %s (retryable: %s)', async (fault, code, retryable) => {
    sim.setFaults({ request: () => fault });
    try {
      const err = await client.send({ kind: 'dial', to: '+6591234567' }, { notifyUrl: NOTIFY }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ code, retryable });
    } finally {
      sim.setFaults(undefined);
    }
  });

  it('an unreachable provider is retryable (the block provably did not run)', async () => {
    const dead = new HoiioClient({ baseUrl: 'http://127.0.0.1:9/', appId: 'a', accessToken: 'b' });
    try {
      await expect(dead.send({ kind: 'dial', to: '+6591234567' }, { notifyUrl: NOTIFY })).rejects.toMatchObject({
        code: 'E_PROVIDER_UNREACHABLE',
        retryable: true,
      });
    } finally {
      await dead.close();
    }
  });

  it('sendWithRetry retries only retryable errors, and succeeds once the provider recovers', async () => {
    let failures = 2;
    sim.setFaults({ request: () => (failures-- > 0 ? { status: 'error_rate_limit_exceeded' } : undefined) });
    const retries: string[] = [];
    try {
      const res = await sendWithRetry(client, { kind: 'dial', to: '+6591234567' }, { notifyUrl: NOTIFY }, { ...DEFAULT_RETRY_POLICY, baseDelayMs: 5 }, (e) =>
        retries.push(e.code),
      );
      expect(res.session).toBeTruthy();
      expect(retries).toEqual(['error_rate_limit_exceeded', 'error_rate_limit_exceeded']);
    } finally {
      sim.setFaults(undefined);
    }
    let calls = 0;
    sim.setFaults({ request: () => (calls++, { status: 'error_internal_server_error' }) });
    try {
      await expect(
        sendWithRetry(client, { kind: 'dial', to: '+6591234567' }, { notifyUrl: NOTIFY }, { ...DEFAULT_RETRY_POLICY, baseDelayMs: 5 }),
      ).rejects.toMatchObject({ code: 'error_internal_server_error' });
      expect(calls).toBe(1);
    } finally {
      sim.setFaults(undefined);
    }
  });
});

describe('Hoiio wire format', () => {
  it('maps each block to Hoiio parameter names, leaving unset ones out', () => {
    const t = { session: 'S1', notifyUrl: 'https://x/n' };
    expect(hoiioParams({ kind: 'gather', prompt: said('P'), maxDigits: 1, attempts: 2 }, t)).toEqual([
      ['session', 'S1'],
      ['msg', 'P'],
      ['max_digits', '1'],
      ['attempts', '2'],
      ['notify_url', 'https://x/n'],
    ]);
    expect(hoiioParams({ kind: 'transfer', to: '+651', callerId: '+652', onFailure: 'continue', tag: 't' }, t)).toEqual([
      ['session', 'S1'],
      ['dest', '+651'],
      ['caller_id', '+652'],
      ['on_failure', 'continue'],
      ['tag', 't'],
      ['notify_url', 'https://x/n'],
    ]);
    // force and msg are mutually exclusive on Hoiio.
    expect(hoiioParams({ kind: 'hangup', force: true, message: said('ignored') }, { session: 'S1' })).toEqual([
      ['session', 'S1'],
      ['force', 'enabled'],
    ]);
    expect(hoiioParams({ kind: 'dial', to: '+651', maxDuration: 60 }, { notifyUrl: 'https://x' })).toEqual([
      ['dest', '+651'],
      ['max_duration', '60'],
      ['notify_url', 'https://x'],
    ]);
  });

  it('form-encodes UTF-8 and the + of phone numbers', () => {
    expect(encodeForm([['msg', '你好 & +65']], 'a=b')).toBe('a=b&msg=%E4%BD%A0%E5%A5%BD%20%26%20%2B65');
  });

  it('merges query string and body fields, the body winning, and never takes our token as a field', () => {
    const n = parseHoiioNotification('t=secret&session=Sq&digits=9&call_state=ongoing', 'session=S1&digits=12%23');
    expect(n).toMatchObject({ session: 'S1', digits: '12#', callState: 'ongoing' });
    expect(hoiioEvent(n, 3)).toEqual({ type: 'block.done', seq: 3, digits: '12' });
    expect(hoiioEvent(parseHoiioNotification('', 'call_state=ongoing&session=S1'), 1)).toEqual({ type: 'block.done', seq: 1 });
    expect(hoiioEvent(parseHoiioNotification('', 'call_state=ended&transfer_status=busy&record_url=http%3A%2F%2Fr'), 2)).toEqual({
      type: 'ended',
      seq: 2,
      status: 'busy',
      recordUrl: 'http://r',
    });
    expect(hoiioEvent(parseHoiioNotification('', 'call_state=ringing'), 2)).toBeUndefined();
  });

  it('checks X-Hoiio-Signature per mode', () => {
    const body = 'call_state=ongoing&session=S1';
    const sig = hoiioSignature(body, 'tok');
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(checkHoiioSignature('enforce', sig, body, 'tok')).toBe('valid');
    expect(checkHoiioSignature('enforce', sig.toUpperCase(), body, 'tok')).toBe('valid');
    expect(checkHoiioSignature('enforce', sig, `${body}x`, 'tok')).toBe('invalid');
    expect(checkHoiioSignature('log', undefined, body, 'tok')).toBe('missing');
    expect(checkHoiioSignature('off', 'garbage', body, 'tok')).toBe('unchecked');
  });
});

describe('HoiioClient against a bare HTTP server', () => {
  // Every error status the provider contract lists (../shared/hoiio-ivr-api.md §4).
  const ERROR_STATUSES = [
    'error_invalid_http_method', 'error_malformed_params', 'error_invalid_access_token', 'error_invalid_app_id', 'error_tag_invalid_length',
    'error_invalid_notify_url', 'error_unable_to_resolve_notify_url', 'error_insufficient_credit', 'error_rate_limit_exceeded',
    'error_internal_server_error', 'error_not_allowed_for_trial', 'error_developer_suspended', 'error_permission_denied',
    'error_service_not_available', 'error_call_service_not_available',
    'error_invalid_session', 'error_session_access_denied', 'error_session_ended', 'error_session_not_ready', 'error_session_not_on_hold',
    'error_dest_invalid', 'error_dest_not_supported', 'error_invalid_destination', 'error_destination_not_supported', 'error_caller_id_invalid',
    'error_concurrent_call_limit_reached', 'error_invalid_room', 'error_on_failure_invalid',
    'error_invalid_max_digits', 'error_invalid_timeout', 'error_invalid_attempts', 'error_invalid_max_duration', 'error_max_duration_invalid',
    'error_monitor_in_progress',
    'error_msg_invalid_length', 'error_msg_cannot_convert_text', 'error_msg_invalid_language', 'error_msg_invalid_gender', 'error_msg_invalid_xml',
    'error_msg_download_failed', 'error_msg_invalid_file_format', 'error_msg_invalid_file_size', 'error_msg_invalid_url',
    'error_session_param_missing', 'error_notify_url_param_missing', 'error_dest_param_missing', 'error_param_missing',
  ];
  const RETRYABLE = new Set(['error_rate_limit_exceeded', 'error_session_not_ready']);
  const SESSION_GONE = new Set(['error_session_ended', 'error_invalid_session', 'error_session_access_denied']);

  let server: Server;
  let base: string;
  let answer: { code: number; body: string } = { code: 200, body: '{"status":"success_ok"}' };
  const connections: Socket[] = [];
  const seen: Array<{ method: string; path: string; type: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', path: req.url ?? '', type: String(req.headers['content-type'] ?? ''), body });
        res.writeHead(answer.code, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
    });
    server.on('connection', (s: Socket) => connections.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/open/`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('maps every error_* status of the contract to a ProviderError with that code, whatever the HTTP code', async () => {
    const c = new HoiioClient({ baseUrl: base, appId: 'app', accessToken: 'secret', timeoutMs: 1000 });
    try {
      for (const [i, status] of ERROR_STATUSES.entries()) {
        // The decision is on `status`, never on the HTTP code (SDKs disagree about codes).
        answer = { code: [200, 400, 500][i % 3] ?? 200, body: JSON.stringify({ status }) };
        const err = await c.send({ kind: 'play', message: said('hi') }, { session: 'S1', notifyUrl: NOTIFY }).catch((e: unknown) => e);
        expect(err, status).toBeInstanceOf(ProviderError);
        expect(err, status).toMatchObject({ code: status, retryable: RETRYABLE.has(status), sessionGone: SESSION_GONE.has(status) });
      }
      // A success_ok under an error HTTP code is a success; a non-JSON body under 200 is a transport error.
      answer = { code: 500, body: '{"status":"success_ok"}' };
      await expect(c.send({ kind: 'play', message: said('hi') }, { session: 'S1', notifyUrl: NOTIFY })).resolves.toEqual({});
      answer = { code: 200, body: '<html>maintenance</html>' };
      await expect(c.send({ kind: 'play', message: said('hi') }, { session: 'S1', notifyUrl: NOTIFY })).rejects.toMatchObject({
        code: 'E_PROVIDER_BAD_RESPONSE',
        retryable: false,
      });
      answer = { code: 200, body: '{"txn_ref":"x"}' };
      await expect(c.send({ kind: 'play', message: said('hi') }, { session: 'S1', notifyUrl: NOTIFY })).rejects.toMatchObject({ code: 'E_PROVIDER_BAD_RESPONSE' });
    } finally {
      answer = { code: 200, body: '{"status":"success_ok"}' };
      await c.close();
    }
  });

  it('refuses an answer over 64 KB as a bad response (not retried), and the client keeps working', async () => {
    const c = new HoiioClient({ baseUrl: base, appId: 'app', accessToken: 'secret', timeoutMs: 1000 });
    try {
      answer = { code: 200, body: JSON.stringify({ status: 'success_ok', padding: 'x'.repeat(100 * 1024) }) };
      await expect(c.send({ kind: 'play', message: said('hi') }, { session: 'S1', notifyUrl: NOTIFY })).rejects.toMatchObject({
        code: 'E_PROVIDER_BAD_RESPONSE',
        retryable: false,
        message: expect.stringMatching(/larger than 65536 bytes/),
      });
      answer = { code: 200, body: JSON.stringify({ status: 'success_ok', padding: 'x'.repeat(60 * 1024) }) };
      await expect(c.send({ kind: 'play', message: said('hi') }, { session: 'S1', notifyUrl: NOTIFY })).resolves.toEqual({});
    } finally {
      answer = { code: 200, body: '{"status":"success_ok"}' };
      await c.close();
    }
  });

  it('POSTs a UTF-8 form to <base><block path> with the credentials, over reused keep-alive connections', async () => {
    const c = new HoiioClient({ baseUrl: base, appId: 'app', accessToken: 'secret', timeoutMs: 1000 });
    const before = connections.length;
    seen.length = 0;
    try {
      await c.send({ kind: 'play', message: said('hi') }, { session: 'S1', notifyUrl: NOTIFY });
      await c.send({ kind: 'gather', prompt: said('Press 1.'), maxDigits: 1 }, { session: 'S1', notifyUrl: NOTIFY });
      await c.send({ kind: 'record', prompt: said('Speak.'), maxDuration: 60 }, { session: 'S1', notifyUrl: NOTIFY });
      await c.send({ kind: 'monitor' }, { session: 'S1', notifyUrl: NOTIFY });
      await c.send({ kind: 'transfer', to: '+6562223333', onFailure: 'continue' }, { session: 'S1', notifyUrl: NOTIFY });
      await c.send({ kind: 'hangup', message: said('Bye.') }, { session: 'S1', notifyUrl: NOTIFY });
      answer = { code: 200, body: '{"status":"success_ok","session":"S2","txn_ref":"AA-C-2"}' };
      await expect(c.send({ kind: 'dial', to: '+6591234567' }, { notifyUrl: NOTIFY })).resolves.toEqual({ session: 'S2', providerRef: 'AA-C-2' });
    } finally {
      answer = { code: 200, body: '{"status":"success_ok"}' };
      await c.close();
    }
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /open/ivr/middle/play',
      'POST /open/ivr/middle/gather',
      'POST /open/ivr/middle/record',
      'POST /open/ivr/middle/monitor',
      'POST /open/ivr/end/transfer',
      'POST /open/ivr/end/hangup',
      'POST /open/ivr/start/dial',
    ]);
    for (const r of seen) {
      expect(r.type).toMatch(/^application\/x-www-form-urlencoded/);
      const form = new URLSearchParams(r.body);
      expect([form.get('app_id'), form.get('access_token')]).toEqual(['app', 'secret']);
      expect([...form.values()].every((v) => v !== '')).toBe(true);
    }
    // Keep-alive: the sockets are reused (undici may open a second one while the first is being
    // released), never one connection per request.
    expect(connections.length - before).toBeLessThanOrEqual(2);
  });
});
