/**
 * `callscript test --update`: writes the actual transcript of cases that have no
 * `expect:` yet into the test file (golden files). The new lines are spliced into the
 * original text after the case's last line, so every comment, blank line, quote and
 * flow style of the file stays as written; only a case written in flow style
 * (`- { name: … }`) is rewritten through the YAML Document API.
 */
import { Document, isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import type { Outcome } from '../engine/state.js';
import type { Transcript, Turn } from './transcript.js';

export interface GoldenCase {
  /** Index in the file's `cases`. */
  readonly index: number;
  readonly transcript: Transcript;
  readonly outcome?: Outcome;
  /** The case drives the caller with `actions:`; the expectations then carry no actions. */
  readonly hasActions: boolean;
  /** The case states its outcome already. */
  readonly hasOutcome: boolean;
}

const NUMERIC_PARAMS = new Set(['max_digits', 'timeout', 'attempts', 'max_duration']);

/** One expectation entry as a test file writes it. */
export function expectationOf(turn: Turn, withAction: boolean): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(turn.params)) {
    if (value === undefined) continue;
    params[name] = NUMERIC_PARAMS.has(name) && /^\d+$/.test(value) ? Number(value) : value;
  }
  let block: unknown;
  if (Object.keys(params).length === 0) block = turn.message ?? null;
  else block = turn.message !== undefined ? { message: turn.message, ...params } : params;
  const entry: Record<string, unknown> = { [turn.block]: block };
  const move = turn.caller;
  if (withAction && move !== undefined) {
    if ('press' in move) entry.press = move.press;
    else if ('no_input' in move) entry.no_input = true;
    else if ('outcome' in move && (turn.block === 'transfer' || turn.block === 'dial')) entry.outcome = move.outcome;
    else if ('hangup' in move && turn.block !== 'hangup') entry.hangup = true;
  }
  return entry;
}

function goldenFields(c: GoldenCase): Record<string, unknown> {
  const fields: Record<string, unknown> = { expect: c.transcript.turns.map((t) => expectationOf(t, !c.hasActions)) };
  if (!c.hasOutcome && c.outcome !== undefined) fields.outcome = c.outcome;
  return fields;
}

/** Messages, keys and numbers double-quoted (they read best that way, and numbers stay strings); words like `busy` plain. */
const QUOTED = new Set(['message', 'press', 'to', 'caller_id', 'tag', 'dial', 'play', 'gather', 'record', 'monitor', 'transfer', 'hangup']);

function quoteStrings(node: unknown): void {
  visit(node as YamlNode, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && QUOTED.has(String(pair.key.value)) && isScalar(pair.value) && typeof pair.value.value === 'string') {
        pair.value.type = 'QUOTE_DOUBLE';
      }
    },
  });
}

function renderFields(fields: Record<string, unknown>, indent: string): string {
  const doc = new Document(fields);
  quoteStrings(doc.contents);
  const text = doc.toString({ lineWidth: 0, indentSeq: true });
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `${indent}${line}`)
    .join('\n');
}

/** The test file's new text with the golden expectations written in. */
export function writeGolden(source: string, cases: readonly GoldenCase[]): string {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  const nodes = cases.map((c) => ({ c, node: doc.getIn(['cases', c.index], true) as unknown }));
  if (nodes.some(({ node }) => !isMap(node) || node.flow === true || !node.range)) {
    // A flow-style case cannot take block text: edit the document instead (comments are kept, spacing may move).
    for (const { c } of nodes) {
      for (const [key, value] of Object.entries(goldenFields(c))) {
        const created = doc.createNode(value);
        quoteStrings(created);
        doc.setIn(['cases', c.index, key], created);
      }
    }
    return doc.toString({ lineWidth: 0 });
  }
  let text = source;
  // From the last case up, so earlier offsets stay valid.
  for (const { c, node } of [...nodes].sort((a, b) => b.c.index - a.c.index)) {
    if (!isMap(node) || !node.range) continue;
    const firstKey = node.items[0]?.key;
    const column = isScalar(firstKey) && firstKey.range ? lines.linePos(firstKey.range[0]).col - 1 : 4;
    // After the line the case's last value ends on, so a trailing comment stays on its line.
    const last = node.items.at(-1)?.value;
    let end = isNode(last) && last.range ? last.range[1] : node.range[1];
    while (end > 0 && /\s/.test(text[end - 1] ?? '')) end--;
    const lineEnd = text.indexOf('\n', end);
    const at = lineEnd === -1 ? text.length : lineEnd;
    text = `${text.slice(0, at)}\n${renderFields(goldenFields(c), ' '.repeat(column))}${text.slice(at)}`;
  }
  return text;
}
