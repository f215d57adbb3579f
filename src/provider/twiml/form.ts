/**
 * Reads the providers' `application/x-www-form-urlencoded` webhook bodies.
 * Strict where URLSearchParams is lenient: a broken `%` escape or bytes that
 * are not UTF-8 make the body malformed (400), since a signature over a body
 * we would read differently from its sender proves nothing.
 */
import { detached } from '../../util/detached-string.js';
import { decodeFormText } from '../../util/form-value.js';
import type { FormFields } from './signature.js';

/**
 * The fields of a form body, or undefined when it is malformed. Names and values
 * may be slices of `body` (which keeps it alive while they are): the signature
 * check reads them all and keeps none, and what the runtime keeps comes out
 * through `field`, as a copy. Copying every name and value here cost more than
 * the rest of the parse (docs/performance.md, "The seventh look").
 */
export function parseForm(body: string): FormFields | undefined {
  const fields = new Map<string, string[]>();
  if (body === '') return fields;
  // Names and values are cut from the body directly (not from a split into pairs first): half as many strings.
  const n = body.length;
  let start = 0;
  while (start < n) {
    let end = body.indexOf('&', start);
    if (end < 0) end = n;
    if (end > start) {
      let eq = body.indexOf('=', start);
      if (eq < 0 || eq > end) eq = end;
      const name = decodeFormText(body.slice(start, eq));
      const value = eq < end ? decodeFormText(body.slice(eq + 1, end)) : '';
      if (name === undefined || value === undefined || name === '') return undefined;
      const values = fields.get(name);
      if (values === undefined) fields.set(name, [value]);
      else values.push(value);
    }
    start = end + 1;
  }
  return fields;
}

/** The first value of a field, or '' when absent: a copy, so keeping it (a CallSid in the call's state) does not keep the body. */
export function field(fields: FormFields, name: string): string {
  const value = fields.get(name)?.[0];
  return value === undefined ? '' : detached(value);
}
