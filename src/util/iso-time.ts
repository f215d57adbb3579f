/**
 * The one reading of "a date and time with its offset" (`2026-12-24T10:30:00+08:00`,
 * `…Z`): what `--now` and a test file's `now:` take, so a test means the same on
 * every machine whatever its time zone.
 */
export type IsoTime =
  | { readonly ok: true; readonly ms: number }
  /** `not-a-date-time`: not a valid date and time at all; `no-offset`: one, but in the machine's zone. */
  | { readonly ok: false; readonly problem: 'not-a-date-time' | 'no-offset' };

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/;

export function parseIsoTime(value: string): IsoTime {
  const ms = Date.parse(value);
  if (!DATE_TIME.test(value) || Number.isNaN(ms)) return { ok: false, problem: 'not-a-date-time' };
  if (!OFFSET.test(value)) return { ok: false, problem: 'no-offset' };
  return { ok: true, ms };
}
