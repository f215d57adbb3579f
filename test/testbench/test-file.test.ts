/** Test files: parsed into cases, and their own mistakes reported as file:line:col with stable codes. */
import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/script/model.js';
import { formatDiagnostic, type Diagnostic } from '../../src/script/diagnostic.js';
import { parseTestFile } from '../../src/testbench/parse-test-file.js';
import { mustCompile } from '../helpers/compile.js';

const menu = mustCompile(
  [
    'name: menu',
    'numbers: ["+6560001000"]',
    'vars: { city: Singapore }',
    'steps:',
    '  hello: { play: "Hello.", next: choose }',
    '  choose:',
    '    gather: "Press 1."',
    '    branches: { "1": bye }',
    '  bye: { hangup: "Bye." }',
  ].join('\n'),
  'menu.yaml',
);
const outboundOnly = mustCompile('name: remind\nvars: { name: there }\nsteps:\n  hi: { hangup: "Hi {{name}}." }\n', 'remind.yaml');
const scripts = new Map<string, Script>([
  ['menu', menu],
  ['remind', outboundOnly],
]);

function lines(...l: string[]): string {
  return `${l.join('\n')}\n`;
}

function diagnostics(source: string): Diagnostic[] {
  const result = parseTestFile(source, 'menu.test.yaml', scripts);
  if (result.ok) throw new Error('expected diagnostics');
  return result.diagnostics;
}

