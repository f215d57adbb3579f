/**
 * Templates made of text, plain `{{name}}` / `{{a.b}}` / `{{{raw}}}` insertions and calls of
 * callscript's own helpers on such names and quoted text (`{{spell account}}`,
 * `{{default name "there"}}`) — most messages — read without Handlebars'
 * parser, which is most of what loading a large script costs otherwise. The
 * result is what parsing and analysing the template would give (the names
 * read, and where) and, for text and paths only, the parts the fast renderer
 * concatenates; anything else (blocks, `{{else}}`, `{{{…}}}` around more than a name, whitespace
 * control, comments, escapes, other literals, `this`, a helper with the wrong
 * number of arguments) is left to Handlebars, which also reports its errors.
 * test/template/simple-template.test.ts holds the two together.
 */
import type { TemplateReference } from './analyze.js';
import type { Part } from './fast-render.js';
import { CALLSCRIPT_HELPERS } from './helpers.js';

export interface SimpleTemplate {
  readonly references: readonly TemplateReference[];
  /** Undefined when a helper is called: Handlebars renders those. */
  readonly parts?: readonly Part[];
}

/** A path segment Handlebars reads as a name (and not a literal, `this`, `else` or data). */
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED: ReadonlySet<string> = new Set(['true', 'false', 'null', 'undefined', 'this', 'else']);
/** Quoted text without escapes: a string literal Handlebars reads as written. */
const STRING = /^(?:"[^"\\]*"|'[^'\\]*')$/;

/** The words of a mustache between `from` and `to`, with where each starts: names, and quoted text kept whole. */
function words(source: string, from: number, to: number): Array<{ readonly text: string; readonly at: number }> | undefined {
  const out: Array<{ text: string; at: number }> = [];
  let i = from;
  while (i < to) {
    const start = i;
    const c = source.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      const end = source.indexOf(source[i] ?? '', i + 1);
      if (end < 0 || end >= to) return undefined;
      i = end + 1;
    } else {
      while (i < to && source.charCodeAt(i) !== 0x20) i++;
    }
    out.push({ text: source.slice(start, i), at: start });
    if (i === to) break;
    // Words are separated by spaces; none may lead or trail.
    if (source.charCodeAt(i) !== 0x20) return undefined;
    while (source.charCodeAt(i) === 0x20) i++;
    if (i >= to) return undefined;
  }
  return out.length > 0 ? out : undefined;
}

function pathOf(token: string): string[] | undefined {
  const path = token.split('.');
  return path.every((segment) => SEGMENT.test(segment) && !RESERVED.has(segment)) ? path : undefined;
}

/**
 * The template read without Handlebars' parser, or undefined when it takes more.
 * `helpers`: names a bare `{{name}}` calls (they are not variables).
 */
export function readSimpleTemplate(source: string, helpers: ReadonlySet<string>): SimpleTemplate | undefined {
  const references: TemplateReference[] = [];
  const parts: Part[] = [];
  let calls = false;
  let line = 1;
  let lineStart = 0;
  let from = 0;
  for (;;) {
    const open = source.indexOf('{{', from);
    const text = source.slice(from, open < 0 ? source.length : open);
    // A backslash before `{{` escapes it in Handlebars.
    if (open > 0 && source.charCodeAt(open - 1) === 0x5c) return undefined;
    if (text !== '') parts.push(text);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = from + i + 1;
    }
    if (open < 0) return calls ? { references } : { references, parts };
    // `{{{name}}}` inserts the value as it is: the same as `{{name}}` here (Handlebars escapes nothing for us), but not in URLs.
    const raw = source.charCodeAt(open + 2) === 0x7b;
    const inner = open + (raw ? 3 : 2);
    const close = source.indexOf(raw ? '}}}' : '}}', inner);
    const after = close + (raw ? 3 : 2);
    if (close < 0 || source.charCodeAt(after) === 0x7d) return undefined;
    const tokens = words(source, inner, close);
    if (tokens === undefined || (raw && tokens.length !== 1)) return undefined;
    const [first, ...args] = tokens;
    const head = first?.text ?? '';
    const path = pathOf(head);
    if (path === undefined) return undefined;
    const column = (offset: number): number => offset - lineStart + 1;
    if (args.length === 0) {
      if (path.length === 1 && helpers.has(head)) return undefined;
      references.push({ path, line, column: column(inner) });
      parts.push(path);
    } else {
      // A helper of ours, with as many arguments as it takes, each a name or quoted text.
      const spec = Object.hasOwn(CALLSCRIPT_HELPERS, head) ? CALLSCRIPT_HELPERS[head] : undefined;
      if (spec === undefined || spec.block || spec.arity !== args.length) return undefined;
      for (const arg of args) {
        if (STRING.test(arg.text)) continue;
        const argPath = pathOf(arg.text);
        if (argPath === undefined) return undefined;
        references.push({ path: argPath, line, column: column(arg.at) });
      }
      calls = true;
    }
    from = after;
  }
}
