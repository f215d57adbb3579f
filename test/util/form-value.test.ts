import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFormText, decodeFormValue } from '../../src/util/form-value.js';

describe('decodeFormValue', () => {
  it('reads + as a space and %XX as UTF-8 bytes', () => {
    expect(decodeFormValue('a+b%2Bc')).toBe('a b+c');
    expect(decodeFormValue('%E2%82%AC%20')).toBe('€ ');
    expect(decodeFormValue('plain')).toBe('plain');
    expect(decodeFormValue('')).toBe('');
  });

  it('refuses a broken escape or bytes that are not UTF-8, where URLSearchParams guesses', () => {
    expect(decodeFormValue('%')).toBeUndefined();
    expect(decodeFormValue('%zz')).toBeUndefined();
    expect(decodeFormValue('%FF')).toBeUndefined();
    expect(new URLSearchParams('v=%FF').get('v')).toBe('\uFFFD');
  });
});

describe('decodeFormText', () => {
  /** The rule, written the plain way: `+` to space, then decodeURIComponent; undefined where it throws. */
  const reference = (raw: string): string | undefined => {
    try {
      return decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };

  it('decodes any text as replacing + and then decodeURIComponent would (ASCII escapes in one pass, UTF-8 strictly)', () => {
    const unit = fc.constantFrom('a', 'Z', '+', '%', '2', 'B', 'f', 'G', '%2B', '%3a', '%20', '%C3%A9', '%E2%82', '%E2%82%AC', '%FF', '%7F', '%00', 'é', '\uD800');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 10 }), (parts) => {
        const raw = parts.join('');
        expect(decodeFormText(raw)).toBe(reference(raw));
      }),
      { numRuns: 2000 },
    );
    expect(decodeFormText('%2B6591234567')).toBe('+6591234567');
    expect(decodeFormText('a%2')).toBeUndefined();
    expect(decodeFormText('https%3A%2F%2Fx.example%2Fr.wav')).toBe('https://x.example/r.wav');
  });
});
