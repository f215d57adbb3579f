/** Thrown for a duration without a unit or otherwise unreadable; `code` for the CLI. */
export class DurationError extends Error {
  readonly code = 'CS_BAD_DURATION';
  constructor(readonly input: string) {
    super(`"${input}" is not a duration: write a number with a unit, e.g. 4h, 10m, 90s, 500ms`);
    this.name = 'DurationError';
  }
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `4h`, `10m`, `1.5h`, `90s`, `500ms`, `2d` → milliseconds. A bare number is refused:
 * `--session-ttl 3600` could mean seconds or milliseconds, and guessing wrong expires calls.
 */
export function parseDuration(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(input);
  if (m === null) throw new DurationError(input);
  const ms = Math.round(Number(m[1]) * (UNITS[m[2]!.toLowerCase()] ?? Number.NaN));
  if (!Number.isSafeInteger(ms)) throw new DurationError(input);
  return ms;
}

/** 14400000 → `4h`, for logs and help texts. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
