/**
 * A reader for the YAML that script files are made of — block mappings and
 * sequences, one-line flow collections, plain and one-line quoted scalars, `|`
 * and `>` blocks, comments — that gives the same data as the `yaml` package's
 * `parseDocument(…).toJS()`, several times faster and with far less garbage,
 * and says `undefined` for anything else. It is the fast path of compile():
 * the `yaml` package stays the authority, reading every file this one declines
 * and, only when a diagnostic needs a position, the file this one read.
 *
 * It declines rather than guesses: anything YAML reads in a way that needs
 * more than this file knows (tabs, CR, anchors, aliases, tags, directives,
 * explicit keys, multi-line plain or quoted scalars, multi-line flow
 * collections, keys that are not strings, duplicate keys, indentation YAML
 * might read otherwise) makes it give up, so what it accepts `yaml` reads
 * without an error or a warning and to equal data. test/script/quick-yaml.test.ts
 * holds it to that on generated documents, the examples and the fixtures.
 */

/** Deeper nesting than any script needs is left to `yaml` (and its limits). */
const MAX_DEPTH = 64;
/** `yaml` refuses implicit keys whose `:` is more than 1024 characters after their start. */
const MAX_KEY_LENGTH = 1000;

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;

/** Thrown inside the reader when the text is outside what it knows; never escapes it. */
class Decline extends Error {}

function decline(): never {
  throw new Decline();
}

/** Characters that make the reader give up wherever they are (see the module comment). */
function hasForbiddenCharacter(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c < SPACE ? c !== 0x0a : c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0xfeff || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** The YAML 1.2 core schema, as `yaml` resolves a plain scalar (src: yaml/dist/schema/core). */
function resolvePlain(text: string): unknown {
  const first = text.charCodeAt(0);
  // Only these can start a null, a boolean or a number; everything else is a string at once.
  if (!(first === 0x7e || first === 0x2b || first === DASH || first === 0x2e || (first >= 0x30 && first <= 0x39) || /^[nNtTfF]/.test(text))) return text;
  if (/^(?:~|[Nn]ull|NULL)$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(text)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(text)) return false;
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(text)) return parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)) {
    return text.slice(-3).toLowerCase() === 'nan' ? Number.NaN : text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(text) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(text)) return parseFloat(text);
  return text;
}

/** Sets a key as `yaml`'s toJS does (own and enumerable even for `__proto__`); a repeated key declines. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (Object.hasOwn(target, key)) decline();
  if (key in target) Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** Characters that may not start a plain scalar (or need what follows them, which is left to `yaml`). */
