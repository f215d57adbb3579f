/** Small statistics and formatting helpers for the benchmark's tables. */
import { createPrng } from '../../src/simulator/prng.js';

/** The q-quantile (0–1) of ascending `sorted` values, nearest rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/**
 * The `level` interval of the median of `values` by the percentile bootstrap: the
 * median of `resamples` draws (with replacement) of as many values, cut at both
 * tails. Seeded, so the same rounds give the same interval. Rounds on a shared
 * machine are not independent draws (its speed drifts over minutes), so it is the
 * least the median may be off by, not the most. NaNs when there are no values.
 */
export function medianInterval(values: readonly number[], level = 0.95, resamples = 2000, seed = 0x5eed): readonly [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const random = createPrng(seed);
  const medians: number[] = [];
  const draw = new Array<number>(values.length);
  for (let i = 0; i < resamples; i++) {
    for (let j = 0; j < values.length; j++) draw[j] = random.pick(values);
    medians.push(median(draw));
  }
  medians.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return [quantile(medians, tail), quantile(medians, 1 - tail)];
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A plain-text table: left-aligned first column, right-aligned others. */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [headers.map(String), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join('\n');
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  return n.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '—';
}
