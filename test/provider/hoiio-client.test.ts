/**
 * The Hoiio client against the simulator's real HTTP API, with the simulator's
 * fault hooks for the failures a real provider has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/provider/errors.js';
import { HoiioClient } from '../../src/provider/hoiio/client.js';
import { encodeForm, hoiioParams } from '../../src/provider/hoiio/params.js';
import { hoiioEvent, parseHoiioNotification } from '../../src/provider/hoiio/notification.js';
import { checkHoiioSignature, hoiioSignature } from '../../src/provider/hoiio/signature.js';
import { DEFAULT_RETRY_POLICY, sendWithRetry } from '../../src/provider/retry.js';
import { scriptedCaller, startSimulator, type Simulator } from '../../src/simulator/index.js';

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
    expect(res.txnRef).toMatch(/\S/);
    const req = sim.requests.at(-1);
    expect(req?.block).toBe('dial');
    expect(Object.keys(req?.params ?? {}).sort()).toEqual(['dest', 'notify_url']);
  });

  it('maps an error status to a ProviderError carrying that status as its code', async () => {
    const err = await client.send({ kind: 'play', message: 'hi' }, { session: 'S-does-not-exist', notifyUrl: NOTIFY }).catch((e: unknown) => e);
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
    expect(hoiioParams({ kind: 'gather', prompt: 'P', maxDigits: 1, attempts: 2 }, t)).toEqual([
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
    expect(hoiioParams({ kind: 'hangup', force: true, message: 'ignored' }, { session: 'S1' })).toEqual([
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
