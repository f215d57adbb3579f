import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmac, type HmacAlgorithm, type HmacEncoding } from '../../src/util/hmac.js';

const reference = (algorithm: HmacAlgorithm, key: string, message: string, encoding: HmacEncoding): string =>
  createHmac(algorithm, key).update(message, 'utf8').digest(encoding);

describe('hmac', () => {
  it('gives the published HMAC-SHA1 and HMAC-SHA256 values (RFC 2202, RFC 4231 test case 2)', () => {
    expect(hmac('sha1', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
    expect(hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it("gives Twilio's published signature vector (../shared/providers.md §4.1)", () => {
    const data = 'https://mycompany.com/myapp.php?foo=1&bar=2' + 'CallSidCA1234567890ABCDE' + 'Caller+14158675309' + 'Digits1234' + 'From+14158675309' + 'To+18005551212';
    expect(hmac('sha1', '12345', data, 'base64')).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(hmac('sha256', '12345', data, 'base64')).toBe('033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=');
  });

  it('agrees with createHmac on keys of every length around the block, both algorithms and encodings', () => {
    const messages = ['', 'a', 'https://example.com/twilio/voice' + 'CallSidCA123'.repeat(40), 'ünïcödé ☎ 📞', 'x'.repeat(5000), '\ud800 lone surrogate'];
    for (const algorithm of ['sha1', 'sha256'] as const) {
      for (const encoding of ['base64', 'hex'] as const) {
        for (let length = 0; length <= 130; length++) {
          const key = randomBytes(length).toString('base64').slice(0, length);
          for (const message of messages) expect(hmac(algorithm, key, message, encoding), `${algorithm} ${encoding} key ${length}`).toBe(reference(algorithm, key, message, encoding));
        }
      }
    }
  });

  it('agrees with createHmac on keys that are not ASCII (signed the slow way) and on the same key again', () => {
    for (const key of ['clé', '\u0000\u007f', 'ключ-ключ', '☎'.repeat(30), '\ud800']) {
      for (const algorithm of ['sha1', 'sha256'] as const) {
        expect(hmac(algorithm, key, 'message', 'base64')).toBe(reference(algorithm, key, 'message', 'base64'));
        expect(hmac(algorithm, key, 'message', 'base64')).toBe(reference(algorithm, key, 'message', 'base64'));
      }
    }
  });

  it('keeps each algorithm apart for the same key, and stays right past its cache of keys', () => {
    expect(hmac('sha1', 'k', 'm', 'hex')).toBe(reference('sha1', 'k', 'm', 'hex'));
    expect(hmac('sha256', 'k', 'm', 'hex')).toBe(reference('sha256', 'k', 'm', 'hex'));
    for (let i = 0; i < 200; i++) expect(hmac('sha1', `key-${i}`, `message ${i}`, 'base64')).toBe(reference('sha1', `key-${i}`, `message ${i}`, 'base64'));
    expect(hmac('sha1', 'key-0', 'again', 'base64')).toBe(reference('sha1', 'key-0', 'again', 'base64'));
  });
});
