/** The compiled shape: shorthands expanded, defaults merged, safe records, versions. */
import type { Template } from '../../src/template/index.js';
import { describe, expect, test } from 'vitest';
import { compile, scriptVersion } from '../../src/script/compile.js';
import type { GatherStep, Script } from '../../src/script/model.js';
import type { TemplateContext } from '../../src/template/template.js';
import { yaml } from './helpers.js';

const context: TemplateContext = {
  call: { from: '+6591234567', to: '+6560000001', session: 'S1', txn_ref: 'T1', direction: 'inbound' },
};

function mustCompile(source: string, options: { file?: string; name?: string } = { file: 'shape.yaml' }): Script {
  const result = compile(source, options);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics, null, 2));
  return result.script;
}

function gather(script: Script, id: string): GatherStep {
  const step = script.steps[id];
  if (step?.kind !== 'gather') throw new Error(`${id} is not a gather`);
  return step;
}

const SHAPE = yaml(
  'description: Shape test',
  'numbers: ["+6560000001"]',
  'vars: { company: Acme, open: true }',
  'defaults:',
  '  gather: { timeout: 7, attempts: 3, max_digits: 4 }',
  '  record: { max_duration: 30 }',
  '  invalid: { message: "Try again.", retries: 1 }',
  'steps:',
  '  welcome:',
  '    play: "Welcome to {{company}}."',
  '    next: menu',
  '  menu:',
  '    gather: { prompt: "Press 1.", max_digits: 1 }',
  '    branches: { "1": rec, "*9": account }',
  '    no_input: bye',
  '  account:',
  '    gather: Enter your account.',
  '    save_as: account',
  '    next: confirm',
  '  confirm:',
  '    gather: "You entered {{spell account}}."',
  '    branches: { "1": sales }',
  '    invalid: menu',
  '  rec:',
  '    record: Leave a message.',
  '    save_as: message_url',
  '    next: watch',
  '  watch:',
  '    monitor:',
  '    next: sales',
  '  sales:',
  '    transfer: "+6562223333"',
  '    on_failure: explicit',
  '  explicit:',
  '    gather: { prompt: Hi, timeout: 2 }',
  '    branches: { "1": bye }',
  '    invalid: { goto: bye }',
  '  bye:',
  '    hangup:',
);

