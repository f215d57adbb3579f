/**
 * The TwiML providers' REST client against a stand-in on loopback: the
 * requests each dialect makes (paths, auth, body encoding), and how answers and
 * transport failures become ProviderErrors with stable codes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, ProviderErrorCode } from '../../../src/provider/errors.js';
import { TwimlClient } from '../../../src/provider/twiml/client.js';
import { RestErrorCode } from '../../../src/provider/rest-request.js';
import { telnyxConfig, twilioConfig, signalwireConfig } from '../../../src/provider/twiml/config.js';
import { providerEnv } from './harness.js';

let api: Server;
let base = '';
const seen: Array<{ path: string; contentType: string; body: string }> = [];
/** The next answers, by path suffix; 200 `{}` otherwise. */
const answers = new Map<string, { status: number; body: string }>();

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
      const answer = [...answers].find(([suffix]) => (req.url ?? '').endsWith(suffix))?.[1] ?? { status: 200, body: '{}' };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

const env = (d: 'twilio' | 'telnyx' | 'signalwire') => (name: string) => providerEnv(d)[name];
const status = () => 'https://ivr.example.com/twilio/status';

describe('TwimlClient', () => {
  it('Twilio: a goodbye over a live call is new TwiML; a forced hangup Status=completed; other blocks never go over REST', async () => {
    const client = new TwimlClient(twilioConfig({ env: env('twilio'), apiUrl: `${base}/tw` }), { statusUrl: status });
    try {
      await client.send({ kind: 'hangup', message: [{ type: 'say', text: 'Sorry & goodbye.' }] }, { session: 'CA1' });
      const said = seen.at(-1);
      expect(said?.path).toBe('/tw/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA1.json');
      expect(new URLSearchParams(said?.body).get('Twiml')).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US" loop="1">Sorry &amp; goodbye.</Say><Hangup/></Response>',
      );
      await client.send({ kind: 'hangup', force: true }, { session: 'CA1' });
      expect(seen.at(-1)?.body).toBe('Status=completed');
      await expect(client.send({ kind: 'play', message: [] }, { session: 'CA1' })).rejects.toMatchObject({ code: RestErrorCode.unsupported });
      await expect(client.send({ kind: 'dial', to: '+6591234567' }, { notifyUrl: 'https://x' })).rejects.toMatchObject({ code: RestErrorCode.config });
    } finally {
      await client.close();
    }
  });

  it('maps answers to codes: 404 the session is gone, 429 retryable, 5xx and other 4xx not', async () => {
    const client = new TwimlClient(signalwireConfig({ env: env('signalwire'), apiUrl: `${base}/sw` }), { statusUrl: status });
    try {
      const cases: Array<[number, string, boolean, boolean]> = [
        [404, RestErrorCode.notFound, false, true],
        [429, RestErrorCode.rateLimited, true, false],
        [503, RestErrorCode.serverError, false, false],
        [400, RestErrorCode.refused, false, false],
      ];
      for (const [code, expected, retryable, gone] of cases) {
        answers.set('/Calls/C404.json', { status: code, body: JSON.stringify({ code: 20404, message: 'nope' }) });
        const err = await client.send({ kind: 'hangup', force: true }, { session: 'C404' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProviderError);
        expect(err).toMatchObject({ code: expected, retryable, sessionGone: gone, message: expect.stringContaining('(nope)') });
      }
      expect(seen.at(-1)?.path).toBe('/sw/2010-04-01/Accounts/proj-1/Calls/C404.json');
      // A dial the provider accepts without naming the call is a bad answer, not a call.
      answers.set('/Calls.json', { status: 201, body: '{}' });
      await expect(client.send({ kind: 'dial', to: '+65', callerId: '+65' }, { notifyUrl: 'https://x' })).rejects.toMatchObject({ code: ProviderErrorCode.badResponse });
    } finally {
      answers.clear();
      await client.close();
    }
  });

  it('Telnyx: JSON for calls and recordings, form for updates; without an account it says to set TELNYX_ACCOUNT_SID until a webhook names one', async () => {
    const client = new TwimlClient(telnyxConfig({ env: env('telnyx'), apiUrl: `${base}/v2` }), { statusUrl: status });
    try {
      await expect(client.send({ kind: 'hangup', force: true }, { session: 'v3:1' })).rejects.toMatchObject({ code: RestErrorCode.config, message: expect.stringContaining('TELNYX_ACCOUNT_SID') });
      client.learnAccount('acct-9');
      client.learnAccount('acct-other');
      await client.send({ kind: 'hangup', force: true }, { session: 'v3:1' });
      expect(seen.at(-1)).toMatchObject({ path: '/v2/texml/Accounts/acct-9/Calls/v3%3A1', contentType: expect.stringMatching(/^application\/x-www-form-urlencoded/), body: 'Status=completed' });
      await client.startRecording('v3:1');
      expect(seen.at(-1)).toMatchObject({ path: '/v2/texml/Accounts/acct-9/Calls/v3%3A1/Recordings.json', contentType: 'application/json' });
      answers.set('/Calls', { status: 200, body: JSON.stringify({ call_sid: 'v3:new', status: 'queued' }) });
      expect(await client.send({ kind: 'dial', to: '+6591234567', callerId: '+6560000001' }, { notifyUrl: 'https://ivr.example.com/telnyx/step/c1/1?t=x' })).toEqual({ session: 'v3:new' });
      expect(JSON.parse(seen.at(-1)?.body ?? '{}')).toEqual({
        To: '+6591234567',
        From: '+6560000001',
        Url: 'https://ivr.example.com/telnyx/step/c1/1?t=x',
        UrlMethod: 'POST',
        StatusCallback: 'https://ivr.example.com/twilio/status',
        StatusCallbackMethod: 'POST',
        StatusCallbackEvent: 'completed',
        Timeout: '60',
      });
    } finally {
      answers.clear();
      await client.close();
    }
  });

  it('an API that cannot be reached is retryable (nothing was placed)', async () => {
    const client = new TwimlClient(twilioConfig({ env: env('twilio'), apiUrl: 'http://127.0.0.1:9' }), { statusUrl: status });
    try {
      await expect(client.send({ kind: 'hangup', force: true }, { session: 'CA1' })).rejects.toMatchObject({ code: ProviderErrorCode.unreachable, retryable: true });
    } finally {
      await client.close();
    }
  });
});
