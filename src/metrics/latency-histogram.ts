/**
 * A Prometheus histogram with one label, for the per-step latencies. prom-client's
 * Histogram validates and hashes its labels on every `observe`, even through a
 * bound child; these are observed twice per step, so they are kept in plain arrays
 * and written in the text format at scrape time.
 */
export class LatencyHistogram {
  private readonly series = new Map<string, { readonly counts: Float64Array; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly label: string,
    /** Upper bounds in seconds, ascending; `+Inf` is implied. */
    readonly buckets: readonly number[],
  ) {}

  observe(labelValue: string, seconds: number): void {
    let s = this.series.get(labelValue);
    if (s === undefined) {
      s = { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.series.set(labelValue, s);
    }
    let i = 0;
    while (i < this.buckets.length && seconds > (this.buckets[i] ?? Number.POSITIVE_INFINITY)) i++;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += seconds;
    s.count += 1;
  }

  /** The Prometheus text exposition of this histogram. */
  text(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    for (const [value, s] of [...this.series].sort(([a], [b]) => a.localeCompare(b))) {
      const label = `${this.label}="${escapeLabel(value)}"`;
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i] ?? 0;
        lines.push(`${this.name}_bucket{le="${bound}",${label}} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket{le="+Inf",${label}} ${s.count}`);
      lines.push(`${this.name}_sum{${label}} ${s.sum}`);
      lines.push(`${this.name}_count{${label}} ${s.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
