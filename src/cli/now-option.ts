import { InvalidArgumentError } from 'commander';

/** `--now <ISO time>`: a date and time with its offset, so a test means the same on every machine. */
export function isoTime(value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(ms) || !/(?:Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    throw new InvalidArgumentError('expected a date and time with its offset, like 2026-12-24T10:30:00+08:00');
  }
  return ms;
}