function badPlainStart(c: number): boolean {
  // - ? : , [ ] { } # & * ! | > ' " % @ `
  return c === DASH || c === 0x3f || c === COLON || c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === HASH ||
    c === 0x26 || c === 0x2a || c === 0x21 || c === 0x7c || c === 0x3e || c === 0x27 || c === 0x22 || c === 0x25 || c === 0x40 || c === 0x60;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

class Reader {
  private readonly lines: string[];
  private line = 0;
  private depth = 0;

  constructor(source: string) {
    this.lines = source.split('\n');
  }

  read(): unknown {
    this.skipBlank();
    if (this.line >= this.lines.length || indentOf(this.current()) !== 0) decline();
    const text = this.current();
    // Directives and document markers.
    if (text.startsWith('%') || text.startsWith('---') || text.startsWith('...')) decline();
    const data = this.node(0);
    this.skipBlank();
    if (this.line < this.lines.length) decline();
    if (data === null || typeof data !== 'object' || Array.isArray(data)) decline();
    return data;
  }

  private current(): string {
    return this.lines[this.line] ?? '';
  }

  /** Past empty lines and comment lines (at any indentation, as YAML has them). */
  private skipBlank(): void {
    while (this.line < this.lines.length) {
      const text = this.current();
      const at = indentOf(text);
      if (at < text.length && text.charCodeAt(at) !== HASH) return;
      if (text.startsWith('---') || text.startsWith('...') || text.startsWith('%')) decline();
      this.line++;
    }
  }

  /** A block mapping or sequence whose first line (the current one) is indented `indent`. */
  private node(indent: number): unknown {
    if (++this.depth > MAX_DEPTH) decline();
    const text = this.current();
    const value = isSequenceItem(text, indent) ? this.sequence(indent) : this.mapping(indent);
    this.depth--;
    return value;
  }

  /** `key: value` lines at `indent` (the first may follow `- ` on its line). */
  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      const text = this.current();
      const { key, after } = readKey(text, indent);
      setKey(out, key, this.value(text, after, indent, true));
      this.skipBlank();
      if (this.line >= this.lines.length) return out;
      const next = indentOf(this.current());
      if (next < indent) return out;
      if (next > indent) decline();
      // A sequence at the mapping's own indentation belongs to the key before it (handled in value()).
      if (isSequenceItem(this.current(), indent)) return out;
    }
  }

  /** `- item` lines at `indent`. */
  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const text = this.current();
      let at = indent + 1;
      while (text.charCodeAt(at) === SPACE) at++;
      if (at >= text.length || text.charCodeAt(at) === HASH) {
        out.push(this.value(text, at, indent, false));
      } else if (text.charCodeAt(at) === DASH && (at + 1 === text.length || text.charCodeAt(at + 1) === SPACE)) {
        decline(); // `- - a`
      } else if (startsKey(text, at)) {
        if (++this.depth > MAX_DEPTH) decline();
        out.push(this.mapping(at));
        this.depth--;
      } else {
        out.push(this.value(text, at, indent, false));
      }
      this.skipBlank();
      if (this.line >= this.lines.length) return out;
      const next = indentOf(this.current());
      if (next < indent) return out;
      if (next > indent || !isSequenceItem(this.current(), indent)) {
        // Anything else at this indentation ends the sequence (a mapping key after `key:\n- a`); deeper is wrong.
        if (next > indent) decline();
        return out;
      }
    }
  }

  /**
   * The value that starts at column `at` of `text` (after `key:` or `- `), in a
   * collection indented `indent`. Leaves the current line on the line after it.
   */
  private value(text: string, at: number, indent: number, inMapping: boolean): unknown {
    while (text.charCodeAt(at) === SPACE) at++;
    if (at >= text.length || text.charCodeAt(at) === HASH) {
      if (at < text.length && text.charCodeAt(at - 1) !== SPACE) decline();
      this.line++;
      this.skipBlank();
      if (this.line >= this.lines.length) return null;
      const next = indentOf(this.current());
      if (next > indent) return this.node(next);
      if (next === indent && inMapping && isSequenceItem(this.current(), indent)) {
        if (++this.depth > MAX_DEPTH) decline();
        const list = this.sequence(indent);
        this.depth--;
        return list;
      }
      return null;
    }
    const c = text.charCodeAt(at);
    if (c === 0x7c || c === 0x3e) return this.blockScalar(text, at, indent);
    let value: unknown;
    let end: number;
    if (c === 0x7b || c === 0x5b) {
      const flow = new FlowReader(text, at, this.depth);
      value = flow.node();
      end = flow.at;
    } else if (c === 0x22 || c === 0x27) {
      const quoted = readQuoted(text, at);
      value = quoted.value;
      end = quoted.end;
    } else {
      const plain = readBlockPlain(text, at);
      value = plain.value;
      end = plain.end;
    }
    endOfLine(text, end);
    this.line++;
    this.noContinuation(indent);
    return value;
  }

  /** A line deeper than the collection after a one-line value would continue it (or be an error): `yaml` decides. */
  private noContinuation(indent: number): void {
    for (let i = this.line; i < this.lines.length; i++) {
      const text = this.lines[i] ?? '';
      const at = indentOf(text);
      if (at === text.length) continue;
      if (at > indent) decline();
      return;
    }
  }

  /** `|`, `|-`, `>`, `>-` and the lines indented under them. */
  private blockScalar(text: string, at: number, indent: number): string {
    const folded = text.charCodeAt(at) === 0x3e;
    let i = at + 1;
    let strip = false;
    if (text.charCodeAt(i) === DASH) {
      strip = true;
      i++;
    }
    // Keep (`+`) and explicit indentation indicators are left to `yaml`.
    if (i < text.length && text.charCodeAt(i) !== SPACE) decline();
    endOfLine(text, i);
    this.line++;
    const content: string[] = [];
    let contentIndent = -1;
    let blankRun = 0;
    while (this.line < this.lines.length) {
      const line = this.current();
      const lead = indentOf(line);
      if (lead === line.length) {
        // Empty lines before the text, or with spaces past its indentation, are read in ways left to `yaml`.
        if (contentIndent < 0 || lead > contentIndent) decline();
        blankRun++;
        content.push('');
        this.line++;
        continue;
      }
      if (contentIndent < 0) {
        if (lead <= indent) break;
        contentIndent = lead;
        // Leading empty lines deeper than the first text need an indentation indicator in YAML.
      } else if (lead < contentIndent) {
        break;
      }
      if (folded && lead > contentIndent) decline(); // more-indented lines fold differently
      if (line.startsWith('---', 0) || line.startsWith('...', 0)) decline();
      content.push(line.slice(contentIndent));
      blankRun = 0;
      this.line++;
    }
    if (contentIndent < 0) decline(); // an empty block scalar
    const lines = content.slice(0, content.length - blankRun);
    let body: string;
    if (folded) {
      body = lines[0] ?? '';
      let empties = 0;
      for (let k = 1; k < lines.length; k++) {
        const line = lines[k] ?? '';
        if (line === '') {
          empties++;
          continue;
        }
        body += empties === 0 ? ` ${line}` : '\n'.repeat(empties) + line;
        empties = 0;
      }
    } else {
      body = lines.join('\n');
    }
    return strip ? body : `${body}\n`;
  }
}

