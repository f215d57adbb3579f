/**
 * `*.test.yaml` text → a `TestFile`, or positioned diagnostics (`file:line:col`), with
 * the script compiler's YAML positions, reporter and wording. Pure: the caller reads
 * the file and passes the scripts the tests may name.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Outcome } from '../engine/state.js';
import type { Diagnostic } from '../script/diagnostic.js';
import type { Script } from '../script/model.js';
import { childPointer, toPointer } from '../script/paths.js';
import { PositionIndex } from '../script/positions.js';
import { isRecord, own, type RawRecord } from '../script/raw.js';
import { Reporter, sortDiagnostics } from '../script/report.js';
import { didYouMean } from '../script/suggest.js';
import type { DialOutcome } from '../simulator/types.js';
import {
  EXPECTABLE_BLOCKS,
  type CallerSpec,
  type ExpectableBlock,
  type ExpectedTurn,
  type Matcher,
  type TestCase,
  type TestFile,
} from './test-file.js';
import { reportTestSchemaErrors, validateTestFile } from './test-schema.js';
import { PARAM_NAMES, type CallerMove, type ParamName } from './transcript.js';
import { parseRouteKey, serviceRefs, type ServiceSpec } from './services.js';
import { parseIsoTime } from '../util/iso-time.js';

export type ParseResult =
  | { readonly ok: true; readonly testFile: TestFile; readonly warnings: Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

/** Where each case sits in the YAML: --update edits the document there. */
export interface ParseDetail {
  readonly result: ParseResult;
  readonly index?: PositionIndex;
}

