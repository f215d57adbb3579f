/**
 * The simulator's webhook signers (src/simulator/twiml/sign.ts) against the
 * providers' own packages, for forms whose names repeat and interleave: the
 * order a form is sent in must not change Twilio's signature, and must not
 * be lost for SignalWire's.
 */
import { RestClient } from '@signalwire/compatibility-api';
import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { signalwireSigner, twilioSharedKeySigner, twilioSigner } from '../../src/simulator/twiml/sign.js';

/** A form as sent: names from a small set so that they repeat, in any order. */
const form = fc.array(fc.tuple(fc.constantFrom('Digits', 'To', 'a', 'B', 'b', 'Ä', 'CallSid', 'x_1'), fc.string({ maxLength: 8, unit: 'grapheme' })), {
  maxLength: 14,
});

/** The packages take a form as name → value, or name → values in the order sent. */
function paramsOf(fields: ReadonlyArray<readonly [string, string]>): Record<string, string | string[]> {
  const params: Record<string, string[]> = {};
  for (const [name, value] of fields) (params[name] ??= []).push(value);
  return Object.fromEntries(Object.entries(params).map(([name, values]) => [name, values.length === 1 ? (values[0] ?? '') : values]));
}

const url = fc.webUrl({ withQueryParameters: true }).filter((u) => new URL(u).toString() === u);

describe('the simulator signs as the providers do', () => {
  it('Twilio: the twilio package computes the same signature, whatever order the fields are sent in', () => {
    fc.assert(
      fc.property(url, form, fc.string({ minLength: 1, maxLength: 20 }), (u, fields, token) => {
        const signature = twilioSigner(token)(u, '', fields)['X-Twilio-Signature'];
        expect(signature).toBe(twilio.getExpectedTwilioSignature(token, u, paramsOf(fields)));
        expect(twilioSigner(token)(u, '', [...fields].reverse())['X-Twilio-Signature']).toBe(signature);
      }),
      { numRuns: 400 },
    );
  });

  it('Twilio with a SharedKey: validateRequest with HMAC_SHA256 accepts it, and the settings header names the key', () => {
    fc.assert(
      fc.property(url, form, fc.string({ minLength: 1, maxLength: 20 }), (u, fields, secret) => {
        const headers = twilioSharedKeySigner(secret, 'k1')(u, '', fields);
        expect(headers['X-Twilio-Webhooks-Signature-Settings']).toBe('key=k1,algorithm=HMAC_SHA256');
        expect(twilio.validateRequest(secret, headers['X-Twilio-Signature'] ?? '', u, paramsOf(fields), 'HMAC_SHA256')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('SignalWire: @signalwire/compatibility-api accepts it, and a repeated name keeps the order it was sent in', () => {
    fc.assert(
      fc.property(url, form, fc.string({ minLength: 1, maxLength: 20 }), (u, fields, key) => {
        const signature = signalwireSigner(key)(u, '', fields)['X-SignalWire-Signature'] ?? '';
        expect(RestClient.validateRequest(key, signature, u, paramsOf(fields), true)).toBe(true);
        expect(RestClient.validateRequest(`${key}x`, signature, u, paramsOf(fields), true)).toBe(false);
      }),
      { numRuns: 400 },
    );
    // Two values of one name, sent in both orders: the signatures differ, as SignalWire's do.
    const sign = signalwireSigner('k');
    expect(sign('https://a.example/', '', [['D', '1'], ['D', '2']])).not.toEqual(sign('https://a.example/', '', [['D', '2'], ['D', '1']]));
  });
});
