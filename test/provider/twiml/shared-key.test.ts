/**
 * Twilio's SharedKey signatures (../shared/providers.md §4.1): with a Webhooks
 * Rule, Twilio signs with the rule's SharedKey secret and the algorithm its
 * X-Twilio-Webhooks-Signature-Settings header names (HMAC_SHA256). Our
 * verifier and the simulator's signer are cross-checked with the twilio
 * package (its vector and random inputs), then a whole call runs from the
 * simulator signing that way to a server with TWILIO_WEBHOOK_SHARED_KEY, and is
 * refused by one without it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import express from 'express';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import { adapterFromEnv, capabilitiesOf } from '../../../src/provider/registry.js';
import { FormFields } from '../../../src/provider/twiml/form.js';
import { signatureAlgorithm, verifyTwilioSignature } from '../../../src/provider/twiml/signature.js';
import { loadScripts } from '../../../src/script-files/load.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { scriptedCaller } from '../../../src/simulator/caller.js';
import { startTwimlSimulator, twilioSharedKeySigner, type TwimlSimulator } from '../../../src/simulator/twiml/index.js';

const VECTOR_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const VECTOR_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const SETTINGS = 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256';
const fieldsOf = (params: Record<string, string>): FormFields => FormFields.of(params);

describe('SharedKey signatures', () => {
  it("the vector: the simulator's signer gives twilio's HMAC_SHA256 value, which we accept with the SharedKey and refuse without it", () => {
    const headers = twilioSharedKeySigner('12345', 'webhooks_sharedkey_1')(VECTOR_URL, '', Object.entries(VECTOR_PARAMS));
    expect(headers).toEqual({ 'X-Twilio-Signature': '033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=', 'X-Twilio-Webhooks-Signature-Settings': SETTINGS });
    const sig = headers['X-Twilio-Signature'];
    expect(verifyTwilioSignature({ authToken: 'other', sharedKey: '12345' }, sig, SETTINGS, VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('valid');
    expect(verifyTwilioSignature({ authToken: 'other', sharedKey: '12345' }, sig, SETTINGS, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', fieldsOf(VECTOR_PARAMS))).toBe('valid');
    expect(verifyTwilioSignature({ authToken: '12345' }, sig, SETTINGS, VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('invalid');
    expect(verifyTwilioSignature({ authToken: 'other', sharedKey: '12345' }, sig, 'key=k,algorithm=HMAC_MD5', VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('invalid');
    // Without the settings header it is the Auth Token's SHA1 as before.
    expect(verifyTwilioSignature({ authToken: '12345', sharedKey: 'x' }, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', undefined, VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('valid');
    expect(signatureAlgorithm(undefined)).toBe('sha1');
    expect(signatureAlgorithm(' key=a , algorithm = hmac_sha256 ')).toBe('sha256');
  });

  it('agrees with twilio.validateRequest(…, HMAC_SHA256) on any URL and fields', () => {
    const normalUrl = fc.webUrl({ withQueryParameters: true }).filter((u) => new URL(u).toString() === u);
    const params = fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/), fc.string({ maxLength: 12 }), { maxKeys: 6 });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), normalUrl, params, (key, url, p) => {
        const sig = twilioSharedKeySigner(key)(url, '', Object.entries(p))['X-Twilio-Signature'] ?? '';
        expect(twilio.validateRequest(key, sig, url, p, 'HMAC_SHA256')).toBe(true);
        expect(verifyTwilioSignature({ authToken: 'token', sharedKey: key }, sig, SETTINGS, url, fieldsOf(p))).toBe('valid');
        expect(verifyTwilioSignature({ authToken: 'token', sharedKey: `${key}x` }, sig, SETTINGS, url, fieldsOf(p))).toBe('invalid');
      }),
      { numRuns: 200 },
    );
  });
});

describe('a call signed with a SharedKey', () => {
  const PUBLIC_URL = 'https://ivr.example.com';
  const credentials = { provider: 'twilio' as const, accountSid: `AC${'1'.repeat(32)}`, authToken: 'auth-token', sharedKey: 'shared-key-secret' };
  let sim: TwimlSimulator | undefined;
  let server: RunningServer | undefined;
  let app: Server | undefined;
  afterEach(async () => {
    await sim?.close();
    await server?.close();
    app?.closeAllConnections();
    await new Promise<void>((resolve) => (app !== undefined ? app.close(() => resolve()) : resolve()));
    sim = server = app = undefined;
  });

  async function run(sharedKey: string | undefined): Promise<{ reason: string; error?: string }> {
    sim = await startTwimlSimulator({ provider: 'twilio', credentials, voiceUrl: `${PUBLIC_URL}/twilio/voice`, reach: (u) => (server !== undefined ? u.replace(PUBLIC_URL, server.url) : u) });
    const env: Record<string, string> = { TWILIO_ACCOUNT_SID: credentials.accountSid, TWILIO_AUTH_TOKEN: credentials.authToken, ...(sharedKey !== undefined ? { TWILIO_WEBHOOK_SHARED_KEY: sharedKey } : {}) };
    const adapter = adapterFromEnv('twilio', { env: (n) => env[n], apiUrl: sim.apiUrl });
    const loaded = await loadScripts(['examples/acme.yaml'], { provider: capabilitiesOf('twilio') });
    server = await startServer({
      config: { port: 0, host: '127.0.0.1', publicUrl: PUBLIC_URL, hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: '', accessToken: '', timeoutMs: 1000, signatureMode: 'off' }, maxBodyBytes: 65_536, maxSteps: 200 },
      scripts: loaded.scripts,
      log: silentLogger(),
      ...(adapter !== undefined ? { adapter } : {}),
    });
    const end = await sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['1'], transfers: ['answered'] }) }).ended;
    return { reason: end.reason, ...(end.error !== undefined ? { error: end.error } : {}) };
  }

  it('passes a server with TWILIO_WEBHOOK_SHARED_KEY', async () => {
    expect(await run('shared-key-secret')).toEqual({ reason: 'transfer-answered' });
  });

  it('is refused (403, then 11200 on the provider) by a server that only knows the Auth Token', async () => {
    const end = await run(undefined);
    expect(end.reason).toBe('application-error');
    expect(end.error).toMatch(/^11200 .* answered 403/);
  });

  it("passes twilio.webhook() configured with the SharedKey secret, as an app written with Twilio's package checks it", async () => {
    const hits: string[] = [];
    const web = express();
    web.use(express.urlencoded({ extended: false }));
    web.post('/voice', twilio.webhook({ sharedKeySecret: credentials.sharedKey }), (_req, res) => {
      hits.push('voice');
      res.type('text/xml').send(new twilio.twiml.VoiceResponse().hangup().toString());
    });
    app = createServer(web);
    await new Promise<void>((resolve) => app?.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/voice`;
    sim = await startTwimlSimulator({ provider: 'twilio', credentials, voiceUrl: url });
    const end = await sim.ring({ to: '+15550001' }).ended;
    expect(end.reason).toBe('script-hangup');
    expect(hits).toEqual(['voice']);
  });
});
