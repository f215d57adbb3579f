/**
 * Option parsers shared by the commands that place calls from the terminal
 * (`call`, `phone`): keys, transfer outcomes, numbers, seconds, URLs. A bad
 * value is commander's InvalidArgumentError, so the message names the option.
 */
import { InvalidArgumentError } from 'commander';
import type { DialOutcome } from '../simulator/types.js';
import { isE164 } from '../util/e164.js';
import { isHttpUrl } from '../util/http-url.js';

const OUTCOMES: readonly DialOutcome[] = ['answered', 'busy', 'unanswered', 'failed'];

export function outcome(value: string): DialOutcome {
  const found = OUTCOMES.find((o) => o === value.trim());
  if (found === undefined) throw new InvalidArgumentError(`expected one of ${OUTCOMES.join(', ')}`);
  return found;
}

export function outcomes(value: string): DialOutcome[] {
  return value.split(',').map(outcome);
}

/** `1,,9`: keys for each gather in turn; empty = no input. */
export function presses(value: string): string[] {
  const list = value.split(',').map((s) => s.trim());
  for (const keys of list) if (!/^[0-9*#]*$/.test(keys)) throw new InvalidArgumentError(`"${keys}" is not keys (0-9, * and #; empty = no input)`);
  return list;
}

export function e164(value: string): string {
  if (!isE164(value)) throw new InvalidArgumentError('expected an E.164 number like +6591234567');
  return value;
}

export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds');
  return n;
}

export function httpUrl(value: string): string {
  if (!isHttpUrl(value)) throw new InvalidArgumentError('expected an http(s) URL');
  return value;
}
