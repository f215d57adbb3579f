/**
 * Expected vs actual: a test case's expectations checked against the call's transcript,
 * turn by turn, then the engine's outcome and the final variables. The verdict keeps
 * every turn (matching or not) so the diff can show the call in context.
 */
import type { Outcome } from '../engine/state.js';
import { describeMatcher, matches, type ExpectedTurn, type Matcher, type TestCase } from './test-file.js';
import { formatMove, PARAM_NAMES, type CallerMove, type Transcript, type Turn } from './transcript.js';

export interface TurnCheck {
  readonly index: number;
  readonly expected?: ExpectedTurn;
  readonly actual?: Turn;
  /** Empty when the turn matches. */
  readonly problems: readonly string[];
}

export interface ValueCheck {
  readonly name: string;
  readonly expected: string;
  readonly actual: string;
}

export interface CaseVerdict {
  readonly passed: boolean;
  readonly turns: readonly TurnCheck[];
  readonly outcome?: ValueCheck;
  readonly vars: readonly ValueCheck[];
  /** Problems outside the transcript: a call that did not end, a caller plan that could not apply. */
  readonly notes: readonly string[];
}

function sameMove(a: CallerMove, b: CallerMove | undefined): boolean {
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function checkTurn(expected: ExpectedTurn, actual: Turn, unseen: ReadonlySet<string>): string[] {
  if (expected.block !== actual.block) return [`expected a ${expected.block}, got a ${actual.block}`];
  const problems: string[] = [];
  if (!matches(expected.message, actual.message)) {
    problems.push(`message: expected ${describeMatcher(expected.message)}, got ${actual.message === undefined ? 'no message' : JSON.stringify(actual.message)}`);
  }
  for (const name of PARAM_NAMES) {
    const m = expected.params[name];
    if (m === undefined || m.kind === 'any' || unseen.has(name)) continue;
    const value = actual.params[name];
    if (!matches(m, value)) problems.push(`${name}: expected ${describeMatcher(m)}, got ${value === undefined ? 'none sent' : JSON.stringify(value)}`);
  }
  if (expected.caller !== undefined && !sameMove(expected.caller, actual.caller)) {
    problems.push(
      `caller: expected ${formatMove(expected.caller, actual.block)}, but ${actual.caller === undefined ? 'the call did not wait for it' : formatMove(actual.caller, actual.block)}`,
    );
  }
  if (actual.error !== undefined) problems.push(`the provider refused the block: ${actual.error}`);
  return problems;
}

/** `unseen`: parameters the provider never receives (a TwiML provider sees no tags), left out of the comparison. */
export function checkCase(
  test: TestCase,
  transcript: Transcript,
  outcome: Outcome | undefined,
  vars: Readonly<Record<string, string>>,
  notes: readonly string[],
  unseen: ReadonlySet<string> = new Set(),
): CaseVerdict {
  const turns: TurnCheck[] = [];
  const expect = test.expect ?? [];
  const count = Math.max(expect.length, transcript.turns.length);
  for (let index = 0; index < count; index++) {
    const expected = expect[index];
    const actual = transcript.turns[index];
    if (expected !== undefined && actual !== undefined) {
      turns.push({ index, expected, actual, problems: checkTurn(expected, actual, unseen) });
    } else if (expected !== undefined) {
      turns.push({ index, expected, problems: ['expected, but the call had ended'] });
    } else if (actual !== undefined) {
      turns.push({ index, actual, problems: ['not expected: the call went on after the last expected block'] });
    }
  }
  let outcomeCheck: ValueCheck | undefined;
  if (test.outcome !== undefined && test.outcome !== outcome) {
    outcomeCheck = { name: 'outcome', expected: test.outcome, actual: outcome ?? '(the engine did not report one)' };
  }
  const varChecks: ValueCheck[] = [];
  for (const [name, m] of Object.entries(test.vars ?? {})) {
    const actual = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (!matches(m as Matcher, actual)) {
      varChecks.push({ name: `vars.${name}`, expected: describeMatcher(m as Matcher), actual: actual === undefined ? '(not set)' : JSON.stringify(actual) });
    }
  }
  const passed = turns.every((t) => t.problems.length === 0) && outcomeCheck === undefined && varChecks.length === 0 && notes.length === 0;
  return { passed, turns, ...(outcomeCheck !== undefined ? { outcome: outcomeCheck } : {}), vars: varChecks, notes };
}
