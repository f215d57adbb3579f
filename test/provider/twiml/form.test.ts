/** The strict form parser: what a webhook body's fields are, and what is refused. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { field, parseForm } from '../../../src/provider/twiml/form.js';
import { decodeFormText } from '../../../src/util/form-value.js';

/** The rule the parser implements, written the plain way: split into pairs, each at its first `=`. */
function reference(body: string): Map<string, string[]> | undefined {
  const fields = new Map<string, string[]>();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormText(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeFormText(eq < 0 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined || name === '') return undefined;
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return fields;
}

describe('parseForm', () => {
  it('reads names and values, repeated names in order, and pairs without `=`', () => {
    const fields = parseForm('CallSid=CA1&Digits=&From=%2B6591234567&msg=Gather+End&flag&Digits=2&&');
    expect(fields && [...fields]).toEqual([
      ['CallSid', ['CA1']],
      ['Digits', ['', '2']],
      ['From', ['+6591234567']],
      ['msg', ['Gather End']],
      ['flag', ['']],
    ]);
    expect(parseForm('a=b=c')?.get('a')).toEqual(['b=c']);
    expect(parseForm('')?.size).toBe(0);
  });

  it('refuses broken escapes and empty names', () => {
    expect(parseForm('CallSid=%ZZ')).toBeUndefined();
    expect(parseForm('To=%E2%82')).toBeUndefined();
    expect(parseForm('=1')).toBeUndefined();
  });

  it('reads any body as splitting it into pairs would', () => {
    const body = fc.string({ unit: fc.constantFrom('a', 'B', '=', '&', '&', '%', '2', 'b', '+', 'é'), maxLength: 40 });
    fc.assert(
      fc.property(body, (b) => {
        expect(parseForm(b)).toEqual(reference(b));
      }),
    );
  });

  it('agrees with URLSearchParams on well-formed bodies', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '+', '&', '=', '%', '€', '/', ':'), maxLength: 12 });
    const pairs = fc.array(fc.tuple(text.filter((t) => t !== ''), text), { maxLength: 6 });
    fc.assert(
      fc.property(pairs, (list) => {
        const body = new URLSearchParams(list).toString();
        const fields = parseForm(body);
        const expected = new Map<string, string[]>();
        for (const [name, value] of new URLSearchParams(body)) expected.set(name, [...(expected.get(name) ?? []), value]);
        expect(fields).toEqual(expected);
        for (const [name] of list) expect(field(fields ?? new Map(), name)).toBe(expected.get(name)?.[0]);
      }),
    );
  });
});
