/**
 * Reads an `hours:` block: weekday keys (`mon`, `mon-fri`, `sat,sun`), ranges
 * (`"09:00-18:00"`, lists of them, `closed`, `open`), dated exceptions. Pure and
 * shared by the checks (which report the problems with positions) and the builder.
 *
 * Decisions: a range whose end is before its start crosses midnight and belongs
 * to the day it starts on (`fri: "22:00-02:00"` is open early Saturday); `24:00`
 * may end a range; a day named by two keys is an error; days not named are closed.
 */
import type { HoursRange, OpeningHours } from './model.js';
import type { DataPath } from './paths.js';
import { isRecord, own } from './raw.js';
import { didYouMean } from './suggest.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface HoursProblem {
  readonly path: DataPath;
  readonly on: 'key' | 'value';
  readonly code: string;
  readonly message: string;
}

const TIME = /^(\d{1,2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

let canonicalZones: ReadonlySet<string> | undefined;

/**
 * Whether the runtime knows the IANA zone (Intl throws a RangeError for unknown ones).
 * A canonical name (`Asia/Singapore`) is looked up in the runtime's list, which is
 * ready at once; only other spellings (`UTC`, `US/Eastern`, other cases) build a
 * DateTimeFormat, whose first construction loads the locale data (~25 ms that
 * `validate` would otherwise pay for any script with opening hours).
 */
export function validTimeZone(zone: string): boolean {
  canonicalZones ??= new Set(knownZones());
  if (canonicalZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.trim() !== '';
  } catch {
    return false;
  }
}

/** Zone names to suggest from (Node 20 has `Intl.supportedValuesOf`). */
function knownZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

function minutes(text: string, allow24: boolean): number | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return undefined;
  if (h === 24 && min === 0 && allow24) return 1440;
  if (h > 23) return undefined;
  return h * 60 + min;
}

/** `mon`, `mon-fri`, `sat,sun`, `mon-wed,fri` → day indexes (Monday 0); undefined when it does not parse. */
export function parseDays(key: string): number[] | undefined {
  const days: number[] = [];
  for (const part of key.split(',').map((p) => p.trim().toLowerCase())) {
    const [from, to, extra] = part.split('-').map((p) => p.trim());
    if (extra !== undefined || from === undefined) return undefined;
    const a = WEEKDAYS.indexOf(from as (typeof WEEKDAYS)[number]);
    if (a < 0) return undefined;
    if (to === undefined) {
      days.push(a);
      continue;
    }
    const b = WEEKDAYS.indexOf(to as (typeof WEEKDAYS)[number]);
    if (b < 0) return undefined;
    for (let d = a; ; d = (d + 1) % 7) {
      days.push(d);
      if (d === b) break;
    }
  }
  return days;
}

function parseRanges(value: unknown, path: DataPath, problems: HoursProblem[]): HoursRange[] {
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'closed') return [];
    if (text === 'open') return [{ start: 0, end: 1440 }];
  }
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  const ranges: HoursRange[] = [];
  items.forEach((item: unknown, i) => {
    const at = Array.isArray(value) ? [...path, i] : path;
    const text = typeof item === 'string' ? item : String(item);
    const [a, b, extra] = text.split('-');
    const start = a === undefined ? undefined : minutes(a, false);
    const end = b === undefined ? undefined : minutes(b, true);
    if (extra !== undefined || start === undefined || end === undefined) {
      const hint = /^(closed|open)$/i.test(text.trim()) ? ': `closed` and `open` stand alone, not in a list' : '';
      problems.push({ path: at, on: 'value', code: 'CS_HOURS', message: `expected opening hours as "HH:MM-HH:MM" (like "09:00-18:00"), "closed" or "open", got ${JSON.stringify(text)}${hint}` });
      return;
    }
    if (start === end) {
      problems.push({ path: at, on: 'value', code: 'CS_HOURS', message: `${JSON.stringify(text)} starts and ends at the same time: write "open" for all day` });
      return;
    }
    // An end before the start crosses midnight: the range runs on into the next day.
    ranges.push({ start, end: end > start ? end : end + 1440 });
  });
  return ranges;
}

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Parses the block at `path`; `hours` is set when there are no problems. */
export function parseHours(block: unknown, path: DataPath): { hours?: OpeningHours; problems: HoursProblem[] } {
  const problems: HoursProblem[] = [];
  if (!isRecord(block)) return { problems };
  const timezone = own(block, 'timezone');
  if (typeof timezone === 'string' && !validTimeZone(timezone)) {
    problems.push({
      path: [...path, 'timezone'],
      on: 'value',
      code: 'CS_TIMEZONE',
      message: `unknown time zone ${JSON.stringify(timezone)}: use an IANA name like Asia/Singapore or Europe/London${didYouMean(timezone, knownZones())}`,
    });
  }
  const weekly: HoursRange[][] = WEEKDAYS.map(() => []);
  const named = new Map<number, string>();
  const rawWeekly = own(block, 'weekly');
  if (isRecord(rawWeekly)) {
    for (const [key, value] of Object.entries(rawWeekly)) {
      const days = parseDays(key);
      if (days === undefined) {
        const first = key.split(/[-,]/)[0]?.trim() ?? key;
        problems.push({
          path: [...path, 'weekly', key],
          on: 'key',
          code: 'CS_HOURS',
          message: `\`${key}\` is not a weekday, a range (mon-fri) or a list (sat,sun) of ${WEEKDAYS.join(', ')}${didYouMean(first, WEEKDAYS)}`,
        });
        continue;
      }
      const ranges = parseRanges(value, [...path, 'weekly', key], problems);
      for (const day of days) {
        const earlier = named.get(day);
        if (earlier !== undefined) {
          problems.push({ path: [...path, 'weekly', key], on: 'key', code: 'CS_HOURS', message: `${WEEKDAYS[day] ?? ''} is already given by \`${earlier}\`: name each day once` });
          continue;
        }
        named.set(day, key);
        weekly[day] = ranges;
      }
    }
  }
  const exceptions: Record<string, HoursRange[]> = Object.create(null) as Record<string, HoursRange[]>;
  const rawExceptions = own(block, 'exceptions');
  if (isRecord(rawExceptions)) {
    for (const [date, value] of Object.entries(rawExceptions)) {
      if (DATE.test(date) && !validDate(date)) {
        problems.push({ path: [...path, 'exceptions', date], on: 'key', code: 'CS_HOURS', message: `${date} is not a date in the calendar` });
        continue;
      }
      exceptions[date] = parseRanges(value, [...path, 'exceptions', date], problems);
    }
  }
  if (problems.length > 0 || typeof timezone !== 'string') return { problems };
  return { hours: { timezone, weekly, exceptions }, problems };
}
