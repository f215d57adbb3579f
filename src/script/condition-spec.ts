/**
 * Reads a `switch` condition into its compiled form. The language is small on
 * purpose: a value (`var`) compared with `equals`, `in`, `gt`/`gte`/`lt`/`lte`,
 * `matches` or `empty`, and `all`/`any`/`not` around conditions. Nothing is ever
 * evaluated as code; regular expressions are compiled here, once, for a
 * linear-time engine (pattern.ts).
 */
import type { Condition, ValueRef } from './model.js';
import type { DataPath } from './paths.js';
import { compilePattern } from './pattern.js';
import { isRecord, own } from './raw.js';

export const COMPARISONS = ['equals', 'in', 'gt', 'gte', 'lt', 'lte', 'matches', 'empty'] as const;
export const COMBINATORS = ['all', 'any', 'not'] as const;

export interface ConditionProblem {
  readonly path: DataPath;
  readonly on: 'key' | 'value';
  readonly code: string;
  readonly message: string;
}

/** A reference read by a condition, for the unknown-name check. */
export interface ConditionRef {
  readonly path: DataPath;
  readonly ref: ValueRef;
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

export function parseValueRef(text: string): ValueRef {
  return text.split('.');
}

export function parseCondition(raw: unknown, path: DataPath, problems: ConditionProblem[], refs: ConditionRef[]): Condition | undefined {
  if (!isRecord(raw)) return undefined;
  const keys = Object.keys(raw);
  const combinators = COMBINATORS.filter((k) => keys.includes(k));
  const comparisons = COMPARISONS.filter((k) => keys.includes(k));
  const hasVar = keys.includes('var');
  if (combinators.length > 0) {
    if (combinators.length > 1 || comparisons.length > 0 || hasVar) {
      const extra = keys.find((k) => k !== combinators[0]) ?? '';
      problems.push({ path: [...path, extra], on: 'key', code: 'CS_CONDITION', message: `\`${combinators[0] ?? ''}\` stands alone in its condition: put \`${extra}\` in a condition of its own inside it` });
      return undefined;
    }
    const op = combinators[0] as (typeof COMBINATORS)[number];
    const value = own(raw, op);
    if (op === 'not') {
      const inner: Condition | undefined = parseCondition(value, [...path, 'not'], problems, refs);
      return inner === undefined ? undefined : { op, of: inner };
    }
    if (!Array.isArray(value)) return undefined;
    const of = value.map((item: unknown, i) => parseCondition(item, [...path, op, i], problems, refs));
    return of.every((c): c is Condition => c !== undefined) ? { op, of } : undefined;
  }
  if (!hasVar) {
    problems.push({ path, on: 'value', code: 'CS_CONDITION', message: `a condition tests a value: add \`var: <name>\` with one of ${COMPARISONS.join(', ')} (or use all, any, not)` });
    return undefined;
  }
  if (comparisons.length !== 1) {
    problems.push({
      path: comparisons.length === 0 ? [...path, 'var'] : [...path, comparisons[1] ?? ''],
      on: 'key',
      code: 'CS_CONDITION',
      message:
        comparisons.length === 0
          ? `what should \`var\` be compared with? add one of ${COMPARISONS.join(', ')}`
          : `a condition makes one comparison, this one has ${comparisons.join(' and ')}: combine conditions with all: [...] or any: [...]`,
    });
    return undefined;
  }
  const subjectText = own(raw, 'var');
  if (typeof subjectText !== 'string') return undefined;
  const subject = parseValueRef(subjectText);
  refs.push({ path: [...path, 'var'], ref: subject });
  const op = comparisons[0] as (typeof COMPARISONS)[number];
  const value = own(raw, op);
  switch (op) {
    case 'equals':
      return { op, subject, value: scalar(value) };
    case 'in':
      return Array.isArray(value) ? { op, subject, values: value.map(scalar) } : undefined;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof value === 'number' ? { op, subject, value } : undefined;
    case 'empty':
      return typeof value === 'boolean' ? { op, subject, value } : undefined;
    case 'matches': {
      if (typeof value !== 'string') return undefined;
      const compiled = compilePattern(value);
      if (!compiled.ok) {
        problems.push({ path: [...path, 'matches'], on: 'value', code: 'CS_REGEX', message: compiled.message });
        return undefined;
      }
      return { op, subject, regex: compiled.pattern };
    }
  }
}
