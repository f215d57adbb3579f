/**
 * Checks the schema cannot express: step references, reachability, numeric
 * YAML keys, duplicate numbers, one kind per step. They read the raw data
 * defensively so they can run alongside schema errors and report everything
 * in one pass.
 */
import { yamlPackage } from '../yaml/yaml-package.js';
import { REPEAT_KEYWORD, STEP_KINDS } from './limits.js';
import { childPointer, toPointer } from './paths.js';
import { isRecord, kindsOf, own, ownRecord, ownString, type RawRecord } from './raw.js';
import type { Reporter } from './report.js';
import { keyString } from './positions.js';
import { notAStringMessage } from './schema-errors.js';
import { didYouMean } from './suggest.js';

export function stepsOf(data: unknown): RawRecord {
  const steps = isRecord(data) ? own(data, 'steps') : undefined;
  return isRecord(steps) ? steps : {};
}

/** Steps in file order (toJS keeps insertion order; step ids cannot look like array indexes). */
export function stepIds(data: unknown): string[] {
  return Object.keys(stepsOf(data));
}

/** CS_STEP_KIND; returns the pointers of the offending steps so their schema noise can be dropped. */
export function checkStepKinds(data: unknown, reporter: Reporter): Set<string> {
  const bad = new Set<string>();
  for (const [id, step] of Object.entries(stepsOf(data))) {
    if (!isRecord(step)) continue;
    const kinds = kindsOf(step);
    if (kinds.length === 1) continue;
    const pointer = toPointer(['steps', id]);
    bad.add(pointer);
    const kindList = STEP_KINDS.join(', ');
    if (kinds.length === 0) {
      const hint = Object.keys(step)
        .map((key) => didYouMean(key, STEP_KINDS))
        .find((s) => s !== '');
      reporter.at(pointer, 'key', 'CS_STEP_KIND', `step \`${id}\` has no kind: give it one of ${kindList}${hint ?? ''}`);
    } else {
      reporter.at(
        pointer,
        'key',
        'CS_STEP_KIND',
        `step \`${id}\` has ${kinds.length} kinds (${kinds.join(', ')}): a step has exactly one of ${kindList}; split it into steps joined by \`next\``,
      );
    }
  }
  return bad;
}

/** CS_NOT_A_STRING for branch and `keys:` keys YAML read as numbers (`1:`, `0123:`), which toJS would silently stringify. */
export function checkBranchKeys(data: unknown, reporter: Reporter): void {
  if (reporter.index.keysAreStrings) return;
  const { isMap, isScalar } = yamlPackage();
  const maps = ['/keys', ...stepIds(data).flatMap((id) => [toPointer(['steps', id, 'branches']), toPointer(['steps', id, 'keys'])])];
  for (const pointer of maps) {
    const node = reporter.index.exact(pointer)?.value;
    if (!isMap(node)) continue;
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value === 'string') continue;
      const name = keyString(key);
      if (name === undefined) continue;
      reporter.at(childPointer(pointer, name), 'key', 'CS_NOT_A_STRING', notAStringMessage(key, pointer.endsWith('/keys') ? 'key' : 'branch key'));
    }
  }
}

/** CS_DUPLICATE_NUMBER, on each repeat. */
export function checkNumbers(data: unknown, reporter: Reporter): void {
  const numbers = isRecord(data) ? own(data, 'numbers') : undefined;
  if (!Array.isArray(numbers)) return;
  const first = new Map<string, number>();
  numbers.forEach((value: unknown, i) => {
    if (typeof value !== 'string') return;
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, i);
      return;
    }
    reporter.at(
      toPointer(['numbers', i]),
      'value',
      'CS_DUPLICATE_NUMBER',
      `number "${value}" is listed twice (also numbers[${earlier}]): list each number once`,
    );
  });
}

interface StepReference {
  readonly pointer: string;
  readonly field: string;
  readonly target: string;
}