/** One line's flow collection (`{ a: 1, b: [x, "y"] }`), from `at`. */
class FlowReader {
  constructor(
    private readonly text: string,
    public at: number,
    private depth: number,
  ) {}

  node(): unknown {
    this.spaces();
    const c = this.text.charCodeAt(this.at);
    if (c === 0x7b) return this.map();
    if (c === 0x5b) return this.seq();
    if (c === 0x22 || c === 0x27) {
      const quoted = readQuoted(this.text, this.at);
      this.at = quoted.end;
      return quoted.value;
    }
    return resolvePlain(this.plain());
  }

  private spaces(): void {
    while (this.text.charCodeAt(this.at) === SPACE) this.at++;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) decline();
    this.at++;
    this.spaces();
  }

  private map(): Record<string, unknown> {
    this.enter();
    const out: Record<string, unknown> = {};
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      this.depth--;
      return out;
    }
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      let key: string;
      if (c === 0x22 || c === 0x27) {
        const quoted = readQuoted(this.text, this.at);
        key = quoted.value;
        this.at = quoted.end;
      } else {
        const plain = this.plain();
        const resolved = resolvePlain(plain);
        if (typeof resolved !== 'string') decline();
        key = plain;
      }
      if (this.text.charCodeAt(this.at) !== COLON) decline();
      this.at++;
      const after = this.text.charCodeAt(this.at);
      if (after !== SPACE) decline();
      this.spaces();
      const next = this.text.charCodeAt(this.at);
      if (next === 0x2c || next === 0x7d || Number.isNaN(next)) decline(); // `{ a: }`: a null value
      setKey(out, key, this.node());
      if (this.close(0x7d)) return out;
    }
  }

  private seq(): unknown[] {
    this.enter();
    const out: unknown[] = [];
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      this.depth--;
      return out;
    }
    for (;;) {
      out.push(this.node());
      this.spaces();
      if (this.text.charCodeAt(this.at) === COLON) decline(); // `[a: b]`: a pair in a sequence
      if (this.close(0x5d)) return out;
    }
  }

  /** After an entry: `,` (and maybe the end right after it) or the closing bracket. */
  private close(bracket: number): boolean {
    this.spaces();
    let c = this.text.charCodeAt(this.at);
    if (c === 0x2c) {
      this.at++;
      this.spaces();
      c = this.text.charCodeAt(this.at);
      if (c === 0x2c) decline();
      if (c !== bracket) return false;
    }
    if (c !== bracket) decline();
    this.at++;
    this.depth--;
    return true;
  }

  /** A plain scalar inside a flow collection, up to `,`, a bracket, or `: `. */
  private plain(): string {
    const text = this.text;
    const start = this.at;
    const first = text.charCodeAt(start);
    if (Number.isNaN(first)) decline();
    if (badPlainStart(first)) {
      // `-1`: a dash followed by something safe starts a plain scalar like any other character.
      const next = text.charCodeAt(start + 1);
      if (first !== DASH || Number.isNaN(next) || next === SPACE || next === 0x2c || next === 0x5b || next === 0x5d || next === 0x7b || next === 0x7d) decline();
    }
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) break;
      if (c === COLON) {
        const next = text.charCodeAt(i + 1);
        if (next === SPACE || next === 0x2c || next === 0x5b || next === 0x5d || next === 0x7b || next === 0x7d || Number.isNaN(next)) break;
      }
      if (c === HASH && text.charCodeAt(i - 1) === SPACE) decline();
    }
    let end = i;
    while (end > start && text.charCodeAt(end - 1) === SPACE) end--;
    if (end === start) decline();
    this.at = end;
    return text.slice(start, end);
  }
}

