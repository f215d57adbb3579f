/**
 * `callscript fmt`: one canonical layout for script files, so that diffs in
 * git show what changed and nothing else.
 *
 * Works on yaml's Document (comments and blank lines survive): keys in the
 * canonical order (key-order.ts), phone numbers and branch keys in double
 * quotes, two-space indentation, no line folding. Flow and block styles and
 * the quoting of messages stay as written; folded (`>`) blocks keep their
 * line breaks. Formatting never changes what a script means: `compile` gives
 * the same script before and after (checked on every run, see `sameMeaning`).
 */
import {
  LineCounter,
  Scalar,
  YAMLSeq,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Document,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { compile, INPUT_FILE } from '../compile.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Script } from '../model.js';
import { keyString } from '../positions.js';
import {
  BLOCK_ORDER,
  CASE_ORDER,
  DEFAULTS_BLOCK_ORDER,
  DEFAULTS_ORDER,
  EVENTS_ORDER,
  INVALID_ORDER,
  STEP_ORDER,
  TOP_LEVEL_ORDER,
  VOICE_ORDER,
} from './key-order.js';

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

/** Thrown (never expected) when formatting would have changed a script's meaning; the file is left alone. */
export class FormatMeaningError extends Error {
  readonly code = 'CS_FMT_CHANGED_MEANING';
  constructor(readonly file: string) {
    super(`formatting ${file} would change what the script means; it was left as it is (please report this)`);
    this.name = 'FormatMeaningError';
  }
}

const PHONE_LIKE = /^\+?[0-9]+$/;

type SeqToString = YAMLSeq['toString'];

/** Flow sequences as `["+6560000001"]`, flow mappings as `{ timeout: 10 }` (prettier's choice, and the docs'). */
class TightFlowSeq extends YAMLSeq {
  override toString(...[ctx, onComment, onChompKeep]: Parameters<SeqToString>): string {
    if (ctx === undefined) return super.toString(ctx, onComment, onChompKeep);
    return super.toString({ ...ctx, flowCollectionPadding: '' }, onComment, onChompKeep);
  }
}

function keyOf(pair: Pair): string | undefined {
  return keyString(pair.key);
}

function pairValue(map: YAMLMap, key: string): unknown {
  return map.items.find((p) => keyOf(p) === key)?.value;
}

/**
 * Sorts a mapping's pairs by `order`; unlisted keys follow in their own order.
 * What sat above the first key (the file's header comment, for the top level)
 * stays at the top.
 */
function orderMap(map: unknown, order: readonly string[]): void {
  if (!isMap(map)) return;
  const rank = (p: Pair): number => {
    const i = order.indexOf(keyOf(p) ?? '');
    return i === -1 ? order.length : i;
  };
  const before = map.items[0];
  map.items.sort((a, b) => rank(a) - rank(b));
  const after = map.items[0];
  if (before === undefined || after === undefined || before === after) return;
  if (!isScalar(before.key) || !isScalar(after.key)) return;
  const header = before.key.commentBefore;
  if (header) {
    after.key.commentBefore = after.key.commentBefore ? `${header}\n${after.key.commentBefore}` : header;
    before.key.commentBefore = undefined;
  }
  after.key.spaceBefore = before.key.spaceBefore;
  before.key.spaceBefore = undefined;
}

function quote(node: unknown, when: (value: string) => boolean = () => true): void {
  // Only strings: quoting a YAML number (`0123:`) would change the value; compile reports those.
  if (isScalar(node) && typeof node.value === 'string' && when(node.value)) node.type = Scalar.QUOTE_DOUBLE;
}

function canonicalize(doc: Document): void {
  const top = doc.contents;
  if (!isMap(top)) return;
  orderMap(top, TOP_LEVEL_ORDER);

  const numbers = pairValue(top, 'numbers');
  if (isSeq(numbers)) for (const item of numbers.items) quote(item);

  orderMap(pairValue(top, 'voice'), VOICE_ORDER);
  orderMap(pairValue(top, 'events'), EVENTS_ORDER);
  const languages = pairValue(top, 'languages');
  if (isMap(languages)) for (const pair of languages.items) if (isMap(pair.value)) orderMap(pairValue(pair.value, 'voice'), VOICE_ORDER);
  const keys = pairValue(top, 'keys');
  if (isMap(keys)) for (const pair of keys.items) quote(pair.key);

  const defaults = pairValue(top, 'defaults');
  orderMap(defaults, DEFAULTS_ORDER);
  if (isMap(defaults)) for (const pair of defaults.items) orderMap(pair.value, DEFAULTS_BLOCK_ORDER[keyOf(pair) ?? ''] ?? []);

  const steps = pairValue(top, 'steps');
  if (!isMap(steps)) return;
  for (const stepPair of steps.items) {
    const step = stepPair.value;
    if (!isMap(step)) continue;
    orderMap(step, STEP_ORDER);
    for (const pair of step.items) {
      const key = keyOf(pair) ?? '';
      const order = BLOCK_ORDER[key];
      if (order !== undefined) orderMap(pair.value, order);
      if (key === 'invalid') orderMap(pair.value, INVALID_ORDER);
      if ((key === 'branches' || key === 'keys') && isMap(pair.value)) for (const branch of pair.value.items) quote(branch.key);
      if (key === 'voice') orderMap(pair.value, VOICE_ORDER);
      if (key === 'switch' && isSeq(pair.value)) for (const c of pair.value.items) orderMap(c, CASE_ORDER);
      if (key === 'transfer') {
        quote(pair.value, (v) => PHONE_LIKE.test(v));
        if (isMap(pair.value)) {
          quote(pairValue(pair.value, 'to'), (v) => PHONE_LIKE.test(v));
          quote(pairValue(pair.value, 'caller_id'), (v) => PHONE_LIKE.test(v));
        }
      }
    }
  }
}

interface Folded {
  readonly placeholder: string;
  /** The header (`>`, `>-`, `>+`, with any comment) and the content lines without their indentation. */
  readonly header: string;
  readonly lines: readonly string[];
}

/**
 * yaml re-folds `>` blocks at its line width (or not at all); authors break
 * those lines where they read well, so each is swapped for a placeholder and
 * written back as it was, re-indented.
 */
function protectFoldedBlocks(doc: Document, source: string): Folded[] {
  const folded: Folded[] = [];
  const nonce = Math.random().toString(36).slice(2, 10);
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== Scalar.BLOCK_FOLDED || node.range === undefined || node.range === null) return undefined;
      const raw = source.slice(node.range[0], node.range[1]);
      const [header = '', ...content] = raw.replace(/\n$/, '').split('\n');
      if (/^>[-+]?[1-9]/.test(header)) return undefined; // an explicit indentation indicator: let yaml write it
      const indents = content.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length);
      const cut = indents.length > 0 ? Math.min(...indents) : 0;
      const placeholder = `cs_folded_${nonce}_${folded.length}`;
      folded.push({ placeholder, header: header.trimEnd(), lines: content.map((l) => (l.trim() === '' ? '' : l.slice(cut))) });
      const replacement = new Scalar(placeholder);
      if (node.spaceBefore) replacement.spaceBefore = true;
      if (node.commentBefore) replacement.commentBefore = node.commentBefore;
      return replacement;
    },
  });
  return folded;
}