/** Every place a step names another: next, goto, `invalid` shorthand, branches, keys, no_input, on_failure, switch cases and default, http outcomes, hours, on_error. */
export function stepReferences(id: string, step: RawRecord): StepReference[] {
  const refs: StepReference[] = [];
  const add = (path: readonly (string | number)[], field: string, target: unknown): void => {
    if (typeof target === 'string') refs.push({ pointer: toPointer(['steps', id, ...path]), field, target });
  };
  add(['next'], 'next', own(step, 'next'));
  add(['no_input'], 'no_input', own(step, 'no_input'));
  add(['on_failure'], 'on_failure', own(step, 'on_failure'));
  const invalid = own(step, 'invalid');
  if (typeof invalid === 'string') add(['invalid'], 'invalid', invalid);
  else if (isRecord(invalid)) add(['invalid', 'goto'], 'invalid.goto', own(invalid, 'goto'));
  const branches = ownRecord(step, 'branches');
  if (branches) for (const [key, target] of Object.entries(branches)) add(['branches', key], `branch "${key}"`, target);
  const keys = ownRecord(step, 'keys');
  if (keys) for (const [key, target] of Object.entries(keys)) if (target !== REPEAT_KEYWORD) add(['keys', key], `key "${key}"`, target);
  const cases = own(step, 'switch');
  if (Array.isArray(cases)) cases.forEach((c: unknown, i) => isRecord(c) && add(['switch', i, 'goto'], `case ${i + 1}`, own(c, 'goto')));
  add(['default'], 'default', own(step, 'default'));
  const onStatus = ownRecord(step, 'on_status');
  if (onStatus) for (const [status, target] of Object.entries(onStatus)) add(['on_status', status], `on_status "${status}"`, target);
  add(['on_timeout'], 'on_timeout', own(step, 'on_timeout'));
  add(['open'], 'open', own(step, 'open'));
  add(['closed'], 'closed', own(step, 'closed'));
  add(['on_error'], 'on_error', own(step, 'on_error'));
  return refs;
}

/** Steps the script itself names outside any step: its `on_error` and global `keys` targets. */
export function scriptReferences(data: unknown): StepReference[] {
  const refs: StepReference[] = [];
  if (!isRecord(data)) return refs;
  const onError = own(data, 'on_error');
  if (typeof onError === 'string') refs.push({ pointer: '/on_error', field: 'on_error', target: onError });
  const keys = ownRecord(data, 'keys');
  if (keys) {
    for (const [key, target] of Object.entries(keys)) {
      if (typeof target === 'string' && target !== REPEAT_KEYWORD) refs.push({ pointer: toPointer(['keys', key]), field: `key "${key}"`, target });
    }
  }
  return refs;
}

function unknownStepMessage(field: string, target: string, ids: readonly string[]): string {
  const hint = didYouMean(target, ids);
  const list = hint !== '' ? hint : ids.length <= 12 ? `; steps: ${ids.join(', ')}` : '';
  return `${field} names step \`${target}\`, which does not exist${list}`;
}

/** CS_UNKNOWN_STEP for `start` and every step reference. */
export function checkReferences(data: unknown, reporter: Reporter): void {
  const steps = stepsOf(data);
  const ids = Object.keys(steps);
  const start = isRecord(data) ? ownString(data, 'start') : undefined;
  if (start !== undefined && !Object.hasOwn(steps, start)) {
    reporter.at('/start', 'value', 'CS_UNKNOWN_STEP', unknownStepMessage('start', start, ids));
  }
  const refs = [...scriptReferences(data)];
  for (const [id, step] of Object.entries(steps)) if (isRecord(step)) refs.push(...stepReferences(id, step));
  for (const ref of refs) {
    if (!Object.hasOwn(steps, ref.target)) {
      reporter.at(ref.pointer, 'value', 'CS_UNKNOWN_STEP', unknownStepMessage(ref.field, ref.target, ids));
    }
  }
}

/** CS_UNREACHABLE (a warning) for steps no path from `start` leads to. */
export function checkReachability(data: unknown, reporter: Reporter): void {
  const steps = stepsOf(data);
  const ids = Object.keys(steps);
  const start = (isRecord(data) ? ownString(data, 'start') : undefined) ?? ids[0];
  if (start === undefined || !Object.hasOwn(steps, start)) return;
  // The script's on_error and global keys can be taken from anywhere: their targets are roots too.
  const roots = [start, ...scriptReferences(data).map((r) => r.target).filter((t) => Object.hasOwn(steps, t))];
  const seen = new Set<string>(roots);
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] ?? '';
    const step = steps[id];
    if (!isRecord(step)) continue;
    for (const ref of stepReferences(id, step)) {
      if (!seen.has(ref.target) && Object.hasOwn(steps, ref.target)) {
        seen.add(ref.target);
        queue.push(ref.target);
      }
    }
  }
  for (const id of ids) {
    if (seen.has(id)) continue;
    reporter.at(
      toPointer(['steps', id]),
      'key',
      'CS_UNREACHABLE',
      `step \`${id}\` is never reached from the start step \`${start}\` (nothing leads to it)`,
      'warning',
    );
  }
}
