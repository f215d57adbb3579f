/**
 * The quick YAML reader (compile's fast path) against the `yaml` package: for
 * any text, either it declines, or `yaml` reads the text with no error and no
 * warning and to strictly equal data (key order, -0, NaN, `__proto__` as a key
 * included). Generated documents mix every scalar style, flow and block
 * collections, comments and blank lines at odd places, then get mutated; the
 * examples and every YAML file under test/ are read quickly (and equally).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readQuickYaml } from '../../src/script/quick-yaml.js';

/** The contract; returns whether the quick reader accepted. */
function agrees(source: string): boolean {
  const quick = readQuickYaml(source);
  if (quick === undefined) return false;
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  expect(doc.errors.map((e) => e.message), source).toEqual([]);
  expect(doc.warnings.map((e) => e.message), source).toEqual([]);
  const expected: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isDeepStrictEqual(quick.data, expected)) expect(quick.data, source).toStrictEqual(expected);
  expect(Object.keys(quick.data), source).toEqual(Object.keys(expected as object));
  return true;
}

const PLAIN = [
  'a', 'Hello world', 'null', 'Null', '~', 'True', 'FALSE', 'yes', 'no', 'on', '0123', '+6511111111', '-1', '-0', '1e3', '.5', '5.', '0x1F', '0o17', '017',
  '.inf', '-.Inf', '.nan', '1_000', '12:30', 'a:b', 'http://x.test/a?b=c#d', 'a #b', 'x#y', '{{name}}', 'Hi {{x}}', "it's", 'a, b', '-x', '- x', '?x', ':x',
  '@x', '%x', '!x', '&a', '*a', '|', '>', 'key: v', 'ends:', 'a: b: c', '[a]', '{a}', '"q"', "'s'", '中文', 'é…', '3.14', '-.5e-3', '0.0', '1e', 'NaN',
  '__proto__', 'constructor', 'toString', '---', '...', 'x ]', 'a}b', 'a,b', 'trailing ',
];
const KEYS = ['a', 'b', 'play', 'next', 'steps', '"1"', "'2'", '1', '0123', 'true', 'null', '~', 'a b', 'a:b', '__proto__', 'constructor', '"a: b"', '-k', 'k ', '"x"', '"y\\n"', "'it''s'"];
/** Mostly plain identifiers, sometimes a key YAML reads otherwise (a number, null, a repeat once quoted). */
const key = fc.oneof({ arbitrary: fc.constantFrom('play', 'next', 'steps', 'prompt', 'vars', 'en', 'zh', 'mon-fri', '"1"'), weight: 4 }, fc.constantFrom(...KEYS));
const QUOTED_TEXT = ['', 'a', 'a "b"', "it's", 'tab\there', 'new\nline', 'back\\slash', '\u00e9', 'x: y', '# not a comment', '{{x}}'];

type Gen = { kind: 'plain'; text: string } | { kind: 'dq' | 'sq'; text: string } | { kind: 'block'; style: '|' | '|-' | '>' | '>-' | '|+' | '|2'; lines: string[] }
  | { kind: 'map'; flow: boolean; pairs: Array<[string, Gen]> } | { kind: 'seq'; flow: boolean; items: Gen[]; sameIndent: boolean };

/** What scripts are mostly made of, so that most generated documents are in the subset. */
const EVERYDAY = ['Welcome to {{company}}.', 'menu', 'Press 1.', '"+6560000001"', '10', 'true', '3.5', 'Asia/Singapore', 'https://a.test/{{x}}.mp3'];

const scalar: fc.Arbitrary<Gen> = fc.oneof(
  { arbitrary: fc.constantFrom(...EVERYDAY).map((text): Gen => (text.startsWith('"') ? { kind: 'dq', text: text.slice(1, -1) } : { kind: 'plain', text })), weight: 4 },
  fc.constantFrom(...PLAIN).map((text): Gen => ({ kind: 'plain', text })),
  fc.constantFrom(...QUOTED_TEXT).map((text): Gen => ({ kind: 'dq', text })),
  fc.constantFrom(...QUOTED_TEXT).map((text): Gen => ({ kind: 'sq', text })),
  fc
    .record({
      style: fc.constantFrom('|', '|-', '>', '>-', '|+', '|2'),
      lines: fc.array(fc.constantFrom('Line one.', '', 'second line', '  indented', '# hash', 'a: b', '- item', '{{x}}'), { minLength: 1, maxLength: 5 }),
    })
    .map(({ style, lines }): Gen => ({ kind: 'block', style: style as '|', lines })),
);

const node: fc.Arbitrary<Gen> = fc.letrec<{ node: Gen }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.record({ flow: fc.boolean(), pairs: fc.uniqueArray(fc.tuple(key, tie('node')), { maxLength: 4, selector: ([k]) => k }) }).map(({ flow, pairs }): Gen => ({ kind: 'map', flow, pairs })),
    fc.record({ flow: fc.boolean(), items: fc.array(tie('node'), { maxLength: 4 }), sameIndent: fc.boolean() }).map(({ flow, items, sameIndent }): Gen => ({ kind: 'seq', flow, items, sameIndent })),
  ),
})).node;

