import { describe, expect, it } from 'vitest';
import { compileUrlTemplate, TemplateSyntaxError, UnknownHelperError } from '../../src/template/index.js';
import type { TemplateContext } from '../../src/template/index.js';

const call = { from: '+6591234567', to: '+6560000001', session: 'S1', txn_ref: 'T', direction: 'inbound' as const };
const ctx = (extra: Record<string, unknown>): TemplateContext => ({ call, ...extra });

describe('URL templates', () => {
  it('percent-encodes {{x}} and inserts {{{x}}} as it is', () => {
    const t = compileUrlTemplate('{{{base}}}/customers/{{call.from}}?name={{name}}');
    expect(t.render(ctx({ base: 'http://127.0.0.1:9/api', name: 'a b&c=d/e' }))).toBe(
      'http://127.0.0.1:9/api/customers/%2B6591234567?name=a%20b%26c%3Dd%2Fe',
    );
  });

  it('encodes helper results and values inside blocks', () => {
    const t = compileUrlTemplate('/x/{{default code "a/b"}}{{#if y}}/{{y}}{{/if}}');
    expect(t.render(ctx({ code: '', y: '?' }))).toBe('/x/a%2Fb/%3F');
    expect(t.render(ctx({ code: '12', y: '' }))).toBe('/x/12');
  });

  it('reports references, syntax errors and unknown helpers like message templates', () => {
    expect(compileUrlTemplate('http://h/{{a}}/{{call.from}}').refs).toEqual(['a', 'call']);
    expect(() => compileUrlTemplate('http://h/{{a')).toThrow(TemplateSyntaxError);
    expect(() => compileUrlTemplate('http://h/{{shout a}}')).toThrow(UnknownHelperError);
  });

  it('cannot be made to call the internal encoder by name', () => {
    expect(() => compileUrlTemplate('{{cs$urlencode a}}')).toThrow(TemplateSyntaxError);
  });
});