describe('compile: shape', () => {
  const script = mustCompile(SHAPE);

  test('script fields', () => {
    expect(script.name).toBe('shape');
    expect(script.file).toBe('shape.yaml');
    expect(script.description).toBe('Shape test');
    expect(script.numbers).toEqual(['+6560000001']);
    expect({ ...script.vars }).toEqual({ company: 'Acme', open: true });
    expect(script.start).toBe('welcome');
    expect(Object.keys(script.steps)).toEqual(['welcome', 'menu', 'account', 'confirm', 'rec', 'watch', 'sales', 'explicit', 'bye']);
    expect(script.source).toBe(SHAPE);
  });

  test('gather: step values override defaults.gather, the rest is inherited', () => {
    expect(gather(script, 'menu')).toMatchObject({ maxDigits: 1, timeout: 7, attempts: 3, noInput: 'bye' });
    expect(gather(script, 'explicit')).toMatchObject({ maxDigits: 4, timeout: 2, attempts: 3 });
  });

  test('gather: absent invalid = defaults.invalid over the built-in', () => {
    const { invalid } = gather(script, 'menu');
    expect(invalid.retries).toBe(1);
    expect(invalid.goto).toBeUndefined();
    expect((invalid.message as Template | undefined)?.render(context)).toBe('Try again.');
  });

  test('gather: `invalid: step` shorthand goes there at once, with no message', () => {
    expect(gather(script, 'confirm').invalid).toEqual({ retries: 0, goto: 'menu' });
  });

  test('gather: an invalid mapping is merged over the defaults', () => {
    const { invalid } = gather(script, 'explicit');
    expect(invalid).toMatchObject({ retries: 1, goto: 'bye' });
    expect((invalid.message as Template | undefined)?.render(context)).toBe('Try again.');
  });

  test('the built-in invalid default without defaults.invalid', () => {
    const s = mustCompile(yaml('steps:', '  menu:', '    gather: Press 1.', '    branches: { "1": menu }'));
    const { invalid } = gather(s, 'menu');
    expect(invalid.retries).toBe(2);
    expect((invalid.message as Template | undefined)?.render(context)).toBe('Sorry, that is not a valid choice.');
  });

  test('gather without branches: save_as and next', () => {
    const step = gather(script, 'account');
    expect(step).toMatchObject({ saveAs: 'account', next: 'confirm' });
    expect(step.branches).toBeUndefined();
    expect((step.prompt as Template | undefined)?.render(context)).toBe('Enter your account.');
  });

  test('branches are strings to step ids, in a null-prototype record', () => {
    const { branches } = gather(script, 'menu');
    expect(Object.getPrototypeOf(branches)).toBeNull();
    expect({ ...branches }).toEqual({ '1': 'rec', '*9': 'account' });
  });

  test('shorthands: play, record, monitor with nothing, transfer, hangup with nothing', () => {
    const { welcome, rec, watch, sales, bye } = script.steps;
    expect(welcome?.kind === 'play' && (welcome.message as Template).render({ ...script.vars, ...context })).toBe('Welcome to Acme.');
    expect(welcome).toMatchObject({ next: 'menu' });
    expect(rec).toMatchObject({ kind: 'record', maxDuration: 30, saveAs: 'message_url', next: 'watch' });
    expect(rec?.kind === 'record' && (rec.prompt as Template | undefined)?.source).toBe('Leave a message.');
    expect(watch).toEqual({ id: 'watch', kind: 'monitor', next: 'sales' });
    expect(sales?.kind === 'transfer' && sales.to.render(context)).toBe('+6562223333');
    expect(sales).toMatchObject({ onFailure: 'explicit' });
    expect(bye).toEqual({ id: 'bye', kind: 'hangup' });
  });

  test('templates are compiled and read save_as variables', () => {
    const confirm = gather(script, 'confirm');
    expect((confirm.prompt as Template | undefined)?.render({ ...context, account: '1234' })).toBe('You entered 1 2 3 4.');
  });

  test('steps are a null-prototype record: no step resolves through Object.prototype', () => {
    expect(Object.getPrototypeOf(script.steps)).toBeNull();
    expect(script.steps['constructor']).toBeUndefined();
    expect(script.steps['__proto__']).toBeUndefined();
    expect(script.steps['toString']).toBeUndefined();
  });

  test('steps named constructor / __proto__ are ordinary steps', () => {
    const s = mustCompile(
      yaml('steps:', '  constructor:', '    play: Hi.', '    next: __proto__', '  __proto__:', '    hangup: Bye.'),
    );
    expect(Object.keys(s.steps)).toEqual(['constructor', '__proto__']);
    expect(s.steps['constructor']).toMatchObject({ kind: 'play', next: '__proto__' });
    expect(s.steps['__proto__']).toMatchObject({ kind: 'hangup' });
  });

  test('next: constructor does not resolve to Object.prototype.constructor', () => {
    const result = compile(yaml('steps:', '  a:', '    play: Hi.', '    next: constructor'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.diagnostics.map((d) => d.code)).toEqual(['CS_UNKNOWN_STEP']);
  });

  test('transfer: full form', () => {
    const s = mustCompile(
      yaml(
        'steps:',
        '  t:',
        '    transfer: { to: "room:sales.1", message: Hold on., caller_id: "{{call.from}}", tag: t }',
      ),
    );
    const t = s.steps['t'];
    if (t?.kind !== 'transfer') throw new Error('not a transfer');
    expect(t.to.render(context)).toBe('room:sales.1');
    expect(t.callerId?.render(context)).toBe('+6591234567');
    expect((t.message as Template | undefined)?.render(context)).toBe('Hold on.');
    expect(t.tag?.render(context)).toBe('t');
    expect(t.onFailure).toBeUndefined();
  });

  test('explicit start and name; options.name when the script has none', () => {
    const explicit = mustCompile(yaml('name: main', 'start: b', 'steps:', '  a: { hangup: A. }', '  b: { play: B., next: a }'));
    expect(explicit).toMatchObject({ name: 'main', start: 'b' });
    expect(mustCompile(yaml('steps:', '  a: { hangup: A. }'), { name: 'given' }).name).toBe('given');
    expect(mustCompile(yaml('steps:', '  a: { hangup: A. }'), {}).name).toBe('script');
    expect(mustCompile(yaml('steps:', '  a: { hangup: A. }'), {}).file).toBeUndefined();
  });
});

describe('compile: version', () => {
  test('the first 16 hex characters of the sha256 of the source', () => {
    const s = compile(SHAPE);
    expect(s.ok && s.script.version).toMatch(/^[0-9a-f]{16}$/);
    expect(s.ok && s.script.version).toBe(scriptVersion(SHAPE));
  });

  test('stable for the same text, different for different text', () => {
    const a = compile(SHAPE, { file: 'a.yaml' });
    const b = compile(SHAPE, { file: 'b.yaml' });
    const c = compile(`${SHAPE}# a comment\n`, { file: 'a.yaml' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('should compile');
    expect(a.script.version).toBe(b.script.version);
    expect(c.script.version).not.toBe(a.script.version);
  });
});

describe('compile: result', () => {
  test('errors and warnings together, sorted by line then column', () => {
    const result = compile(
      yaml('steps:', '  a:', '    play: Hi.', '    next: zz', '  orphan:', '    hangup: "{{nope}}"'),
      { file: 'x.yaml' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['CS_UNKNOWN_STEP', 4, 11],
      ['CS_UNREACHABLE', 5, 3],
      ['CS_TEMPLATE_UNKNOWN_VAR', 6, 16],
    ]);
  });

  test('a valid script has no diagnostics and only warnings in `warnings`', () => {
    const result = compile(yaml('steps:', '  a: { hangup: A. }', '  b: { hangup: B. }'));
    expect(result.ok && result.warnings.map((d) => d.code)).toEqual(['CS_UNREACHABLE']);
  });

  test('an empty document says a mapping with steps is expected', () => {
    const result = compile('# nothing here\n', { file: 'empty.yaml' });
    expect(!result.ok && result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['CS_TYPE', 'a script is a mapping with `steps:` (and optionally name, numbers, vars, defaults, start), got nothing'],
    ]);
  });

  test('schema noise is filtered: one error for a key that is not allowed', () => {
    const result = compile(yaml('steps:', '  a:', '    play: Hi.', '    next: b', '    branches: {}', '  b: { hangup: B. }'));
    expect(!result.ok && result.diagnostics.map((d) => d.code)).toEqual(['CS_UNKNOWN_KEY']);
  });
});
