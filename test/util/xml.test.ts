import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlCarryable, xmlEscape, xmlText } from '../../src/util/xml.js';

describe('xmlText', () => {
  it('escapes markup characters and drops what XML 1.0 cannot carry', () => {
    expect(xmlText('Tom & Jerry say "<hi>"')).toBe('Tom &amp; Jerry say &quot;&lt;hi&gt;&quot;');
    expect(xmlText('a\u0000b\u0008c\td\ne\u000Bf\uFFFEg')).toBe('abc\td\nefg');
    expect(xmlText('lone \uD800 surrogate, pair 😀 kept')).toBe('lone  surrogate, pair 😀 kept');
    expect(xmlText('Press 1 for sales.')).toBe('Press 1 for sales.');
    expect(xmlText('https://ivr.example.com/twilio/step/c1/3?t=abc&k=gather&a=2')).toBe('https://ivr.example.com/twilio/step/c1/3?t=abc&amp;k=gather&amp;a=2');
  });

  it('its shortcuts (nothing to do; only ampersands) give what escaping the carryable text gives, for any text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', ' ', '&', '<', '>', '"', "'", '\t', '\n', '\u0001', '\uD83D', '\uDE00', '\uFFFF', '你'), maxLength: 20 }),
      // URL-like text: mostly safe characters and `&`, sometimes one that is not.
      fc.string({ unit: fc.constantFrom('a', '=', '?', '/', '&', '&', '%', '<', '\u0002'), maxLength: 30 }),
    );
    fc.assert(fc.property(text, (s) => xmlText(s) === xmlEscape(xmlCarryable(s))));
  });
});
