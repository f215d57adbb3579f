/** validTimeZone answers as Intl.DateTimeFormat does, from the runtime's list when it can (no locale data loaded). */
import { describe, expect, it } from 'vitest';
import { validTimeZone } from '../../src/script/hours-spec.js';

function intlAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.trim() !== '';
  } catch {
    return false;
  }
}

describe('validTimeZone', () => {
  it('accepts every zone the runtime lists, as DateTimeFormat does', () => {
    for (const zone of Intl.supportedValuesOf('timeZone')) expect([zone, validTimeZone(zone)]).toEqual([zone, intlAccepts(zone)]);
  });

  it('agrees with DateTimeFormat on other spellings and on names that are not zones', () => {
    for (const zone of ['UTC', 'Etc/GMT+8', 'US/Eastern', 'asia/singapore', 'Asia/Calcutta', 'Asia/Singpore', '', ' ', 'Mars/Olympus', 'GMT']) {
      expect([zone, validTimeZone(zone)]).toEqual([zone, intlAccepts(zone)]);
    }
  });
});
