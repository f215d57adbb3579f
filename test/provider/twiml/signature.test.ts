/**
 * Our webhook signing and verifying, cross-checked against the providers' own
 * packages: the same inputs give the same verdicts. Includes the vectors of
 * ../shared/providers.md §4.
 */
import { generateKeyPairSync } from 'node:crypto';
import { RestClient } from '@signalwire/compatibility-api';
import fc from 'fast-check';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { FormFields, parseForm } from '../../../src/provider/twiml/form.js';
import {
  signalwireSignature,
  telnyxPublicKey,
  telnyxSignature,
  twilioSignature,
  verifyHmacSignature,
  verifyTelnyxSignature,
} from '../../../src/provider/twiml/signature.js';

const VECTOR_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const VECTOR_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const fieldsOf = (params: Record<string, string | string[]>): FormFields => FormFields.of(params);

describe('Twilio X-Twilio-Signature', () => {
  it('gives the vector of providers.md §4.1 (SHA1 and SHA256), accepts it with :443, refuses it over http', () => {
    expect(twilioSignature('12345', VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioSignature('12345', VECTOR_URL, fieldsOf(VECTOR_PARAMS), 'sha256')).toBe('033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=');
    const sig = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(verifyHmacSignature('twilio', '12345', sig, VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('valid');
    expect(verifyHmacSignature('twilio', '12345', sig, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', fieldsOf(VECTOR_PARAMS))).toBe('valid');
    expect(verifyHmacSignature('twilio', '12345', sig, 'http://mycompany.com/myapp.php?foo=1&bar=2', fieldsOf(VECTOR_PARAMS))).toBe('invalid');
    expect(verifyHmacSignature('twilio', '12345', undefined, VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('missing');
    expect(verifyHmacSignature('twilio', '54321', sig, VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('invalid');
    // The package agrees on each of those.
    expect(twilio.validateRequest('12345', sig, VECTOR_URL, VECTOR_PARAMS)).toBe(true);
    expect(twilio.validateRequest('12345', sig, 'http://mycompany.com/myapp.php?foo=1&bar=2', VECTOR_PARAMS)).toBe(false);
  });

  it('signs exactly as the twilio package for any URL and form (repeated fields and non-ASCII included)', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
    const value = fc.string({ maxLength: 12, unit: 'grapheme' });
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(name, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }))),
        fc.string({ minLength: 1, maxLength: 20 }),
        (url, params, token) => {
          const ours = twilioSignature(token, url, fieldsOf(params));
          expect(ours).toBe(twilio.getExpectedTwilioSignature(token, url, params));
          expect(verifyHmacSignature('twilio', token, ours, url, fieldsOf(params))).toBe('valid');
          expect(twilio.validateRequest(token, ours, url, params)).toBe(true);
          const forged = `${ours.slice(0, -2)}A=`;
          if (forged !== ours) {
            expect(verifyHmacSignature('twilio', token, forged, url, fieldsOf(params))).toBe('invalid');
            expect(twilio.validateRequest(token, forged, url, params)).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a form body into the fields the signature covers, repeated names kept in order', () => {
    const body = 'CallSid=CA1&Digits=1%23&From=%2B6591234567&Note=a+b&Tag=x&Tag=y';
    const fields = parseForm(body);
    expect(fields?.grouped()).toEqual(new Map([['CallSid', ['CA1']], ['Digits', ['1#']], ['From', ['+6591234567']], ['Note', ['a b']], ['Tag', ['x', 'y']]]));
    const params = Object.fromEntries(new URLSearchParams(body).entries());
    // The package's Express helper reads repeated names as arrays; ours keeps them likewise.
    const sig = twilio.getExpectedTwilioSignature('tok', 'https://a.example/twilio/voice', { ...params, Tag: ['x', 'y'] });
    expect(verifyHmacSignature('twilio', 'tok', sig, 'https://a.example/twilio/voice', fields ?? FormFields.of({}))).toBe('valid');
    expect(parseForm('CallSid=%ZZ')).toBeUndefined();
    expect(parseForm('=1')).toBeUndefined();
  });
});

describe('SignalWire X-SignalWire-Signature', () => {
  it('gives the same vector as Twilio for single-valued fields, as its package does', () => {
    expect(signalwireSignature('12345', VECTOR_URL, fieldsOf(VECTOR_PARAMS))).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(RestClient.validateRequest('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', VECTOR_URL, VECTOR_PARAMS)).toBe(true);
  });

  it('signs as the twilio and signalwire packages for forms of 49 to 90 fields too (past the insertion sort)', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,5}$/);
    const value = fc.string({ maxLength: 6 });
    fc.assert(
      fc.property(fc.dictionary(name, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })), { minKeys: 49, maxKeys: 90 }), (params) => {
        const url = 'https://ivr.example.com/twilio/step/c1/2?t=x&k=gather';
        expect(twilioSignature('tok', url, fieldsOf(params))).toBe(twilio.getExpectedTwilioSignature('tok', url, params));
        expect(RestClient.validateRequest('key', signalwireSignature('key', url, fieldsOf(params)), url, params, true)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('agrees with @signalwire/compatibility-api on any URL and form, repeated values kept as sent', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
    const value = fc.string({ maxLength: 12 });
    // Its validator signs the URL as a URL parser normalises it (`http://a.b` → `http://a.b/`); the URLs we write are normal already.
    const normalUrl = fc.webUrl({ withQueryParameters: true }).filter((u) => new URL(u).toString() === u);
    fc.assert(
      fc.property(
        normalUrl,
        fc.dictionary(name, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }))),
        fc.string({ minLength: 1, maxLength: 20 }),
        (url, params, key) => {
          const ours = signalwireSignature(key, url, fieldsOf(params));
          expect(RestClient.validateRequest(key, ours, url, params, true)).toBe(true);
          expect(verifyHmacSignature('signalwire', key, ours, url, fieldsOf(params))).toBe('valid');
          expect(verifyHmacSignature('signalwire', `${key}x`, ours, url, fieldsOf(params))).toBe('invalid');
          expect(RestClient.validateRequest(`${key}x`, ours, url, params, true)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Telnyx telnyx-signature-ed25519', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  const ours = telnyxPublicKey(raw);
  const body = 'AccountSid=acc-1&CallSid=v3%3Aabc&From=%2B6591234567&To=%2B6560000001';

  const theirs = async (sig: string, ts: string, payload: string, nowSeconds: number): Promise<boolean> => {
    const realNow = Date.now;
    Date.now = () => nowSeconds * 1000;
    try {
      await new TelnyxWebhook(raw).verify(payload, { 'telnyx-signature-ed25519': sig, 'telnyx-timestamp': ts });
      return true;
    } catch {
      return false;
    } finally {
      Date.now = realNow;
    }
  };

  it('signs `timestamp|body` so that the telnyx package accepts it, and verifies what it accepts', async () => {
    const now = 1_790_000_000;
    const sig = telnyxSignature(privateKey, String(now), body);
    expect(await theirs(sig, String(now), body, now)).toBe(true);
    expect(verifyTelnyxSignature(ours, sig, String(now), body, now)).toBe('valid');
  });

  it('refuses what the package refuses: a tampered body, a timestamp 301 s off either way, another key, nothing', async () => {
    const now = 1_790_000_000;
    const cases: Array<{ sig: string; ts: string; body: string; at: number; verdict: 'valid' | 'invalid' | 'missing' }> = [
      { sig: telnyxSignature(privateKey, String(now), body), ts: String(now), body: `${body}&Digits=1`, at: now, verdict: 'invalid' },
      { sig: telnyxSignature(privateKey, String(now - 301), body), ts: String(now - 301), body, at: now, verdict: 'invalid' },
      { sig: telnyxSignature(privateKey, String(now + 301), body), ts: String(now + 301), body, at: now, verdict: 'invalid' },
      { sig: telnyxSignature(privateKey, String(now - 300), body), ts: String(now - 300), body, at: now, verdict: 'valid' },
      { sig: telnyxSignature(generateKeyPairSync('ed25519').privateKey, String(now), body), ts: String(now), body, at: now, verdict: 'invalid' },
      // The separator is `|`; a `.` (a common mistake) signs something else.
      { sig: telnyxSignature(privateKey, String(now), body).replace(/./, (ch) => (ch === 'A' ? 'B' : 'A')), ts: String(now), body, at: now, verdict: 'invalid' },
    ];
    for (const c of cases) {
      expect(verifyTelnyxSignature(ours, c.sig, c.ts, c.body, c.at)).toBe(c.verdict);
      expect(await theirs(c.sig, c.ts, c.body, c.at)).toBe(c.verdict === 'valid');
    }
    expect(verifyTelnyxSignature(ours, undefined, String(now), body, now)).toBe('missing');
    expect(verifyTelnyxSignature(ours, 'abc', undefined, body, now)).toBe('missing');
    expect(verifyTelnyxSignature(ours, 'not-base64-of-64-bytes', String(now), body, now)).toBe('invalid');
  });

  it('refuses a public key that is not 32 bytes', () => {
    expect(() => telnyxPublicKey(Buffer.alloc(31).toString('base64'))).toThrow(/32-byte/);
  });
});
