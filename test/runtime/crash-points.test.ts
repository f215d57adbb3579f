import { describe, expect, it } from 'vitest';
import { CrashPointError, parseCrashAt } from '../../src/runtime/crash-points.js';

describe('CALLSCRIPT_CRASH_AT (the restart test hook)', () => {
  it('is inert when unset or empty', () => {
    expect(parseCrashAt(undefined)).toBeUndefined();
    expect(parseCrashAt('')).toBeUndefined();
  });

  it('names a point and the pass to die on', () => {
    expect(parseCrashAt('notify.committed:3')).toEqual({ point: 'notify.committed', left: 3 });
    expect(parseCrashAt('block.accepted:1')).toEqual({ point: 'block.accepted', left: 1 });
  });

  it('refuses a value it cannot act on, rather than let a test run with no crash', () => {
    for (const bad of ['notify.committed', 'notify.committed:0', 'nowhere:1', 'block.sending:-1', 'block.sending:1x']) {
      expect(() => parseCrashAt(bad)).toThrow(CrashPointError);
    }
  });
});
