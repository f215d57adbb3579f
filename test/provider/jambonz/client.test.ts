/**
 * jambonz's REST client against a stand-in on loopback: the requests it makes
 * (paths, Bearer key, JSON bodies), how answers and transport failures become
 * ProviderErrors with stable codes, and the settings it is built from.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderEnvError, ProviderErrorCode } from '../../../src/provider/errors.js';
import { JambonzClient } from '../../../src/provider/jambonz/client.js';
import { RestErrorCode } from '../../../src/provider/rest-request.js';
import { jambonzConfig } from '../../../src/provider/jambonz/config.js';
import { JAMBONZ_ENV } from './harness.js';

let api: Server;
let base = '';
const seen: Array<{ method: string; path: string; authorization: string; body: string }> = [];
/** The next answers, by path suffix; 202 with no body otherwise. */
const answers = new Map<string, { status: number; body: string }>();

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization ?? '', body });
      const answer = [...answers].find(([suffix]) => (req.url ?? '').endsWith(suffix))?.[1] ?? { status: 202, body: '' };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

const env = (extra: Record<string, string> = {}) => (name: string) => ({ ...JAMBONZ_ENV, ...extra })[name];
const client = (apiUrl: string): JambonzClient => new JambonzClient(jambonzConfig({ env: env(), apiUrl }), { statusUrl: () => 'https://ivr.example.com/jambonz/status' });

describe('JambonzClient', () => {
  it('dials with call_hook and call_status_hook, and forces a hangup with call_status completed; the API version is added once', async () => {
    answers.set('/Calls', { status: 201, body: '{"sid":"call-42"}' });
    for (const root of [`${base}/api`, `${base}/api/v1/`]) {
      const c = client(root);
      try {
        expect(await c.send({ kind: 'dial', to: '+6591234567', callerId: '+6560000001' }, { notifyUrl: 'https://ivr.example.com/jambonz/step/c1/1?t=x' })).toEqual({ session: 'call-42' });
        const dial = seen.at(-1);
        expect(dial).toMatchObject({ method: 'POST', path: '/api/v1/Accounts/acct-9f1c2d3e/Calls', authorization: 'Bearer api-key-1' });
        expect(JSON.parse(dial?.body ?? '')).toEqual({
          from: '+6560000001',
          to: { type: 'phone', number: '+6591234567' },
          call_hook: { url: 'https://ivr.example.com/jambonz/step/c1/1?t=x', method: 'POST' },
          call_status_hook: { url: 'https://ivr.example.com/jambonz/status', method: 'POST' },
          timeout: 60,
        });
        await c.send({ kind: 'hangup', force: true }, { session: 'call-42' });
        expect(seen.at(-1)).toMatchObject({ method: 'PUT', path: '/api/v1/Accounts/acct-9f1c2d3e/Calls/call-42', body: '{"call_status":"completed"}' });
      } finally {
        await c.close();
      }
    }
    answers.clear();
  });

  it('sends nothing for a goodbye (jambonz takes no verbs over REST) or a block that travels in a reply; a dial needs a From', async () => {
    const c = client(base);
    try {
      const before = seen.length;
      await c.send({ kind: 'hangup', message: [{ type: 'say', text: 'Goodbye.' }] }, { session: 'call-1' });
      expect(seen.length).toBe(before);
      await expect(c.send({ kind: 'play', message: [] }, { session: 'call-1' })).rejects.toMatchObject({ code: RestErrorCode.unsupported, retryable: false });
      await expect(c.send({ kind: 'dial', to: '+6591234567' }, { notifyUrl: 'https://x' })).rejects.toMatchObject({ code: RestErrorCode.config });
    } finally {
      await c.close();
    }
  });

  it('maps answers to codes: 404 the call is gone, 429 retryable, 5xx and other 4xx not, 201 without a sid a bad response', async () => {
    const c = client(base);
    const hangup = (sid: string) => c.send({ kind: 'hangup', force: true }, { session: sid });
    try {
      answers.set('/Calls/gone', { status: 404, body: '{"msg":"call not found"}' });
      answers.set('/Calls/slow', { status: 429, body: '' });
      answers.set('/Calls/broken', { status: 503, body: 'down' });
      answers.set('/Calls/bad', { status: 400, body: '{"msg":"invalid call_status"}' });
      await expect(hangup('gone')).rejects.toMatchObject({ code: RestErrorCode.notFound, sessionGone: true, retryable: false, message: 'jambonz hangup: HTTP 404 (call not found)' });
      await expect(hangup('slow')).rejects.toMatchObject({ code: RestErrorCode.rateLimited, retryable: true });
      await expect(hangup('broken')).rejects.toMatchObject({ code: RestErrorCode.serverError, retryable: false });
      await expect(hangup('bad')).rejects.toMatchObject({ code: RestErrorCode.refused, message: 'jambonz hangup: HTTP 400 (invalid call_status)' });
      answers.set('/Calls', { status: 201, body: '{}' });
      await expect(c.send({ kind: 'dial', to: '+6591234567', callerId: '+6560000001' }, { notifyUrl: 'https://x' })).rejects.toMatchObject({ code: ProviderErrorCode.badResponse });
    } finally {
      answers.clear();
      await c.close();
    }
    const closed = client('http://127.0.0.1:9');
    try {
      await expect(closed.send({ kind: 'hangup', force: true }, { session: 'x' })).rejects.toMatchObject({ code: ProviderErrorCode.unreachable, retryable: true });
    } finally {
      await closed.close();
    }
  });
});

describe('jambonzConfig', () => {
  it.each(['JAMBONZ_ACCOUNT_SID', 'JAMBONZ_API_KEY', 'JAMBONZ_API_URL', 'JAMBONZ_WEBHOOK_SECRET'])('names a missing %s (CS_PROVIDER_ENV)', (name) => {
    expect(() => jambonzConfig({ env: env({ [name]: ' ' }) })).toThrow(ProviderEnvError);
    expect(() => jambonzConfig({ env: env({ [name]: '' }) })).toThrow(`${name} must be set to run with --provider jambonz`);
  });

  it('takes --provider-api-url in place of JAMBONZ_API_URL, refuses a URL that is not http(s), and speaks scripts\' voices with aws unless told', () => {
    expect(jambonzConfig({ env: env({ JAMBONZ_API_URL: '' }), apiUrl: 'http://127.0.0.1:9/' }).apiUrl).toBe('http://127.0.0.1:9');
    expect(() => jambonzConfig({ env: env({ JAMBONZ_API_URL: 'jambonz.example.com' }) })).toThrow(/JAMBONZ_API_URL must be an http\(s\) URL/);
    expect(jambonzConfig({ env: env() }).ttsVendor).toBe('aws');
    expect(jambonzConfig({ env: env({ JAMBONZ_TTS_VENDOR: 'google' }) }).ttsVendor).toBe('google');
  });
});
