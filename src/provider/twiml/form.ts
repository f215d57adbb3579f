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
 * The fields of a form body, or undefined when it is malformed: one pass over
 * the body's characters, however many pairs it holds. (A search per `&` and `=`
 * was a built-in call each, and cost more than this loop for a webhook's few
 * hundred characters: docs/performance.md, "The ninth look".)
 */
export function parseForm(body: string): FormFields | undefined {
  const names: string[] = [];
  const values: string[] = [];
  const n = body.length;
  let start = 0;
  // The pair's first `=` (-1: none yet), and whether it holds a `%` or `+` to decode.
  let eq = -1;
  let coded = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? body.charCodeAt(i) : AMPERSAND;
    if (c === AMPERSAND) {
      if (i > start) {
        const rawName = body.slice(start, eq < 0 ? i : eq);
        // Most pairs hold nothing to decode; the few that do (a `+` in a number) are decoded strictly.
        const name = coded ? decodeFormText(rawName) : rawName;
        const value = eq < 0 ? '' : coded ? decodeFormText(body.slice(eq + 1, i)) : body.slice(eq + 1, i);
        if (name === undefined || value === undefined || name === '') return undefined;
        names.push(name);
        values.push(value);
      }
      start = i + 1;
      eq = -1;
      coded = false;
    } else if (c === EQUALS) {
      if (eq < 0) eq = i;
    } else if (c === PERCENT || c === PLUS) {
      coded = true;
    }
  }
  return new FormFields(names, values);
}

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PERCENT = 0x25;
const PLUS = 0x2b;

/** The first value of a field, or '' when absent: a copy, so keeping it (a CallSid in the call's state) does not keep the body. */
export function field(fields: FormFields, name: string): string {
  const value = fields.first(name);
  return value === undefined ? '' : detached(value);
}