function escapeDq(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/é/g, '\\u00e9');
}

/** One-line text of a node in flow context (block scalars become quoted). */
function flowText(g: Gen): string {
  switch (g.kind) {
    case 'plain':
      return g.text;
    case 'dq':
      return `"${escapeDq(g.text)}"`;
    case 'sq':
      return `'${g.text.replace(/'/g, "''")}'`;
    case 'block':
      return `"${escapeDq(g.lines.join(' '))}"`;
    case 'map':
      return `{ ${g.pairs.map(([k, v]) => `${k}: ${flowText(v)}`).join(', ')} }`;
    case 'seq':
      return `[${g.items.map(flowText).join(', ')}]`;
  }
}

/** Lines for `g` as a value after `prefix` (`key:` or `-`) at `indent`. */
function blockLines(prefix: string, g: Gen, indent: number, extras: { comment: boolean; blank: boolean }): string[] {
  const pad = ' '.repeat(indent);
  const child = indent + 2;
  const out: string[] = [];
  if (g.kind === 'map' && !g.flow && g.pairs.length > 0) {
    out.push(`${pad}${prefix}`);
    for (const [k, v] of g.pairs) out.push(...blockLines(`${k}:`, v, child, extras));
  } else if (g.kind === 'seq' && !g.flow && g.items.length > 0) {
    out.push(`${pad}${prefix}`);
    const at = g.sameIndent && prefix.endsWith(':') ? indent : child;
    for (const item of g.items) out.push(...blockLines('-', item, at, extras));
  } else if (g.kind === 'block') {
    out.push(`${pad}${prefix} ${g.style}`);
    for (const line of g.lines) out.push(line === '' ? '' : `${' '.repeat(child)}${line}`);
  } else {
    out.push(`${pad}${prefix} ${flowText(g)}`);
  }
  if (extras.comment) out.push(`${' '.repeat(Math.max(0, indent - 1))}# note`);
  if (extras.blank) out.push('');
  return out;
}

const document = fc
  .record({
    pairs: fc.uniqueArray(fc.tuple(key, node), { minLength: 1, maxLength: 5, selector: ([k]) => k }),
    comment: fc.boolean(),
    blank: fc.boolean(),
    header: fc.constantFrom('', '# yaml-language-server: $schema=x\n', '\n\n'),
  })
  .map(({ pairs, comment, blank, header }) =>
    header + pairs.flatMap(([k, v]) => blockLines(`${k}:`, v, 0, { comment, blank })).join('\n') + '\n',
  );

/** A few random edits: the reader must decline, or still agree. */
const edits = fc.array(
  fc.record({ at: fc.nat(), remove: fc.boolean(), text: fc.constantFrom(' ', '  ', '\t', '#', ':', '-', '\n', '"', "'", '{', '}', '[', ']', ',', '|', '>', '&', '*', '!', '\r', '\n  ', 'x') }),
  { minLength: 1, maxLength: 3 },
);

function edit(source: string, changes: ReadonlyArray<{ at: number; remove: boolean; text: string }>): string {
  let out = source;
  for (const c of changes) {
    const at = c.at % (out.length + 1);
    out = c.remove ? out.slice(0, at) + out.slice(at + 1) : out.slice(0, at) + c.text + out.slice(at);
  }
  return out;
}

describe('the quick YAML reader', () => {
  it('reads what yaml reads, or declines (generated documents)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(document, (source) => {
        if (agrees(source)) accepted++;
      }),
      { numRuns: 1500 },
    );
    // Most generated documents are in the subset: the property is not vacuous.
    expect(accepted).toBeGreaterThan(300);
  });

  it('reads what yaml reads, or declines (mutated documents)', () => {
    fc.assert(
      fc.property(document, edits, (source, changes) => {
        agrees(edit(source, changes));
      }),
      { numRuns: 1500 },
    );
  });

  it('reads every example and every YAML file of the tests', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.ya?ml$/.test(name)) files.push(path);
      }
    };
    walk('examples');
    walk('test');
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect([file, agrees(readFileSync(file, 'utf8'))]).toEqual([file, true]);
  });

  it('declines what it does not know', () => {
    for (const source of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n---\nb: 2\n',
      '? a\n: 1\n',
      'a: "two\n  lines"\n',
      'a: plain\n  continued\n',
      'a: { b: 1,\n  c: 2 }\n',
      '1: one\n',
      'a: 1\na: 2\n',
      'a:\tb\n',
      'a: b\r\n',
      '- a\n',
      '  a: 1\n',
      'a: |+\n  keep\n\n',
      'a: |2\n   two\n',
      'a: >\n  folded\n    more\n',
    ]) {
      expect([source, readQuickYaml(source)]).toEqual([source, undefined]);
    }
  });
});
