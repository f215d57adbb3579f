/**
 * Opening hours at an instant, in the hours' own time zone (wall-clock time, so
 * daylight-saving changes need nothing special). Pure: the instant is given.
 */
import type { HoursRange, OpeningHours } from '../script/model.js';

interface LocalTime {
  /** `YYYY-MM-DD` in the zone. */
  readonly date: string;
  /** Monday 0 … Sunday 6. */
  readonly weekday: number;
  /** Minutes since local midnight. */
  readonly minutes: number;
}

const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

// One formatter per zone: building one costs far more than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localTime(timeZone: string, epochMs: number): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const hour = Number(parts.hour) % 24;
  return {
    date: `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''}`,
    weekday: WEEKDAY_INDEX[parts.weekday ?? ''] ?? 0,
    minutes: hour * 60 + Number(parts.minute),
  };
}

function previousDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) - 1)).toISOString().slice(0, 10);
}

function rangesOn(hours: OpeningHours, date: string, weekday: number): readonly HoursRange[] {
  return Object.hasOwn(hours.exceptions, date) ? (hours.exceptions[date] ?? []) : (hours.weekly[weekday] ?? []);
}

/**
 * Open when the time falls in one of the day's ranges (its exception's, if the
 * date has one, else its weekday's), or in the after-midnight part of a range the
 * previous day started.
 */
export function isOpen(hours: OpeningHours, epochMs: number): boolean {
  const now = localTime(hours.timezone, epochMs);
  if (rangesOn(hours, now.date, now.weekday).some((r) => r.start <= now.minutes && now.minutes < Math.min(r.end, 1440))) return true;
  const yesterday = rangesOn(hours, previousDate(now.date), (now.weekday + 6) % 7);
  return yesterday.some((r) => r.end > 1440 && now.minutes < r.end - 1440);
}
