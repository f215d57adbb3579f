/**
 * Reads the providers' `application/x-www-form-urlencoded` webhook bodies.
 * Strict where URLSearchParams is lenient: a broken `%` escape or bytes that
 * are not UTF-8 make the body malformed (400), since a signature over a body
 * we would read differently from its sender proves nothing.
 */
import { decodeFormValue } from '../../util/form-value.js';
import type { FormFields } from './signature.js';

/** The fields of a form body, or undefined when it is malformed. */
export function parseForm(body: string): FormFields | undefined {
  const fields = new Map<string, string[]>();
  if (body === '') return fields;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormValue(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeFormValue(eq < 0 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined || name === '') return undefined;
    const values = fields.get(name);
    if (values === undefined) fields.set(name, [value]);
    else values.push(value);
  }
  return fields;
}

/** The first value of a field, or '' when absent. */
export function field(fields: FormFields, name: string): string {
  return fields.get(name)?.[0] ?? '';
}
