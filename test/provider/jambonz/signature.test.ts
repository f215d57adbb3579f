/**
 * `Jambonz-Signature` signing and verifying, cross-checked against
 * @jambonz/sdk's own verifier (WebhookResponse.verifySignature) with the same
 * inputs, and the vector of ../shared/providers.md §4.4.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookResponse } from '@jambonz/sdk/webhook';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jambonzSignature, jambonzSignatureHeader, verifyJambonzSignature } from '../../../src/provider/jambonz/signature.js';

/** The SDK's Express middleware run on a raw body: true when it lets the request through. */
function sdkAccepts(secret: string, header: string | undefined, body: string): boolean {
  const req = { headers: header === undefined ? {} : { 'jambonz-signature': header }, body } as unknown as IncomingMessage & { body: string };
  let verdict: Error | undefined | 'pending' = 'pending';
  WebhookResponse.verifySignature(secret)(req, {} as ServerResponse, (err?: Error) => (verdict = err));
  if (verdict === 'pending') throw new Error('the SDK verifier did not answer');
  return verdict === undefined;
}

const now = (): number => Math.floor(Date.now() / 1000);

describe('Jambonz-Signature', () => {
  it('gives the vector of providers.md §4.4', () => {
    expect(jambonzSignature('wh_secret_123', '1700000000', '{"call_sid":"abc","digits":"1"}')).toBe('f20bc044b6be83dbb008534ae1fad72764a133794b9d1ed9e5106524084f25ae');
    expect(verifyJambonzSignature('wh_secret_123', 't=1700000000,v1=f20bc044b6be83dbb008534ae1fad72764a133794b9d1ed9e5106524084f25ae', '{"call_sid":"abc","digits":"1"}', 1700000100)).toBe('valid');
    // The same JSON with its keys in another order is another body: the signature covers bytes, not meaning.
    expect(verifyJambonzSignature('wh_secret_123', 't=1700000000,v1=f20bc044b6be83dbb008534ae1fad72764a133794b9d1ed9e5106524084f25ae', '{"digits":"1","call_sid":"abc"}', 1700000100)).toBe('invalid');
  });

  it('agrees with @jambonz/sdk on any body, secret and clock skew within and beyond 300 s', () => {
    fc.assert(
      fc.property(
        fc.json(),
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
        fc.integer({ min: -400, max: 400 }),
        fc.boolean(),
        (body, secret, skew, forge) => {
          const t = now();
          const header = jambonzSignatureHeader(forge ? `${secret}x` : secret, t + skew, body);
          const ours = verifyJambonzSignature(secret, header, body, t) === 'valid';
          // The SDK reads its own clock: stay clear of the second boundary and the window's edges.
          if (Math.abs(Math.abs(skew) - 300) > 2) expect(ours).toBe(sdkAccepts(secret, header, body));
          expect(ours).toBe(!forge && Math.abs(skew) <= 300);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a missing, malformed, stale or future header, a tampered body and another secret; takes any of several v1', () => {
    const body = '{"call_sid":"c1","call_status":"completed"}';
    const t = 1_800_000_000;
    const good = jambonzSignatureHeader('secret', t, body);
    expect(verifyJambonzSignature('secret', good, body, t)).toBe('valid');
    expect(verifyJambonzSignature('secret', undefined, body, t)).toBe('missing');
    expect(verifyJambonzSignature('secret', '', body, t)).toBe('missing');
    expect(verifyJambonzSignature('secret', 'v1=abc', body, t)).toBe('invalid');
    expect(verifyJambonzSignature('secret', `t=abc,${good.split(',')[1] ?? ''}`, body, t)).toBe('invalid');
    expect(verifyJambonzSignature('secret', good, body, t + 301)).toBe('invalid');
    expect(verifyJambonzSignature('secret', good, body, t - 301)).toBe('invalid');
    expect(verifyJambonzSignature('secret', good, body, t + 300)).toBe('valid');
    expect(verifyJambonzSignature('secret', good, body.replace('completed', 'failed'), t)).toBe('invalid');
    expect(verifyJambonzSignature('other', good, body, t)).toBe('invalid');
    const rotated = `t=${t},v1=${'0'.repeat(64)},v1=${jambonzSignature('secret', String(t), body)}`;
    expect(verifyJambonzSignature('secret', rotated, body, t)).toBe('valid');
    expect(sdkAccepts('secret', jambonzSignatureHeader('secret', now(), body), body)).toBe(true);
    expect(sdkAccepts('secret', jambonzSignatureHeader('secret', now() - 400, body), body)).toBe(false);
  });
});
