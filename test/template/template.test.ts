import { describe, expect, test } from 'vitest';
import {
  CompiledTemplate,
  TemplateSyntaxError,
  UnknownHelperError,
  compileTemplate,
} from '../../src/template/index.js';
import type { TemplateContext } from '../../src/template/template.js';

const call = { from: '+6591234567', to: '+6560000001', session: 'S1', txn_ref: 'T1', direction: 'inbound' } as const;

function render(source: string, vars: Record<string, unknown> = {}): string {
  const context: TemplateContext = { ...vars, call };
  return compileTemplate(source).render(context);
}

function syntaxError(source: string): TemplateSyntaxError {
  try {
    compileTemplate(source);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
}

describe('helpers', () => {
  test('spell reads digits one by one, with keypad symbols as words', () => {
    expect(render('{{spell account}}', { account: '1234' })).toBe('1 2 3 4');
    expect(render('{{spell n}}', { n: '+65*9#' })).toBe('plus 6 5 star 9 hash');
    expect(render('{{spell n}}', { n: 42 })).toBe('4 2');
    expect(render('[{{spell n}}]')).toBe('[]');
  });

  test('default: the value, or the fallback when missing or empty', () => {
    expect(render('Hello {{default name "there"}}', { name: 'Ann' })).toBe('Hello Ann');
    expect(render('Hello {{default name "there"}}', { name: '' })).toBe('Hello there');
    expect(render('Hello {{default name "there"}}')).toBe('Hello there');
    expect(render('{{default n 5}}', { n: 0 })).toBe('0');
  });

  test('upper and lower', () => {
    expect(render('{{upper x}} {{lower y}}', { x: 'abc', y: 'DEF' })).toBe('ABC def');
    expect(render('[{{upper missing}}]')).toBe('[]');
  });

  test('the built-in block helpers stay available', () => {
    expect(render('{{#if vip}}Welcome back{{else}}Welcome{{/if}}', { vip: true })).toBe('Welcome back');
    expect(render('{{#unless vip}}Hi{{/unless}}', { vip: false })).toBe('Hi');
    expect(render('{{#each items}}{{this}};{{/each}}', { items: ['a', 'b'] })).toBe('a;b;');
    expect(render('{{#with call}}{{from}}{{/with}}')).toBe('+6591234567');
  });
});

describe('rendering', () => {
  test('no HTML escaping: SSML-like text and ampersands pass through', () => {
    expect(render('<speech>{{x}}</speech> & {{y}}', { x: '<b>', y: 'A & B "q"' })).toBe('<speech><b></speech> & A & B "q"');
  });

  test('a missing variable renders as empty', () => {
    expect(render('[{{nothing}}][{{call.nothing}}][{{a.b.c}}]')).toBe('[][][]');
  });

  test('prototype properties render as empty', () => {
    expect(render('[{{constructor}}][{{__proto__}}][{{call.constructor.name}}][{{toString}}][{{call.__proto__}}]')).toBe(
      '[][][][][]',
    );
    expect(render('[{{constructor.constructor}}][{{#with constructor}}{{name}}{{/with}}]')).toBe('[][]');
  });

  test('call fields and numbers render', () => {
    expect(render('{{call.from}} {{call.direction}} {{n}} {{b}}', { n: 3, b: true })).toBe('+6591234567 inbound 3 true');
  });

  test('a template without mustaches is constant: rendering returns the text', () => {
    const t = compileTemplate('Plain text & <tags>');
    expect(t).toBeInstanceOf(CompiledTemplate);
    expect(t.constant).toBe(true);
    expect(t.refs).toEqual([]);
    expect(t.render({ call })).toBe('Plain text & <tags>');
    expect(compileTemplate('Hi {{x}}').constant).toBe(false);
  });

  test('source is kept as written', () => {
    expect(compileTemplate('Hi {{name}}').source).toBe('Hi {{name}}');
  });
});

describe('errors', () => {
  test('an unregistered helper is rejected with its position', () => {
    const err = syntaxError('Hi {{shout name}}');
    expect(err).toBeInstanceOf(UnknownHelperError);
    expect(err.code).toBe('CS_TEMPLATE_UNKNOWN_HELPER');
    expect((err as UnknownHelperError).helper).toBe('shout');
    expect([err.line, err.column]).toEqual([1, 4]);
  });

  test('log and lookup are not available; nor are unknown block helpers or subexpressions', () => {
    expect(syntaxError('{{lookup a "b"}}').code).toBe('CS_TEMPLATE_UNKNOWN_HELPER');
    expect(syntaxError('{{log "x"}}').code).toBe('CS_TEMPLATE_UNKNOWN_HELPER');
    expect(syntaxError('{{#section}}x{{/section}}').code).toBe('CS_TEMPLATE_UNKNOWN_HELPER');
    expect(syntaxError('{{upper (shout x)}}').code).toBe('CS_TEMPLATE_UNKNOWN_HELPER');
  });

  test('wrong use of known helpers is a syntax error', () => {
    expect(syntaxError('{{spell}}').message).toContain('`spell` takes 1 argument, got 0');
    expect(syntaxError('{{default x}}').message).toContain('`default` takes 2 arguments');
    expect(syntaxError('{{#upper x}}y{{/upper}}').message).toContain('not a block helper');
    expect(syntaxError('{{if x}}').message).toContain('is a block helper');
    expect(syntaxError('{{#if}}x{{/if}}').message).toContain('`if` takes 1 argument');
  });

  test('partials and decorators are not supported', () => {
    const err = syntaxError('ab\ncd {{> part}}');
    expect(err.code).toBe('CS_TEMPLATE_SYNTAX');
    expect([err.line, err.column]).toEqual([2, 4]);
    expect(syntaxError('{{* deco}}').message).toContain('decorators');
  });

  test('syntax errors carry a stable code and 1-based line/column in the template', () => {
    const open = syntaxError('Hello {{name');
    expect(open).toBeInstanceOf(TemplateSyntaxError);
    expect(open.code).toBe('CS_TEMPLATE_SYNTAX');
    expect([open.line, open.column]).toEqual([1, 7]);

    const unclosed = syntaxError('line one\n{{#if x}}yes');
    expect(unclosed.line).toBe(2);
    expect(unclosed.message).toContain('end of text');

    const mismatch = syntaxError('ab {{#if x}}y{{/each}}');
    expect(mismatch.message).toContain("if doesn't match each");
    expect(mismatch.line).toBe(1);
  });
});

describe('refs', () => {
  test('top-level names read, once each, in order', () => {
    expect(compileTemplate('{{a}} {{b}} {{a}} {{spell c}} {{default d "x"}}').refs).toEqual(['a', 'b', 'c', 'd']);
  });

  test('call.from contributes call; references keep the full path and position', () => {
    const t = compileTemplate('From {{call.from}}');
    expect(t.refs).toEqual(['call']);
    expect(t.references).toEqual([{ path: ['call', 'from'], line: 1, column: 8 }]);
  });

  test('names inside each/with blocks are not top-level, except ../ and @root', () => {
    const t = compileTemplate('{{#each items}}{{name}}{{../company}}{{@root.brand}}{{@index}}{{/each}}{{#with call}}{{from}}{{/with}}');
    expect(t.refs).toEqual(['items', 'company', 'brand', 'call']);
  });

  test('if/unless do not change the context', () => {
    expect(compileTemplate('{{#if vip}}{{name}}{{else}}{{guest}}{{/if}}{{#unless x}}{{y}}{{/unless}}').refs).toEqual([
      'vip',
      'name',
      'guest',
      'x',
      'y',
    ]);
  });

  test('this., literals and comments read nothing extra', () => {
    expect(compileTemplate('{{this.a}} {{"lit"}} {{! note }} {{this}}').refs).toEqual(['a']);
  });
});