function restoreFoldedBlocks(text: string, folded: readonly Folded[]): string {
  let out = text;
  for (const f of folded) {
    out = out.replace(new RegExp(`^(.*)${f.placeholder}$`, 'm'), (_m, prefix: string) => {
      const indent = ' '.repeat(prefix.length - prefix.trimStart().length + 2);
      return [`${prefix}${f.header}`, ...f.lines.map((l) => (l === '' ? '' : `${indent}${l}`))].join('\n');
    });
  }
  return out;
}

function tightenFlowSequences(doc: Document): void {
  visit(doc, {
    Seq(_key, node) {
      if (!node.flow || node instanceof TightFlowSeq) return undefined;
      const tight = new TightFlowSeq(doc.schema);
      tight.items = node.items;
      tight.flow = true;
      if (node.comment) tight.comment = node.comment;
      if (node.commentBefore) tight.commentBefore = node.commentBefore;
      if (node.spaceBefore) tight.spaceBefore = true;
      return tight;
    },
  });
}

/** Formats one script's YAML text. A file YAML cannot parse is reported, not touched. */
export function formatScript(source: string, file = INPUT_FILE): FormatResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { code: 'CS_YAML_SYNTAX', severity: 'error', message: `cannot format: YAML syntax: ${e.message.split('\n')[0] ?? ''}`, file, line, column: col, path: '' };
      }),
    };
  }
  canonicalize(doc);
  const folded = protectFoldedBlocks(doc, source);
  tightenFlowSequences(doc);
  const text = restoreFoldedBlocks(doc.toString({ indent: 2, indentSeq: true, lineWidth: 0, flowCollectionPadding: true }), folded);
  if (!sameMeaning(source, text, file)) throw new FormatMeaningError(file);
  return { ok: true, text, changed: text !== source };
}

/** JSON with object keys sorted: key order is layout, not meaning. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && 'render' in v && 'source' in v) return { template: (v as { source: unknown }).source };
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const record = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
  });
}

/** What a compiled script means: everything but the text it came from (and so its version). */
export function meaning(script: Script): string {
  const { version: _version, source: _source, ...rest } = script;
  return stableJson(rest);
}

/** True when both texts compile to the same script; for a script that does not compile, when both hold the same YAML data. */
export function sameMeaning(before: string, after: string, file = INPUT_FILE): boolean {
  const a = compile(before, { file });
  const b = compile(after, { file });
  if (a.ok && b.ok) return meaning(a.script) === meaning(b.script);
  if (a.ok !== b.ok) return false;
  return stableJson(parseDocument(before).toJS()) === stableJson(parseDocument(after).toJS());
}