function indentOf(text: string): number {
  let i = 0;
  while (text.charCodeAt(i) === SPACE) i++;
  return i;
}

/** `- ` (or a lone `-`) at exactly `indent`. */
function isSequenceItem(text: string, indent: number): boolean {
  if (text.charCodeAt(indent) !== DASH) return false;
  const next = text.charCodeAt(indent + 1);
  return Number.isNaN(next) || next === SPACE;
}

/** Whether a `key:` starts at `at` (a quoted key followed by `:`, or plain text with `: ` before any comment). */
function startsKey(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c === 0x22 || c === 0x27) {
    const quoted = readQuoted(text, at, true);
    return quoted !== undefined && text.charCodeAt(quoted.end) === COLON;
  }
  // A flow collection, a block scalar…: a value (and a flow collection as a key is left to `yaml` by the value's end-of-line check).
  if (badPlainStart(c)) return false;
  return plainKeyEnd(text, at) >= 0;
}

/** The `:` ending a plain key that starts at `at`, or -1. */
function plainKeyEnd(text: string, at: number): number {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === HASH && i > at && text.charCodeAt(i - 1) === SPACE) return -1;
    if (c === COLON) {
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next) || next === SPACE) return i;
    }
  }
  return -1;
}

/** A block mapping's `key:` at `at`; `after` is the column past the colon. */
function readKey(text: string, at: number): { key: string; after: number } {
  const c = text.charCodeAt(at);
  if (c === 0x22 || c === 0x27) {
    const quoted = readQuoted(text, at);
    if (text.charCodeAt(quoted.end) !== COLON) decline();
    const after = text.charCodeAt(quoted.end + 1);
    if (!Number.isNaN(after) && after !== SPACE) decline();
    if (quoted.end - at > MAX_KEY_LENGTH) decline();
    return { key: quoted.value, after: quoted.end + 1 };
  }
  if (Number.isNaN(c) || badPlainStart(c)) decline();
  // A document marker is not a key.
  if (at === 0 && (text.startsWith('...') || text.startsWith('---'))) decline();
  const colon = plainKeyEnd(text, at);
  // `key :` is left to `yaml` too.
  if (colon < 0 || colon - at > MAX_KEY_LENGTH || text.charCodeAt(colon - 1) === SPACE) decline();
  const key = text.slice(at, colon);
  // `1:`, `true:`, `null:` are keys YAML reads as numbers, booleans and null: the branch-key checks need `yaml`.
  if (typeof resolvePlain(key) !== 'string') decline();
  return { key, after: colon + 1 };
}