const MAX_TEST_FILE_BYTES = 1024 * 1024;
const OUTCOMES: readonly DialOutcome[] = ['answered', 'busy', 'unanswered', 'failed'];
const DIGITS = /^[0-9*#]+$/;
const ACTION_KEYS = ['press', 'no_input', 'outcome'] as const;

class Parser {
  constructor(
    readonly reporter: Reporter,
    readonly scripts: ReadonlyMap<string, Script>,
  ) {}

  /** An ISO 8601 date-time with its offset → ms. */
  now(value: unknown, pointer: string): number | undefined {
    if (typeof value !== 'string') return undefined;
    const time = parseIsoTime(value);
    if (time.ok) return time.ms;
    const message =
      time.problem === 'no-offset'
        ? `give the time with its offset (like +08:00 or Z) so it means the same on every machine: ${JSON.stringify(value)}`
        : `expected a date and time like "2026-12-24T10:30:00+08:00", got ${JSON.stringify(value)}`;
    this.reporter.at(pointer, 'value', 'CS_VALUE', message);
    return undefined;
  }

  /** `services:` → their routes. */
  services(raw: unknown): ServiceSpec[] {
    if (!isRecord(raw)) return [];
    return Object.entries(raw).map(([name, routes]) => ({
      name,
      routes: Object.entries(isRecord(routes) ? routes : {}).flatMap(([key, response]) => {
        const parsed = parseRouteKey(key);
        if (parsed === undefined || !isRecord(response)) return [];
        const at = toPointer(['services', name, key]);
        if (Object.hasOwn(response, 'json') && Object.hasOwn(response, 'body')) {
          this.reporter.at(childPointer(at, 'body'), 'key', 'CS_TEST_SERVICE', 'an answer has one body: `json` or `body`, not both');
        }
        const status = own(response, 'status');
        const delay = own(response, 'delay');
        const headers = own(response, 'headers');
        return [
          {
            ...parsed,
            key,
            response: {
              status: typeof status === 'number' ? status : 200,
              ...(Object.hasOwn(response, 'json') ? { json: own(response, 'json') } : {}),
              ...(typeof own(response, 'body') === 'string' ? { body: own(response, 'body') as string } : {}),
              ...(isRecord(headers) ? { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])) } : {}),
              ...(typeof delay === 'number' ? { delay } : {}),
            },
          },
        ];
      }),
    }));
  }

  /** A file's `vars:` or `env:` as text; vars must be declared by the script or a script it calls, and name known services. */
  values(raw: unknown, key: 'vars' | 'env', declared: ReadonlySet<string> | undefined, services: ReadonlySet<string>): Record<string, string> {
    const out: Record<string, string> = {};
    if (!isRecord(raw)) return out;
    for (const [name, value] of Object.entries(raw)) {
      const text = String(value);
      out[name] = text;
      const at = toPointer([key, name]);
      if (key === 'vars' && declared !== undefined && !declared.has(name)) {
        this.reporter.at(at, 'key', 'CS_TEST_UNKNOWN_VAR', `no script this file runs declares \`${name}\` in its vars${didYouMean(name, declared)}`);
      }
      for (const ref of serviceRefs(text)) {
        if (!services.has(ref)) {
          this.reporter.at(at, 'value', 'CS_TEST_UNKNOWN_SERVICE', `\`{{services.${ref}}}\` names no service of this file${didYouMean(ref, services) || (services.size > 0 ? ` (services: ${[...services].join(', ')})` : '')}`);
        }
      }
    }
    return out;
  }

  matcher(value: unknown, pointer: string): Matcher {
    if (value === null || value === undefined) return { kind: 'any' };
    if (!isRecord(value)) return { kind: 'exact', value: String(value) };
    const contains = own(value, 'contains');
    if (typeof contains === 'string') return { kind: 'contains', value: contains };
    const pattern = own(value, 'matches');
    if (typeof pattern === 'string') return this.regex(pattern, childPointer(pointer, 'matches'));
    return { kind: 'any' };
  }

  regex(pattern: string, pointer: string): Matcher {
    try {
      return { kind: 'matches', regex: new RegExp(pattern, 'u') };
    } catch (err) {
      this.reporter.at(pointer, 'value', 'CS_TEST_REGEX', `not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
      return { kind: 'any' };
    }
  }

  /** `- gather: "text"`, `- gather: { contains: … }`, `- transfer: { to: …, message: … }`. */
  block(value: unknown, pointer: string): { message: Matcher; params: Partial<Record<ParamName, Matcher>> } {
    if (!isRecord(value)) return { message: this.matcher(value, pointer), params: {} };
    const params: Partial<Record<ParamName, Matcher>> = {};
    for (const name of PARAM_NAMES) {
      if (Object.hasOwn(value, name)) params[name] = this.matcher(own(value, name), childPointer(pointer, name));
    }
    const forms = (['message', 'contains', 'matches'] as const).filter((k) => Object.hasOwn(value, k));
    if (forms.length > 1) {
      this.reporter.at(childPointer(pointer, forms[1] ?? ''), 'key', 'CS_TEST_BLOCK', `give the message one way: \`${forms.join('`, `')}\` are alternatives`);
    }
    const form = forms[0];
    let message: Matcher = { kind: 'any' };
    if (form === 'message') message = this.matcher(own(value, 'message'), childPointer(pointer, 'message'));
    if (form === 'contains') message = { kind: 'contains', value: String(own(value, 'contains')) };
    if (form === 'matches') message = this.regex(String(own(value, 'matches')), childPointer(pointer, 'matches'));
    return { message, params };
  }

  expectation(entry: RawRecord, pointer: string, needsAction: boolean): ExpectedTurn | undefined {
    const hangupFlag = own(entry, 'hangup');
    const blocks = EXPECTABLE_BLOCKS.filter((b) => Object.hasOwn(entry, b) && !(b === 'hangup' && typeof hangupFlag === 'boolean'));
    if (blocks.length !== 1) {
      this.reporter.at(
        pointer,
        'value',
        'CS_TEST_BLOCK',
        blocks.length === 0
          ? `an expectation names one block: ${EXPECTABLE_BLOCKS.join(', ')} (\`hangup: true\` alone is the caller's action, not a block)`
          : `an expectation names one block, this one has ${blocks.map((b) => `\`${b}\``).join(' and ')}: write one entry per block`,
      );
      return undefined;
    }
    const block = blocks[0] as ExpectableBlock;
    const { message, params } = this.block(own(entry, block), childPointer(pointer, block));
    const caller = this.attachedMove(entry, block, pointer, needsAction);
    const line = this.reporter.index.position(pointer, 'value').line;
    return { block, message, params, ...(caller !== undefined ? { caller } : {}), line };
  }

  /** The caller's action written beside a block: it must fit the block. */
  attachedMove(entry: RawRecord, block: ExpectableBlock, pointer: string, needsAction: boolean): CallerMove | undefined {
    const moves: Array<[string, CallerMove]> = [];
    for (const key of ACTION_KEYS) {
      if (!Object.hasOwn(entry, key)) continue;
      const value = own(entry, key);
      if (key === 'press') moves.push([key, { press: String(value) }]);
      if (key === 'no_input') moves.push([key, { no_input: true }]);
      if (key === 'outcome') moves.push([key, { outcome: value as DialOutcome }]);
    }
    if (own(entry, 'hangup') === true) moves.push(['hangup', { hangup: true }]);
    if (moves.length > 1) {
      this.reporter.at(childPointer(pointer, moves[1]?.[0] ?? ''), 'key', 'CS_TEST_ACTION', `one caller action per block: \`${moves.map(([k]) => k).join('` and `')}\` both given`);
      return undefined;
    }
    const [found] = moves;
    if (found === undefined) {
      if (block === 'gather' && needsAction) {
        this.reporter.at(pointer, 'value', 'CS_TEST_NO_ACTION', 'what does the caller do at this gather? add `press: "1"`, `no_input: true` or `hangup: true`');
      }
      return undefined;
    }
    const [key, move] = found;
    const fits =
      key === 'hangup' ? block !== 'hangup' : key === 'outcome' ? block === 'transfer' || block === 'dial' : block === 'gather';
    if (!fits) {
      const where = key === 'outcome' ? 'a transfer or a dial' : key === 'hangup' ? 'any block but a hangup' : 'a gather';
      this.reporter.at(childPointer(pointer, key), 'key', 'CS_TEST_ACTION', `\`${key}\` is the caller's action at ${where}, not at a ${block}`);
      return undefined;
    }
    return move;
  }

  /** `actions:` items: "1", "", busy, hangup, or { press | no_input | outcome | hangup }. */
  action(value: unknown, pointer: string): CallerMove | undefined {
    if (isRecord(value)) {
      if (Object.hasOwn(value, 'press')) return { press: String(own(value, 'press')) };
      if (Object.hasOwn(value, 'no_input')) return { no_input: true };
      if (Object.hasOwn(value, 'outcome')) return { outcome: own(value, 'outcome') as DialOutcome };
      return { hangup: true };
    }
    const text = String(value);
    if (text === '' || text === 'no_input') return { no_input: true };
    if (text === 'hangup') return { hangup: true };
    if (DIGITS.test(text)) return { press: text };
    const outcome = OUTCOMES.find((o) => o === text);
    if (outcome !== undefined) return { outcome };
    this.reporter.at(
      pointer,
      'value',
      'CS_VALUE',
      `unknown action ${JSON.stringify(text)}: use keys in quotes ("1"), "" for no input, ${OUTCOMES.join('/')} for a transfer or dial, or hangup${didYouMean(text, [...OUTCOMES, 'hangup', 'no_input'])}`,
    );
    return undefined;
  }

  caller(raw: RawRecord | undefined, script: Script | undefined, pointer: string): CallerSpec {
    const vars: Record<string, string> = {};
    const rawVars = raw !== undefined ? own(raw, 'vars') : undefined;
    if (isRecord(rawVars)) {
      for (const [name, value] of Object.entries(rawVars)) {
        vars[name] = String(value);
        if (script !== undefined && !Object.hasOwn(script.vars, name)) {
          const known = Object.keys(script.vars);
          this.reporter.at(
            childPointer(childPointer(pointer, 'vars'), name),
            'key',
            'CS_TEST_UNKNOWN_VAR',
            `script \`${script.name}\` does not declare \`${name}\` in its vars${known.length > 0 ? didYouMean(name, known) || ` (it declares: ${known.join(', ')})` : ' (it declares none)'}`,
          );
        }
      }
    }
    const from = raw !== undefined ? own(raw, 'from') : undefined;
    const to = raw !== undefined ? own(raw, 'to') : undefined;
    const outbound = raw !== undefined ? own(raw, 'outbound') : undefined;
    const isOutbound = typeof outbound === 'boolean' ? outbound : script !== undefined && script.numbers.length === 0;
    if (Object.keys(vars).length > 0 && !isOutbound) {
      this.reporter.at(childPointer(pointer, 'vars'), 'key', 'CS_TEST_VARS_INBOUND', 'vars are passed by an outbound call request: add `outbound: true` to the caller, or remove them');
    }
    return {
      ...(typeof from === 'string' ? { from } : {}),
      ...(typeof to === 'string' ? { to } : {}),
      ...(typeof outbound === 'boolean' ? { outbound } : {}),
      vars,
    };
  }

  testCase(raw: RawRecord, index: number, script: Script | undefined): TestCase {
    const pointer = toPointer(['cases', index]);
    const name = String(own(raw, 'name'));
    const callerRaw = own(raw, 'caller');
    const caller = this.caller(isRecord(callerRaw) ? callerRaw : undefined, script, childPointer(pointer, 'caller'));
    const line = this.reporter.index.position(childPointer(pointer, 'name'), 'value').line;

    let actions: CallerMove[] | undefined;
    const rawActions = own(raw, 'actions');
    if (Array.isArray(rawActions)) {
      actions = [];
      rawActions.forEach((item: unknown, i) => {
        const move = this.action(item, childPointer(childPointer(pointer, 'actions'), i));
        if (move !== undefined) actions?.push(move);
      });
    }
    let expect: ExpectedTurn[] | undefined;
    const rawExpect = own(raw, 'expect');
    if (Array.isArray(rawExpect)) {
      expect = [];
      rawExpect.forEach((entry: unknown, i) => {
        if (!isRecord(entry)) return;
        const turn = this.expectation(entry, childPointer(childPointer(pointer, 'expect'), i), actions === undefined);
        if (turn !== undefined) expect?.push(turn);
      });
    }
    if (actions !== undefined && expect?.some((t) => t.caller !== undefined)) {
      this.reporter.at(
        childPointer(pointer, 'actions'),
        'key',
        'CS_TEST_ACTIONS_TWICE',
        'the caller\'s actions are given twice: in `actions:` and beside the expected blocks; keep one',
      );
    }
    let vars: Record<string, Matcher> | undefined;
    const rawVars = own(raw, 'vars');
    if (isRecord(rawVars)) {
      vars = {};
      for (const [key, value] of Object.entries(rawVars)) vars[key] = this.matcher(value, childPointer(childPointer(pointer, 'vars'), key));
    }
    const outcome = own(raw, 'outcome');
    const now = this.now(own(raw, 'now'), childPointer(pointer, 'now'));
    return {
      name,
      line,
      caller,
      index,
      ...(now !== undefined ? { now } : {}),
      ...(actions !== undefined ? { actions } : {}),
      ...(expect !== undefined ? { expect } : {}),
      ...(typeof outcome === 'string' ? { outcome: outcome as Outcome } : {}),
      ...(vars !== undefined ? { vars } : {}),
    };
  }
}

