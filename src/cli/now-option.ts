import { InvalidArgumentError } from 'commander';
import { parseIsoTime } from '../util/iso-time.js';

/** `--now <ISO time>`: a date and time with its offset, so a test means the same on every machine. */
export function isoTime(value: string): number {
  const time = parseIsoTime(value);
  if (!time.ok) throw new InvalidArgumentError('expected a date and time with its offset, like 2026-12-24T10:30:00+08:00');
  return time.ms;
}
