/** The benchmark's statistics: the bootstrap interval printed beside each ratio. */
import { describe, expect, it } from 'vitest';
import { median, medianInterval } from '../../bench/lib/stats.js';

describe('medianInterval', () => {
  it('brackets the median, and narrows as rounds agree more', () => {
    const spread = [1.02, 1.31, 0.97, 1.12, 1.25, 1.08, 1.16, 0.99, 1.2, 1.11, 1.05, 1.14];
    const tight = spread.map((x) => 1.1 + (x - 1.1) / 10);
    const [lo, hi] = medianInterval(spread);
    expect(lo).toBeLessThanOrEqual(median(spread));
    expect(hi).toBeGreaterThanOrEqual(median(spread));
    expect(lo).toBeGreaterThanOrEqual(Math.min(...spread));
    expect(hi).toBeLessThanOrEqual(Math.max(...spread));
    const [tlo, thi] = medianInterval(tight);
    expect(thi - tlo).toBeLessThan((hi - lo) / 5);
  });

  it('repeats for the same rounds (seeded), and a wider level is no narrower', () => {
    const rounds = [0.9, 1.4, 1.1, 1.0, 1.3, 1.2, 0.95, 1.05];
    expect(medianInterval(rounds)).toEqual(medianInterval(rounds));
    const [lo95, hi95] = medianInterval(rounds, 0.95);
    const [lo50, hi50] = medianInterval(rounds, 0.5);
    expect(lo95).toBeLessThanOrEqual(lo50);
    expect(hi95).toBeGreaterThanOrEqual(hi50);
    expect(hi50 - lo50).toBeGreaterThan(0);
  });

  it('is the value itself for identical rounds, and NaN for none', () => {
    expect(medianInterval([1.07, 1.07, 1.07])).toEqual([1.07, 1.07]);
    expect(medianInterval([]).every(Number.isNaN)).toBe(true);
  });
});
