import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { E164, isE164 } from '../../src/util/e164.js';

describe('E.164 numbers', () => {
  it('+, a country code not starting with 0, 7 to 15 digits in all', () => {
    for (const n of ['+6591234567', '+14155550100', '+1234567', '+123456789012345']) expect(isE164(n)).toBe(true);
    for (const n of ['', '6591234567', '+0591234567', '+123456', '+1234567890123456', '+65 9123 4567', '+65-91234567', 'private', '+6591234567\n', '＋6591234567', '+٦٥٩١٢٣٤٥٦٧']) {
      expect(isE164(n)).toBe(false);
    }
  });

  it('is the pattern the script schema gives numbers written in scripts', () => {
    const schema = JSON.parse(readFileSync('schema/callscript.schema.json', 'utf8')) as { definitions: { e164: { pattern: string } } };
    expect(schema.definitions.e164.pattern).toBe(E164.source);
  });
});
