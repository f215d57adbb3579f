/**
 * Evaluates a `switch` condition against a call's values. No code is ever run:
 * a condition is data compiled at load (regular expressions included). Values
 * are compared as text; `gt`/`gte`/`lt`/`lte` need a number (anything else is
 * false); `matches` tests at most MAX_MATCH_SUBJECT characters.
 */
import { MAX_MATCH_SUBJECT } from '../script/limits.js';
import type { Condition, ValueRef } from '../script/model.js';
import type { TemplateContext } from '../template/template.js';
import { scalarText } from '../template/helpers.js';

function valueOf(context: TemplateContext, ref: ValueRef): string {
  let at: unknown = context;
  for (const key of ref) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return '';
    at = (at as Record<string, unknown>)[key];
  }
  return scalarText(at);
}

/** A number written plainly ("42", "-1.5", " 7 "); anything else (including "") is not one. */
function numberOf(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export function evaluate(condition: Condition, context: TemplateContext): boolean {
  switch (condition.op) {
    case 'all':
      return condition.of.every((c) => evaluate(c, context));
    case 'any':
      return condition.of.some((c) => evaluate(c, context));
    case 'not':
      return !evaluate(condition.of, context);
    case 'equals':
      return valueOf(context, condition.subject) === condition.value;
    case 'in':
      return condition.values.includes(valueOf(context, condition.subject));
    case 'empty':
      return (valueOf(context, condition.subject) === '') === condition.value;
    case 'matches':
      return condition.regex.test(valueOf(context, condition.subject).slice(0, MAX_MATCH_SUBJECT));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = numberOf(valueOf(context, condition.subject));
      if (n === undefined) return false;
      if (condition.op === 'gt') return n > condition.value;
      if (condition.op === 'gte') return n >= condition.value;
      if (condition.op === 'lt') return n < condition.value;
      return n <= condition.value;
    }
  }
}
