/**
 * The helpers a template may call. This table is the whitelist: the compiler
 * rejects any other helper name, so adding a helper means adding it here.
 */
export interface HelperSpec {
  /** Exact number of positional arguments. */
  readonly arity: number;
  /** Used as `{{#name x}}…{{/name}}` (true) or inline `{{name x}}` (false). */
  readonly block: boolean;
  readonly summary: string;
}

/** Handlebars' own block helpers that stay allowed; `log` and `lookup` are not. */
export const BUILTIN_BLOCK_HELPERS: Readonly<Record<string, HelperSpec>> = {
  if: { arity: 1, block: true, summary: '{{#if x}}…{{else}}…{{/if}}' },
  unless: { arity: 1, block: true, summary: '{{#unless x}}…{{/unless}}' },
  each: { arity: 1, block: true, summary: '{{#each list}}…{{/each}}' },
  with: { arity: 1, block: true, summary: '{{#with x}}…{{/with}}' },
};

/** Blocks whose body sees another context, so names inside are not top-level refs. */
export const CONTEXT_CHANGING_HELPERS: ReadonlySet<string> = new Set(['each', 'with']);

export const CALLSCRIPT_HELPERS: Readonly<Record<string, HelperSpec>> = {
  spell: { arity: 1, block: false, summary: '{{spell account}}: "1234" → "1 2 3 4"' },
  default: { arity: 2, block: false, summary: '{{default name "there"}}: name, or "there" when empty' },
  upper: { arity: 1, block: false, summary: '{{upper x}}: upper case' },
  lower: { arity: 1, block: false, summary: '{{lower x}}: lower case' },
};

export function helperSpec(name: string): HelperSpec | undefined {
  if (Object.hasOwn(CALLSCRIPT_HELPERS, name)) return CALLSCRIPT_HELPERS[name];
  if (Object.hasOwn(BUILTIN_BLOCK_HELPERS, name)) return BUILTIN_BLOCK_HELPERS[name];
  return undefined;
}

export const HELPER_NAMES: readonly string[] = [
  ...Object.keys(CALLSCRIPT_HELPERS),
  ...Object.keys(BUILTIN_BLOCK_HELPERS),
];

/** Text-to-speech friendly names for the keypad symbols. */
const SPOKEN_SYMBOLS: Readonly<Record<string, string>> = { '+': 'plus', '*': 'star', '#': 'hash' };

/** Renders only scalars: an object would otherwise be spoken as "[object Object]". */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

/** `spell("+65 12")` → "plus 6 5 1 2": one character at a time so TTS reads digits, not numbers. */
export function spell(value: unknown): string {
  const parts: string[] = [];
  for (const ch of scalarText(value)) {
    if (/\s/.test(ch)) continue;
    parts.push(Object.hasOwn(SPOKEN_SYMBOLS, ch) ? (SPOKEN_SYMBOLS[ch] ?? ch) : ch);
  }
  return parts.join(' ');
}

export function defaultTo(value: unknown, fallback: unknown): string {
  const text = scalarText(value);
  return text === '' ? scalarText(fallback) : text;
}

export function upper(value: unknown): string {
  return scalarText(value).toUpperCase();
}

export function lower(value: unknown): string {
  return scalarText(value).toLowerCase();
}
