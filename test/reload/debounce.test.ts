/** The debouncer turns a burst of file events into one reload (fake clock: no real waiting). */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Debouncer } from '../../src/reload/debounce.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Debouncer', () => {
  test('50 events close together (a git checkout) run the action once, after the quiet time', () => {
    const action = vi.fn();
    const d = new Debouncer(action, 150, 600);
    for (let i = 0; i < 50; i++) {
      d.trigger();
      vi.advanceTimersByTime(2);
    }
    expect(action).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(action).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5_000);
    expect(action).toHaveBeenCalledTimes(1);
  });

  test('a stream of events never quiet still runs the action by the longest wait', () => {
    const action = vi.fn();
    const d = new Debouncer(action, 150, 600);
    for (let t = 0; t < 1_000; t += 100) {
      d.trigger();
      vi.advanceTimersByTime(100);
    }
    // at 600 ms, then at 1200 ms (600 after the first event of the second burst) at the latest
    expect(action).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(600);
    expect(action).toHaveBeenCalledTimes(2);
  });

  test('cancel drops a pending action', () => {
    const action = vi.fn();
    const d = new Debouncer(action, 150, 600);
    d.trigger();
    expect(d.pending).toBe(true);
    d.cancel();
    vi.advanceTimersByTime(1_000);
    expect(action).not.toHaveBeenCalled();
  });
});