describe('parsing a test file', () => {
  it('reads cases: caller, expectations with matchers and actions, outcome, vars', () => {
    const result = parseTestFile(
      lines(
        'script: menu',
        'cases:',
        '  - name: news',
        '    caller: { from: "+6591111111" }',
        '    expect:',
        '      - play: "Hello."',
        '      - gather: { contains: "Press", max_digits: 1, tag: { matches: "^m" } }',
        '        press: "1"',
        '      - hangup:',
        '    outcome: completed',
        '    vars: { city: { contains: "Sing" } }',
        '  - name: by actions',
        '    actions: ["1", "", busy, hangup, { press: "12" }]',
      ),
      'menu.test.yaml',
      scripts,
    );
    if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
    const [news, byActions] = result.testFile.cases;
    expect(news).toMatchObject({
      name: 'news',
      line: 3,
      caller: { from: '+6591111111', vars: {} },
      outcome: 'completed',
      expect: [
        { block: 'play', message: { kind: 'exact', value: 'Hello.' }, line: 6 },
        { block: 'gather', message: { kind: 'contains', value: 'Press' }, params: { max_digits: { kind: 'exact', value: '1' } }, caller: { press: '1' } },
        { block: 'hangup', message: { kind: 'any' } },
      ],
    });
    expect(news?.expect?.[1]?.params.tag).toMatchObject({ kind: 'matches' });
    expect(byActions?.actions).toEqual([{ press: '1' }, { no_input: true }, { outcome: 'busy' }, { hangup: true }, { press: '12' }]);
  });

  it('`hangup: true` beside a block is the caller hanging up; `hangup: "text"` is a hangup block', () => {
    const result = parseTestFile(
      lines('script: menu', 'cases:', '  - name: a', '    expect:', '      - play: "Hello."', '        hangup: true', '      - hangup: "Bye."'),
      'menu.test.yaml',
      scripts,
    );
    expect(result.ok && result.testFile.cases[0]?.expect).toMatchObject([
      { block: 'play', caller: { hangup: true } },
      { block: 'hangup', message: { kind: 'exact', value: 'Bye.' } },
    ]);
  });

  it('schema problems are positioned like script diagnostics', () => {
    const found = diagnostics(
      lines(
        'script: menu',
        'cases:',
        '  - name: one',
        '    caller: { from: +6591234567 }',
        '    expect:',
        '      - playy: "typo"',
        '      - transfer: { to: "+6560002000" }',
        '        outcome: maybe',
        '    outcom: completed',
      ),
    );
    expect(found.map(formatDiagnostic)).toEqual([
      'menu.test.yaml:4:21: error: `cases[0].caller.from`: +6591234567 is read by YAML as the number 6591234567, not a string: write "+6591234567" in quotes [CS_NOT_A_STRING]',
      'menu.test.yaml:6:9: error: unknown key `playy` in `cases[0].expect[0]`; did you mean `play`? [CS_UNKNOWN_KEY]',
      'menu.test.yaml:8:18: error: `cases[0].expect[1].outcome`: expected one of "answered", "busy", "unanswered", "failed", got "maybe" [CS_VALUE]',
      'menu.test.yaml:9:5: error: unknown key `outcom` in `cases[0]`; did you mean `outcome`? [CS_UNKNOWN_KEY]',
    ]);
  });

  it('missing fields and YAML syntax errors', () => {
    expect(diagnostics('cases:\n  - expect: []\n').map((d) => [d.line, d.column, d.code])).toEqual([
      [1, 1, 'CS_REQUIRED'],
      [2, 5, 'CS_REQUIRED'],
    ]);
    expect(diagnostics('script: menu\ncases: [\n').map((d) => d.code)).toContain('CS_YAML_SYNTAX');
  });

  it('semantic problems: unknown script, duplicate case names, blocks, actions, regexes, vars', () => {
    const found = diagnostics(
      lines(
        'script: menu',
        'cases:',
        '  - name: one',
        '    caller: { outbound: true, vars: { nope: "1" } }',
        '    expect:',
        '      - gather: "Press 1."',
        '      - play: "x"',
        '        press: "1"',
        '      - hangup: { matches: "([" }',
        '      - transfer: { message: "a", contains: "b" }',
        '      - { press: "1" }',
        '  - name: one',
        '    actions: ["1", sometimes]',
        '    expect:',
        '      - gather:',
        '        press: "2"',
      ),
    );
    expect(found.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '4:39 CS_TEST_UNKNOWN_VAR',
      '6:9 CS_TEST_NO_ACTION',
      '8:9 CS_TEST_ACTION',
      '9:28 CS_TEST_REGEX',
      '10:35 CS_TEST_BLOCK',
      '11:9 CS_TEST_BLOCK',
      '12:11 CS_TEST_DUPLICATE_CASE',
      '13:5 CS_TEST_ACTIONS_TWICE',
      '13:20 CS_VALUE',
    ]);
    expect(found.find((d) => d.code === 'CS_TEST_DUPLICATE_CASE')?.message).toBe('case name "one" is already used on line 3: case names are unique in a file');
    expect(found.find((d) => d.code === 'CS_TEST_UNKNOWN_VAR')?.message).toContain('(it declares: city)');

    const unknown = diagnostics(lines('script: menuu', 'cases:', '  - name: x'));
    expect(unknown.map(formatDiagnostic)).toEqual([
      'menu.test.yaml:1:9: error: no script named `menuu` among the scripts loaded; did you mean `menu`? [CS_TEST_UNKNOWN_SCRIPT]',
    ]);
  });

  it('vars need an outbound call; a script without numbers is called outbound by default', () => {
    expect(diagnostics(lines('script: menu', 'cases:', '  - name: x', '    caller: { vars: { city: Paris } }')).map((d) => d.code)).toEqual(['CS_TEST_VARS_INBOUND']);
    const ok = parseTestFile(lines('script: remind', 'cases:', '  - name: x', '    caller: { vars: { name: Bob } }'), 'r.test.yaml', scripts);
    expect(ok.ok).toBe(true);
  });

  it('a gather needs no action beside it when the case lists `actions:`', () => {
    const ok = parseTestFile(lines('script: menu', 'cases:', '  - name: x', '    actions: ["1"]', '    expect:', '      - play:', '      - gather:'), 'm.test.yaml', scripts);
    expect(ok.ok).toBe(true);
  });
});
