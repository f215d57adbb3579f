import { describe, expect, it } from 'vitest';
import { parseIsoTime } from '../../src/util/iso-time.js';

describe('a date and time with its offset', () => {
  it('takes Z and ±hh:mm / ±hhmm offsets, seconds and fractions optional', () => {
    expect(parseIsoTime('2026-12-24T10:30:00+08:00')).toEqual({ ok: true, ms: Date.UTC(2026, 11, 24, 2, 30) });
    expect(parseIsoTime('2026-12-24T02:30Z')).toEqual({ ok: true, ms: Date.UTC(2026, 11, 24, 2, 30) });
    expect(parseIsoTime('2026-12-24T02:30:00.500-0100')).toEqual({ ok: true, ms: Date.UTC(2026, 11, 24, 3, 30, 0, 500) });
  });

  it('tells a time without an offset from something that is no date and time', () => {
    expect(parseIsoTime('2026-12-24T10:30:00')).toEqual({ ok: false, problem: 'no-offset' });
    for (const value of ['', 'tomorrow', '2026-12-24', '2026-13-40T10:30:00Z', '24/12/2026 10:30 +08:00', '2026-12-24 10:30:00Z']) {
      expect(parseIsoTime(value)).toEqual({ ok: false, problem: 'not-a-date-time' });
    }
  });
});
