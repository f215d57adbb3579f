/**
 * Templates of text and plain paths are read without Handlebars' parser
 * (simple-template.ts): what that gives — the names read and where, the parts
 * rendered — is what parsing and analysing them gives, and anything more is
 * left to Handlebars.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeTemplate } from '../../src/template/analyze.js';
import { compileTemplate } from '../../src/template/compile.js';
import { COMPILE_OPTIONS, HELPER_CALL_NAMES, RUNTIME_OPTIONS, handlebarsEnvironment } from '../../src/template/environment.js';
import { parseTemplate } from '../../src/template/parser.js';
import { readSimpleTemplate } from '../../src/template/simple-template.js';
import type { TemplateContext } from '../../src/template/template.js';

/** Pieces of template text: plain ones, and everything that makes a template more than plain. */
const piece = fc.constantFrom(
  'Hello ', 'world', '\n', '. ', '{{name}}', '{{call.from}}', '{{a.b.c}}', '{{ name }}', '{{{raw}}}', '{{~name}}', '{{name~}}', '{{!c}}', '{{#if a}}', '{{/if}}',
  '{{spell x}}', '{{spell}}', '{{if}}', '{{log}}', '{{this}}', '{{this.x}}', '{{../x}}', '{{@index}}', '{{true}}', '{{null}}', '{{1}}', '{{"s"}}', '{{a-b}}',
  '{{[odd]}}', '{{a/b}}', '\\{{name}}', '\\\\{{name}}', '{{', '}}', '}', '{', '{{name}}}', '{{>p}}', '{{else}}', '{{_x9}}', '{{9x}}', '中文', '&<>',
  '{{spell account}}', '{{default name "there"}}', "{{default name 'x'}}", '{{default name}}', '{{upper a.b}}', '{{lower "X"}}', '{{spell  x}}', '{{spell x }}', '{{ spell x}}',
  '{{spell (upper x)}}', '{{{raw}}}/{{id}}', '{{{a.b}}}', '{{{spell x}}}', '{{{x}}}}', '{{{{x}}}}', '{{{ x }}}', "{{default name 'and welcome'}}", '{{default  a  "b c"}}', '{{default a "b}}', '{{default a ""}}', '{{default a "b\\"c"}}', '{{each list}}', '{{if a}}', '{{log x}}', '{{upper x y}}', '{{x y}}', '{{default 1 2}}',
);
const template = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

describe('simple templates', () => {
  it('read as Handlebars parses and analyses them, or not at all (property)', () => {
    let simple = 0;
    fc.assert(
      fc.property(template, (source) => {
        const read = readSimpleTemplate(source, HELPER_CALL_NAMES);
        if (read === undefined) return;
        simple++;
        // What the full path would say: same names at the same places, no error.
        expect(analyzeTemplate(parseTemplate(source)), source).toEqual(read.references);
        // The fast renderer's parts exactly when there is no helper call.
        expect(read.parts === undefined, source).toBe(/\{\{\w+ /.test(source));
      }),
      { numRuns: 3000 },
    );
    expect(simple).toBeGreaterThan(200);
  });

  it('render as Handlebars renders them, the fast way or through Handlebars', () => {
    const context = { name: 'Ann', a: { b: { c: 7 } }, n: 3, call: { from: '+6591234567' } } as unknown as TemplateContext;
    for (const source of ['Hi {{name}}.', 'Line\n{{name}} and {{a.b.c}}', '{{n}} calls', '{{call.from}}{{missing}}!', 'You said {{spell n}}, {{default missing "nobody"}}.']) {
      expect(readSimpleTemplate(source, HELPER_CALL_NAMES), source).toBeDefined();
      const expected = handlebarsEnvironment().compile(source, COMPILE_OPTIONS)(context, RUNTIME_OPTIONS);
      expect(compileTemplate(source).render(context), source).toBe(expected);
    }
  });

  it('leave helpers, blocks, escapes and literals to Handlebars', () => {
    for (const source of ['{{spell x y}}', '{{upper}}', '{{if x}}', '{{spell (upper x)}}', '{{#if a}}x{{/if}}', '{{~x}}', '\\{{x}}', '{{this}}', '{{true}}', '{{ x }}', '{{x}}}', '{{a-b}}']) {
      expect(readSimpleTemplate(source, HELPER_CALL_NAMES), source).toBeUndefined();
    }
  });
});
