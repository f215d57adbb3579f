/** One test per diagnostic code: code, severity, exact position and path on a small script. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compile } from '../../src/script/compile.js';
import { loadScripts } from '../../src/script-files/load.js';
import { diagnosticsOf, only, yaml } from './helpers.js';
import { HOIIO_CAPABILITIES } from '../../src/provider/hoiio/capabilities.js';

describe('diagnostic codes', () => {
  test('CS_YAML_SYNTAX: yaml errors keep their position (duplicate keys too)', () => {
    const d = only(
      yaml(
        'steps:', //
        '  bye:',
        '    hangup: Goodbye.',
        '  bye:',
        '    hangup: Bye.',
      ),
      'CS_YAML_SYNTAX',
    );
    expect(d).toMatchObject({ severity: 'error', line: 4, column: 3, path: '', file: 'test.yaml' });
    expect(d.message).toContain('duplicate key `bye`');
  });

  test('CS_TOO_LARGE: sources over 1 MiB are refused before parsing', () => {
    const d = only(`steps: {}\n# ${'x'.repeat(1024 * 1024)}\n`, 'CS_TOO_LARGE');
    expect(d).toMatchObject({ severity: 'error', line: 1, column: 1, path: '' });
  });

  test('CS_TOO_LARGE: too many alias expansions', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    lines.push('steps: { bye: { hangup: Bye. } }');
    const d = only(yaml(...lines), 'CS_TOO_LARGE');
    expect(d).toMatchObject({ severity: 'error', line: 1, column: 1 });
    expect(d.message).toContain('alias');
  });

  test('CS_UNKNOWN_KEY: on the key, with a did-you-mean', () => {
    const d = only(
      yaml(
        'steps:',
        '  menu:',
        '    gather:',
        '      prompt: Press 1.',
        '      max_digit: 1',
        '    branches: { "1": bye }',
        '  bye:',
        '    hangup: Bye.',
      ),
      'CS_UNKNOWN_KEY',
    );
    expect(d).toMatchObject({ severity: 'error', line: 5, column: 7, path: 'steps.menu.gather.max_digit' });
    expect(d.message).toContain('did you mean `max_digits`?');
  });

  test('CS_UNKNOWN_KEY: lists the allowed keys when nothing is close', () => {
    const d = only(yaml('steps:', '  bye:', '    hangup: Bye.', '    next: bye'), 'CS_UNKNOWN_KEY');
    expect(d).toMatchObject({ line: 4, column: 5, path: 'steps.bye.next' });
    expect(d.message).toBe('`next` is not allowed in a hangup step; allowed: hangup, voice, on_error, description');
  });

  test('CS_TYPE: says what was expected and what was found', () => {
    const d = only(
      yaml(
        'steps:',
        '  menu:',
        '    gather: { prompt: Press 1., max_digits: one }',
        '    branches: { "1": bye }',
        '  bye: { hangup: Bye. }',
      ),
      'CS_TYPE',
    );
    expect(d).toMatchObject({ severity: 'error', line: 3, column: 45, path: 'steps.menu.gather.max_digits' });
    expect(d.message).toBe('`max_digits`: expected an integer from 0 to 255, got "one"');
  });

  test('CS_REQUIRED: a missing field, on the key of the object that lacks it', () => {
    const d = only(
      yaml(
        'steps:',
        '  sales:',
        '    transfer:',
        '      message: Connecting you.',
      ),
      'CS_REQUIRED',
    );
    expect(d).toMatchObject({ severity: 'error', line: 3, column: 5, path: 'steps.sales.transfer' });
    expect(d.message).toBe('`transfer` is missing `to`');
  });

  test('CS_VALUE: out of range', () => {
    const d = only(
      yaml(
        'steps:',
        '  menu:',
        '    gather:',
        '      prompt: Enter your account number.',
        '      max_digits: 300',
        '    next: bye',
        '  bye: { hangup: Bye. }',
      ),
      'CS_VALUE',
    );
    expect(d).toMatchObject({ severity: 'error', line: 5, column: 19, path: 'steps.menu.gather.max_digits' });
    expect(d.message).toBe('`max_digits`: expected an integer from 0 to 255, got 300');
  });

  test('CS_VALUE: a pattern, worded as the allowed form', () => {
    const d = only(yaml('numbers: ["6560000001"]', 'steps:', '  bye: { hangup: Bye. }'), 'CS_VALUE');
    expect(d).toMatchObject({ line: 1, column: 11, path: 'numbers[0]' });
    expect(d.message).toBe('`numbers[0]`: expected an E.164 phone number in quotes, like "+6561234567", got "6560000001"');
  });

  test('CS_NOT_A_STRING: an unquoted phone number', () => {
    const d = only(yaml('numbers: [+6511111111]', 'steps:', '  bye: { hangup: Bye. }'), 'CS_NOT_A_STRING');
    expect(d).toMatchObject({ severity: 'error', line: 1, column: 11, path: 'numbers[0]' });
    expect(d.message).toContain('write "+6511111111" in quotes');
  });

  test('CS_NOT_A_STRING: an unquoted branch key, with its source text (0123 is not 123)', () => {
    const d = only(
      yaml(
        'steps:',
        '  menu:',
        '    gather: Enter the code.',
        '    branches:',
        '      0123: bye',
        '  bye: { hangup: Bye. }',
      ),
      'CS_NOT_A_STRING',
    );
    expect(d).toMatchObject({ severity: 'error', line: 5, column: 7, path: 'steps.menu.branches["123"]' });
    expect(d.message).toBe('branch key 0123 is read by YAML as the number 123, not a string: write "0123" in quotes');
  });

  test('CS_STEP_KIND: no kind key, with a did-you-mean', () => {
    const d = only(yaml('steps:', '  hello:', '    paly: Hello.', '    next: bye', '  bye: { hangup: Bye. }'), 'CS_STEP_KIND');
    expect(d).toMatchObject({ severity: 'error', line: 2, column: 3, path: 'steps.hello' });
    expect(d.message).toContain('play, gather, record, monitor, transfer, hangup');
    expect(d.message).toContain('did you mean `play`?');
  });

  test('CS_STEP_KIND: two kind keys, and no other noise for that step', () => {
    const all = diagnosticsOf(yaml('steps:', '  hello:', '    play: Hello.', '    hangup: Bye.'));
    expect(all.map((d) => d.code)).toEqual(['CS_STEP_KIND']);
    expect(all[0]).toMatchObject({ line: 2, column: 3, path: 'steps.hello' });
    expect(all[0]?.message).toContain('2 kinds (play, hangup)');
  });

  test('CS_UNKNOWN_STEP: on the value, with a did-you-mean among step ids', () => {
    const d = only(
      yaml(
        'steps:',
        '  welcome:',
        '    play: Hello.',
        '    next: mneu',
        '  menu:',
        '    gather: Press 1.',
        '    branches: { "1": welcome }',
      ),
      'CS_UNKNOWN_STEP',
    );
    expect(d).toMatchObject({ severity: 'error', line: 4, column: 11, path: 'steps.welcome.next' });
    expect(d.message).toBe('next names step `mneu`, which does not exist; did you mean `menu`?');
  });

  test('CS_UNKNOWN_STEP: branch targets use the ["key"] path form', () => {
    const d = only(
      yaml('steps:', '  menu:', '    gather: Press 1.', '    branches:', '      "1": sales', '      "#": menu'),
      'CS_UNKNOWN_STEP',
    );
    expect(d).toMatchObject({ line: 5, column: 12, path: 'steps.menu.branches["1"]' });
  });

  test('CS_UNKNOWN_STEP: start, invalid.goto, the invalid shorthand, no_input and on_failure, each on its value', () => {
    const all = diagnosticsOf(
      yaml(
        'start: welcom',
        'steps:',
        '  welcome:',
        '    gather: Press 1 or 2.',
        '    branches: { "1": sales, "2": menu }',
        '    invalid: { retries: 1, goto: operatr }',
        '    no_input: goodby',
        '  menu:',
        '    gather: Press 1.',
        '    branches: { "1": bye }',
        '    invalid: byee',
        '  sales:',
        '    transfer: "+6562223333"',
        '    on_failure: voicemial',
        '  bye: { hangup: Bye. }',
      ),
    );
    expect(all.map((d) => [d.code, d.severity, d.line, d.column, d.path, d.message])).toEqual([
      ['CS_UNKNOWN_STEP', 'error', 1, 8, 'start', 'start names step `welcom`, which does not exist; did you mean `welcome`?'],
      ['CS_UNKNOWN_STEP', 'error', 6, 34, 'steps.welcome.invalid.goto', 'invalid.goto names step `operatr`, which does not exist; steps: welcome, menu, sales, bye'],
      ['CS_UNKNOWN_STEP', 'error', 7, 15, 'steps.welcome.no_input', 'no_input names step `goodby`, which does not exist; steps: welcome, menu, sales, bye'],
      ['CS_UNKNOWN_STEP', 'error', 11, 14, 'steps.menu.invalid', 'invalid names step `byee`, which does not exist; did you mean `bye`?'],
      ['CS_UNKNOWN_STEP', 'error', 14, 17, 'steps.sales.on_failure', 'on_failure names step `voicemial`, which does not exist; steps: welcome, menu, sales, bye'],
    ]);
  });

  test('CS_NO_NEXT: a middle step with nowhere to go', () => {
    const d = only(yaml('steps:', '  welcome:', '    play: Hello.', '  bye: { hangup: Bye. }'), 'CS_NO_NEXT');
    expect(d).toMatchObject({ severity: 'error', line: 2, column: 3, path: 'steps.welcome' });
    expect(d.message).toBe('play step `welcome` has nowhere to go next: add `next: <step id>`');
  });

  test('CS_NO_NEXT: a gather without branches needs next', () => {
    const d = only(yaml('steps:', '  account:', '    gather: Enter your account number.', '    save_as: account'), 'CS_NO_NEXT');
    expect(d).toMatchObject({ line: 2, column: 3, path: 'steps.account' });
    expect(d.message).toContain('has no branches, so it needs `next`');
  });

  test('CS_GATHER_NEXT_WITH_BRANCHES: on the `next` key', () => {
    const d = only(
      yaml('steps:', '  menu:', '    gather: Press 1.', '    branches: { "1": bye }', '    next: bye', '  bye: { hangup: Bye. }'),
      'CS_GATHER_NEXT_WITH_BRANCHES',
    );
    expect(d).toMatchObject({ severity: 'error', line: 5, column: 5, path: 'steps.menu.next' });
    expect(d.message).toContain('use `invalid:` for other input');
  });

  test('CS_UNREACHABLE: a warning on the step key; the script still compiles', () => {
    const source = yaml('steps:', '  welcome:', '    hangup: Hello and goodbye.', '  orphan:', '    hangup: Never said.');
    const result = compile(source, { file: 'test.yaml' });
    expect(result.ok).toBe(true);
    const d = only(source, 'CS_UNREACHABLE');
    expect(d).toMatchObject({ severity: 'warning', line: 4, column: 3, path: 'steps.orphan' });
  });

  test('CS_TEMPLATE_SYNTAX: position inside a single-line scalar', () => {
    const d = only(yaml('steps:', '  bye:', '    hangup: "Goodbye {{name."'), 'CS_TEMPLATE_SYNTAX');
    // The quote is column 13; Handlebars stops at the `.` after `{{name` (template column 15).
    expect(d).toMatchObject({ severity: 'error', line: 3, column: 28, path: 'steps.bye.hangup' });
  });

  test('CS_TEMPLATE_SYNTAX: position inside a literal block', () => {
    const d = only(
      yaml('vars: { x: 1 }', 'steps:', '  bye:', '    hangup: |', '      Goodbye.', '      {{#if x}}See you.{{/each}}'),
      'CS_TEMPLATE_SYNTAX',
    );
    expect(d).toMatchObject({ line: 6, column: 10, path: 'steps.bye.hangup' });
    expect(d.message).toContain("if doesn't match each");
  });

  test('CS_TEMPLATE_UNKNOWN_VAR: on the variable, with a did-you-mean', () => {
    const d = only(yaml('vars: { company: Acme }', 'steps:', '  bye:', '    hangup: Thanks for calling {{compnay}}.'), 'CS_TEMPLATE_UNKNOWN_VAR');
    expect(d).toMatchObject({ severity: 'error', line: 4, column: 34, path: 'steps.bye.hangup' });
    expect(d.message).toBe(
      '`{{compnay}}` is not defined: not in vars, not a save_as, set or http save, not a call field; did you mean `company`?',
    );
  });

  test('CS_TEMPLATE_UNKNOWN_VAR: call subfields are checked', () => {
    const d = only(yaml('steps:', '  bye:', '    hangup: "You called from {{call.number}}."'), 'CS_TEMPLATE_UNKNOWN_VAR');
    expect(d).toMatchObject({ line: 3, column: 32, path: 'steps.bye.hangup' });
    expect(d.message).toContain('call has from, to, session, direction');
  });

  test('CS_TEMPLATE_UNKNOWN_VAR: a provider\'s own call fields are known only for that provider (Hoiio\'s txn_ref)', () => {
    const source = yaml('steps:', '  bye:', '    hangup: "Ref {{call.txn_ref}}."');
    const neutral = compile(source, { file: 'test.yaml' });
    expect(neutral.ok ? [] : neutral.diagnostics.map((x) => x.message)).toEqual([expect.stringContaining('`{{call.txn_ref}}` is not a call field')]);
    expect(compile(source, { file: 'test.yaml', provider: HOIIO_CAPABILITIES }).ok).toBe(true);
    const typo = compile(yaml('steps:', '  bye:', '    hangup: "Ref {{call.txnref}}."'), { file: 'test.yaml', provider: HOIIO_CAPABILITIES });
    expect(typo.ok ? '' : typo.diagnostics[0]?.message).toContain('call has from, to, session, direction, txn_ref');
  });

  test('CS_TEMPLATE_UNKNOWN_HELPER', () => {
    const d = only(yaml('vars: { name: x }', 'steps:', '  bye:', '    hangup: "Bye {{shout name}}"'), 'CS_TEMPLATE_UNKNOWN_HELPER');
    expect(d).toMatchObject({ severity: 'error', line: 4, column: 18, path: 'steps.bye.hangup' });
    expect(d.message).toContain('`shout` is not a template helper');
  });

  // CS_MESSAGE_TOO_LONG is the provider's limit: test/script/capabilities.test.ts.

  test('CS_RESERVED_NAME: a var named like a context field, on the key', () => {
    const d = only(yaml('vars:', '  digits: "1234"', 'steps:', '  bye: { hangup: Bye. }'), 'CS_RESERVED_NAME');
    expect(d).toMatchObject({ severity: 'error', line: 2, column: 3, path: 'vars.digits' });
  });

  test('CS_RESERVED_NAME: save_as, on the value', () => {
    const d = only(
      yaml('steps:', '  ask:', '    gather: Enter it.', '    save_as: record_url', '    next: bye', '  bye: { hangup: Bye. }'),
      'CS_RESERVED_NAME',
    );
    expect(d).toMatchObject({ line: 4, column: 14, path: 'steps.ask.save_as' });
  });

  test('CS_DUPLICATE_NUMBER: on the repeat', () => {
    const d = only(yaml('numbers:', '  - "+6560000001"', '  - "+6560000001"', 'steps:', '  bye: { hangup: Bye. }'), 'CS_DUPLICATE_NUMBER');
    expect(d).toMatchObject({ severity: 'error', line: 3, column: 5, path: 'numbers[1]' });
  });

  test('CS_INVALID_NAME: a file name that is not a script name suggests `name:`', () => {
    const d = only(yaml('steps:', '  bye: { hangup: Bye. }'), 'CS_INVALID_NAME', 'scripts/Main Menu.yaml');
    expect(d).toMatchObject({ severity: 'error', line: 1, column: 1, path: 'name', file: 'scripts/Main Menu.yaml' });
    expect(d.message).toContain('add `name: main-menu`');
  });

  test('CS_INVALID_NAME: an explicit name', () => {
    const d = only(yaml('name: Acme', 'steps:', '  bye: { hangup: Bye. }'), 'CS_INVALID_NAME');
    expect(d).toMatchObject({ line: 1, column: 7, path: 'name' });
  });
});

describe('cross-file diagnostic codes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'callscript-load-'));
    await writeFile(join(dir, 'a.yaml'), yaml('name: main', 'numbers: ["+6560000001"]', 'steps:', '  bye: { hangup: Bye. }'));
    await writeFile(join(dir, 'b.yaml'), yaml('name: main', 'steps:', '  bye: { hangup: Bye. }'));
    await writeFile(join(dir, 'c.yaml'), yaml('numbers:', '  - "+6560000009"', '  - "+6560000001"', 'steps:', '  bye: { hangup: Bye. }'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('CS_DUPLICATE_NAME: on the second file, naming the first', async () => {
    const { diagnostics } = await loadScripts([dir]);
    const d = diagnostics.find((x) => x.code === 'CS_DUPLICATE_NAME');
    expect(d).toMatchObject({ severity: 'error', file: join(dir, 'b.yaml'), line: 1, column: 7, path: 'name' });
    expect(d?.message).toContain(join(dir, 'a.yaml'));
  });

  test('CS_DUPLICATE_SCRIPT_NUMBER: on the number in the second file', async () => {
    const { diagnostics, scripts } = await loadScripts([dir]);
    const d = diagnostics.find((x) => x.code === 'CS_DUPLICATE_SCRIPT_NUMBER');
    expect(d).toMatchObject({ severity: 'error', file: join(dir, 'c.yaml'), line: 3, column: 5, path: 'numbers[1]' });
    expect(d?.message).toContain(join(dir, 'a.yaml'));
    expect(scripts.map((s) => s.name)).toEqual(['main']);
  });

  test('CS_FILE: a missing path', async () => {
    const missing = join(dir, 'nope.yaml');
    const { diagnostics } = await loadScripts([missing]);
    expect(diagnostics).toEqual([
      { code: 'CS_FILE', severity: 'error', file: missing, line: 1, column: 1, path: '', message: expect.stringContaining('no such file') },
    ]);
  });
});
