/**
 * Reads the providers' `application/x-www-form-urlencoded` webhook bodies.
 * Strict where URLSearchParams is lenient: a broken `%` escape or bytes that
 * are not UTF-8 make the body malformed (400), since a signature over a body
 * we would read differently from its sender proves nothing.
 */
import { detached } from '../../util/detached-string.js';
import { decodeFormText } from '../../util/form-value.js';

/**
 * A form's fields in the order they were sent, a repeated name once per value.
 *
 * Not a Map: a webhook's thirty-odd fields are signed once and read a handful of
 * times, and filling a hash table with them (growing it four times, an array per
 * value) cost more per webhook than finding the pairs in the body
 * (docs/performance.md, "The ninth look"). Names and values may be slices of the
 * body, which keeps it alive while they are: what the runtime keeps comes out
 * through `field`, as a copy.
 */
export class FormFields {
  constructor(
    /** The names, in the order sent. */
    readonly names: readonly string[],
    /** The value of each name at the same index. */
    readonly values: readonly string[],
  ) {}

  /** Fields from names and values (a repeated name given all its values): what a test or a signer starts from. */
  static of(fields: Readonly<Record<string, string | readonly string[]>> | Iterable<readonly [string, string | readonly string[]]>): FormFields {
    const names: string[] = [];
    const values: string[] = [];
    const entries = Symbol.iterator in fields ? fields : Object.entries(fields);
    for (const [name, value] of entries as Iterable<readonly [string, string | readonly string[]]>) {
      for (const one of typeof value === 'string' ? [value] : value) {
        names.push(name);
        values.push(one);
      }
    }
    return new FormFields(names, values);
  }

  /** How many name-value pairs there are. */
  get count(): number {
    return this.names.length;
  }

  /** The first value of `name` (as sliced from the body), or undefined when it was not sent. */
  first(name: string): string | undefined {
    const { names } = this;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.values[i];
    return undefined;
  }

  /** Every value of `name`, in the order sent. */
  all(name: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name) out.push(this.values[i] as string);
    return out;
  }

  /** Each name once, where it was first sent, with all its values: what URLSearchParams grouped by name gives. */
  grouped(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string;
      const value = this.values[i] as string;
      const list = out.get(name);
      if (list === undefined) out.set(name, [value]);
      else list.push(value);
    }
    return out;
  }
}

/**
 * The fields of a form body, or undefined when it is malformed. Each search of
 * the body starts where the last one for the same character ended, so a body
 * of many pairs without `=` (or without escapes) is read in one pass, not one
 * per pair.
 */
export function parseForm(body: string): FormFields | undefined {
  const names: string[] = [];
  const values: string[] = [];
  const n = body.length;
  // The next `=`, `%` and `+` at or after the current pair (n: none left).
  let eqAt = -1;
  let pctAt = -1;
  let plusAt = -1;
  let start = 0;
  while (start < n) {
    let end = body.indexOf('&', start);
    if (end < 0) end = n;
    if (end > start) {
      if (eqAt < start) eqAt = nextOf(body, '=', start);
      if (pctAt < start) pctAt = nextOf(body, '%', start);
      if (plusAt < start) plusAt = nextOf(body, '+', start);
      const eq = eqAt < end ? eqAt : end;
      // Most pairs hold nothing to decode; the few that do (a `+` in a number) are decoded strictly.
      const coded = pctAt < end || plusAt < end;
      const rawName = body.slice(start, eq);
      const name = coded ? decodeFormText(rawName) : rawName;
      const value = eq >= end ? '' : coded ? decodeFormText(body.slice(eq + 1, end)) : body.slice(eq + 1, end);
      if (name === undefined || value === undefined || name === '') return undefined;
      names.push(name);
      values.push(value);
    }
    start = end + 1;
  }
  return new FormFields(names, values);
}

function nextOf(body: string, char: string, from: number): number {
  const at = body.indexOf(char, from);
  return at < 0 ? body.length : at;
}

/** The first value of a field, or '' when absent: a copy, so keeping it (a CallSid in the call's state) does not keep the body. */
export function field(fields: FormFields, name: string): string {
  const value = fields.first(name);
  return value === undefined ? '' : detached(value);
}