/** A plain scalar value in block context: the rest of the line, less a comment. */
function readBlockPlain(text: string, at: number): { value: unknown; end: number } {
  const first = text.charCodeAt(at);
  if (badPlainStart(first)) {
    // `-1`, `-x`: a dash not followed by a space starts a plain scalar like any other character.
    const next = text.charCodeAt(at + 1);
    if (first !== DASH || Number.isNaN(next) || next === SPACE) decline();
  }
  let end = text.length;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === HASH && text.charCodeAt(i - 1) === SPACE) {
      end = i;
      break;
    }
    // `a: b: c` and `a: b:` nest mappings, which YAML refuses on one line.
    if (c === COLON) {
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next) || next === SPACE) decline();
    }
  }
  while (end > at && text.charCodeAt(end - 1) === SPACE) end--;
  return { value: resolvePlain(text.slice(at, end)), end };
}

/** A quoted scalar on one line, from its opening quote; `end` is past the closing one. */
function readQuoted(text: string, at: number): { value: string; end: number };
function readQuoted(text: string, at: number, probe: true): { value: string; end: number } | undefined;
function readQuoted(text: string, at: number, probe = false): { value: string; end: number } | undefined {
  const quote = text.charCodeAt(at);
  let out = '';
  let run = at + 1;
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) {
        out += text.slice(run, i + 1);
        i++;
        run = i + 1;
        continue;
      }
      return { value: out + text.slice(run, i), end: i + 1 };
    }
    if (quote === 0x22 && c === 0x5c) {
      out += text.slice(run, i);
      const e = text[i + 1] ?? '';
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i++;
      } else if (e === 'u' || e === 'x') {
        const digits = e === 'u' ? 4 : 2;
        const hex = text.slice(i + 2, i + 2 + digits);
        if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) return probe ? undefined : decline();
        const code = parseInt(hex, 16);
        // A surrogate alone is how `yaml` writes it too, but whether it pairs with the next escape is left to it.
        if (code >= 0xd800 && code <= 0xdfff) return probe ? undefined : decline();
        out += String.fromCharCode(code);
        i += 1 + digits;
      } else {
        return probe ? undefined : decline();
      }
      run = i + 1;
    }
  }
  return probe ? undefined : decline(); // not closed on this line
}

/** After a value: only spaces, then maybe a comment. */
function endOfLine(text: string, at: number): void {
  let i = at;
  while (text.charCodeAt(i) === SPACE) i++;
  if (i === text.length) return;
  if (text.charCodeAt(i) === HASH && i > at) return;
  decline();
}

export interface QuickYaml {
  /** What `yaml`'s toJS gives: a script's top-level mapping. */
  readonly data: Record<string, unknown>;
}

/**
 * The data of `source` when it is a top-level mapping in the YAML this reader
 * knows (then `yaml` reads it with no error and no warning, to equal data, every
 * mapping key a string); undefined otherwise.
 */
export function readQuickYaml(source: string): QuickYaml | undefined {
  if (source === '' || hasForbiddenCharacter(source)) return undefined;
  try {
    return { data: new Reader(source).read() as Record<string, unknown> };
  } catch (err) {
    if (err instanceof Decline || err instanceof RangeError) return undefined;
    throw err;
  }
}
