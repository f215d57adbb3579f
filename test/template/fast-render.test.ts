import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/template/compile.js';
import { COMPILE_OPTIONS, HELPER_CALL_NAMES, RUNTIME_OPTIONS, handlebarsEnvironment } from '../../src/template/environment.js';
import { fastRenderer } from '../../src/template/fast-render.js';
import type { TemplateContext } from '../../src/template/template.js';

/** A render's text, or that it threw (Handlebars throws on, e.g., a null-prototype object). */
function outcome(render: () => string): string {
  try {
    return `ok:${render()}`;
  } catch (err) {
    return `threw:${err instanceof Error ? err.name : 'non-error'}`;
  }
}

/** What Handlebars itself renders, with callscript's options: the reference the fast path must equal. */
function reference(source: string, context: TemplateContext): string {
  return handlebars.compile<TemplateContext>(source, COMPILE_OPTIONS)(context, RUNTIME_OPTIONS);
}

const handlebars = handlebarsEnvironment();
const HELPERS = new Set([...Object.keys(handlebars.helpers), ...Object.keys(COMPILE_OPTIONS.knownHelpers ?? {})]);
const fast = (source: string) => fastRenderer(handlebars.parse(source), HELPERS);

const call = { from: '+6591234567', to: '+6560000001', session: 'S1', txn_ref: 'T1', direction: 'inbound' as const };

describe('fast template rendering', () => {
  it('knows the names a bare {{name}} calls without loading Handlebars, as the environment has them', () => {
    expect([...HELPER_CALL_NAMES].sort()).toEqual([...HELPERS].sort());
  });

  it('takes only text and plain paths', () => {
    for (const simple of ['Hi {{name}}.', '{{call.from}}', 'a {{~name~}} b', '{{[odd name]}}', '{{a.b.c}}', 'x {{! }}'.replace('{{! }}', '')]) {
      expect(fast(simple), simple).toBeTypeOf('function');
    }
    for (const other of ['{{spell digits}}', '{{#if a}}x{{/if}}', '{{this.name}}', '{{../name}}', '{{@index}}', '{{! note }}', '{{spell}}', '{{upper}}', '{{default}}', '{{> part}}', '{{name x=1}}', '{{this}}']) {
      expect(fast(other), other).toBeUndefined();
    }
  });

  it('renders exactly what Handlebars renders, or hands over', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['Welcome to {{company}}.', { company: 'Acme' }],
      ['Welcome to {{company}}.', {}],
      ['{{call.from}} / {{call.nope}} / {{nope.deeper}}', {}],
      ['  {{~company~}}  !', { company: 'Acme' }],
      ['{{n}}', { n: 0 }],
      ['{{n}}', { n: false }],
      ['{{n}}', { n: null }],
      ['{{list}}', { list: ['a', 'b'] }],
      ['{{name.length}}', { name: 'Bob' }],
      ['{{constructor}}', {}],
      ['{{__proto__}}', {}],
      ['{{toString}}', {}],
      ['{{obj.inner}}', { obj: Object.create({ inner: 'from the prototype' }) }],
      ['{{fn}}', { fn: () => 'called' }],
      ['{{[odd name]}}!', { 'odd name': 'yes' }],
      ['{{a.b.c}}', { a: { b: { c: 'deep' } } }],
      ['{{a.b.c}}', { a: { b: 'not an object' } }],
      ['<{{x}}> & "{{x}}"', { x: '<b>&"' }],
    ];
    for (const [source, vars] of cases) {
      const context = { ...vars, call } as TemplateContext;
      expect(compileTemplate(source).render(context), source).toBe(reference(source, context));
    }
  });

  it('agrees with Handlebars on any values (property)', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.constantFrom('x', 'y'), fc.string()));
    fc.assert(
      fc.property(fc.record({ a: value, b: value, x: value }), (vars) => {
        const context = { ...vars, call } as TemplateContext;
        for (const source of ['{{a}}-{{b}}', '{{a.x}}|{{b.y}}', 'call {{call.from}} {{x}}', '{{~a}} {{b~}} .']) {
          expect(outcome(() => compileTemplate(source).render(context))).toBe(outcome(() => reference(source, context)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
