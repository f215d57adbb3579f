import { describe, expect, it } from 'vitest';
import { decodeFormValue } from '../../src/util/form-value.js';

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
