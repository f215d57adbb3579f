/**
 * Paths into a JSON answer, as an http step's `save` writes them:
 * `customer.tier`, `items[0].id`, `[0].name`. Keys are any text without `.`,
 * `[` or `]`; list items are `[n]`.
 */
const INDEX = /^\[(\d+)\]/;
const FIRST_KEY = /^([^.[\]]+)/;
const NEXT_KEY = /^\.([^.[\]]+)/;

/** Segments of a path, or undefined when it does not parse. */
export function parseJsonPath(text: string): Array<string | number> | undefined {
  const out: Array<string | number> = [];
  let rest = text.trim();
  if (rest === '') return undefined;
  while (rest !== '') {
    const index = INDEX.exec(rest);
    const key = index ? null : (out.length === 0 ? FIRST_KEY : NEXT_KEY).exec(rest);
    if (index) out.push(Number(index[1]));
    else if (key) out.push(key[1] ?? '');
    else return undefined;
    rest = rest.slice((index ?? key)?.[0].length ?? rest.length);
  }
  return out;
}
