/** The strict form parser: what a webhook body's fields are, and what is refused. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { field, FormFields, parseForm } from '../../../src/provider/twiml/form.js';
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
    expect(fields && [...fields.grouped()]).toEqual([
      ['CallSid', ['CA1']],
      ['Digits', ['', '2']],
      ['From', ['+6591234567']],
      ['msg', ['Gather End']],
      ['flag', ['']],
    ]);
    expect(fields?.first('Digits')).toBe('');
    expect(fields?.all('Digits')).toEqual(['', '2']);
    expect(fields?.first('digits')).toBeUndefined();
    expect(fields?.count).toBe(6);
    expect(parseForm('a=b=c')?.all('a')).toEqual(['b=c']);
    expect(parseForm('')?.count).toBe(0);
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
        expect(parseForm(b)?.grouped()).toEqual(reference(b));
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
        expect(fields?.grouped()).toEqual(expected);
        for (const [name] of list) expect(field(fields ?? FormFields.of({}), name)).toBe(expected.get(name)?.[0]);
      }),
    );
  });

  it('reads a body of many pairs in one pass', () => {
    // Without '=' in any pair but the last, a search per pair from the pair's start would read the rest of the body each time.
    const body = `${'a&'.repeat(20_000)}b=1%2B`;
    const fields = parseForm(body);
    expect(fields?.count).toBe(20_001);
    expect(fields?.first('a')).toBe('');
    expect(fields?.first('b')).toBe('1+');
  });

  it('FormFields.of takes a record or pairs, a repeated name with all its values', () => {
    expect([...FormFields.of({ a: '1', b: ['2', '3'] }).grouped()]).toEqual([
      ['a', ['1']],
      ['b', ['2', '3']],
    ]);
    expect(FormFields.of([['x', '1'], ['y', '2'], ['x', '3']]).all('x')).toEqual(['1', '3']);
  });
});