/** Vars of the script and of every script it reaches with `call:`. */
function declaredVars(script: Script, scripts: ReadonlyMap<string, Script>): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (s: Script): void => {
    if (seen.has(s.name)) return;
    seen.add(s.name);
    for (const name of Object.keys(s.vars)) names.add(name);
    for (const step of Object.values(s.steps)) {
      if (step.kind !== 'call') continue;
      const called = scripts.get(step.script);
      if (called !== undefined) visit(called);
    }
  };
  visit(script);
  return names;
}

function fail(reporter: Reporter, index?: PositionIndex): ParseDetail {
  const result: ParseResult = { ok: false, diagnostics: sortDiagnostics(reporter.diagnostics) };
  return index === undefined ? { result } : { result, index };
}

export function parseTestFileDetailed(source: string, file: string, scripts: ReadonlyMap<string, Script>): ParseDetail {
  const lines = new LineCounter();
  if (Buffer.byteLength(source, 'utf8') > MAX_TEST_FILE_BYTES) {
    const reporter = new Reporter(file, new PositionIndex(null, lines));
    reporter.atPosition({ line: 1, column: 1 }, [], 'CS_TOO_LARGE', 'test file is larger than 1 MiB');
    return fail(reporter);
  }
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const index = new PositionIndex(doc.contents, lines);
  const reporter = new Reporter(file, index);
  for (const error of doc.errors) {
    reporter.atPosition(index.offsetPosition(error.pos[0]), [], 'CS_YAML_SYNTAX', `YAML syntax: ${error.message.split('\n')[0] ?? ''}`);
  }
  if (doc.errors.length > 0) return fail(reporter, index);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    reporter.atPosition({ line: 1, column: 1 }, [], 'CS_YAML_SYNTAX', `YAML: ${err instanceof Error ? err.message : String(err)}`);
    return fail(reporter, index);
  }
  reportTestSchemaErrors(validateTestFile(data), reporter);
  if (reporter.errorCount > 0 || !isRecord(data)) return fail(reporter, index);

  const parser = new Parser(reporter, scripts);
  const scriptName = String(own(data, 'script'));
  const script = scripts.get(scriptName);
  if (script === undefined) {
    const known = [...scripts.keys()];
    reporter.at(
      '/script',
      'value',
      'CS_TEST_UNKNOWN_SCRIPT',
      `no script named \`${scriptName}\` among the scripts loaded${didYouMean(scriptName, known) || (known.length > 0 ? ` (there are: ${known.join(', ')})` : '')}`,
    );
  }
  const cases: TestCase[] = [];
  const seen = new Map<string, number>();
  const rawCases = own(data, 'cases');
  (Array.isArray(rawCases) ? rawCases : []).forEach((raw: unknown, i) => {
    if (!isRecord(raw)) return;
    const c = parser.testCase(raw, i, script);
    const first = seen.get(c.name);
    if (first !== undefined) {
      reporter.at(toPointer(['cases', i, 'name']), 'value', 'CS_TEST_DUPLICATE_CASE', `case name ${JSON.stringify(c.name)} is already used on line ${first}: case names are unique in a file`);
    } else {
      seen.set(c.name, c.line);
    }
    cases.push(c);
  });
  const services = parser.services(own(data, 'services'));
  const serviceNames = new Set(services.map((s) => s.name));
  const vars = parser.values(own(data, 'vars'), 'vars', script === undefined ? undefined : declaredVars(script, scripts), serviceNames);
  const env = parser.values(own(data, 'env'), 'env', undefined, serviceNames);
  const now = parser.now(own(data, 'now'), '/now');
  if (reporter.errorCount > 0) return fail(reporter, index);
  const testFile: TestFile = { file, script: scriptName, cases, services, vars, env, ...(now !== undefined ? { now } : {}) };
  return { result: { ok: true, testFile, warnings: sortDiagnostics(reporter.diagnostics) }, index };
}

export function parseTestFile(source: string, file: string, scripts: ReadonlyMap<string, Script>): ParseResult {
  return parseTestFileDetailed(source, file, scripts).result;
}
