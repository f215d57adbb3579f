/**
 * Hoiio's voice markup written inline in a message (`<speech language="en-US"
 * gender="female">Hi</speech>`, `<url>https://…</url>`), read once at load so
 * that the engine only ever sees structured parts. Only Hoiio understood this
 * markup; `validate` warns about it and shows the `parts:` form to use instead.
 *
 * Text outside tags, and inside `<speech>`, is decoded from XML (`&amp;` is `&`):
 * adapters escape again for their own wire format.
 */
import { xmlUnescape } from '../util/xml.js';

export type InlineSegment =
  | { readonly kind: 'text'; readonly source: string; readonly language?: string; readonly gender?: 'male' | 'female' }
  | { readonly kind: 'url'; readonly source: string };

const HAS_MARKUP = /<speech[\s>]|<url>/;
const SPEECH_OPEN = /^<speech((?:\s+[A-Za-z_][\w-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*>/;
const ATTRIBUTE = /([A-Za-z_][\w-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;

/** How diagnostics name the two tags (the compiler names no provider markup itself). */
export const INLINE_TAGS = '`<speech>` / `<url>`';
export const INLINE_SPEECH = '`<speech>`';
export const INLINE_AUDIO = '`<url>`';

/** The source holds Hoiio markup. */
export function hasInlineMarkup(source: string): boolean {
  return HAS_MARKUP.test(source);
}

/**
 * The parts of a source with markup, or undefined when it cannot be split
 * safely: unbalanced or unknown tags, attributes other than language/gender,
 * or Handlebars block helpers (`{{#if}}…{{/if}}`) that a split would cut apart.
 * Such a message stays one text, sent as written.
 */
export function parseInlineMarkup(source: string): InlineSegment[] | undefined {
  if (/\{\{[#/^]|\{\{else/.test(source)) return undefined;
  const out: InlineSegment[] = [];
  const text = (raw: string): void => {
    const trimmed = raw.trim();
    if (trimmed !== '') out.push({ kind: 'text', source: xmlUnescape(trimmed) });
  };
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    if (lt < 0) {
      text(source.slice(i));
      break;
    }
    text(source.slice(i, lt));
    const rest = source.slice(lt);
    const speech = SPEECH_OPEN.exec(rest);
    if (speech !== null) {
      const attrs = speechAttributes(speech[1] ?? '');
      if (attrs === undefined) return undefined;
      const close = source.indexOf('</speech>', lt + speech[0].length);
      if (close < 0) return undefined;
      const inner = source.slice(lt + speech[0].length, close);
      if (inner.includes('<')) return undefined;
      const said = xmlUnescape(inner.trim());
      if (said !== '') out.push({ kind: 'text', source: said, ...attrs });
      i = close + '</speech>'.length;
      continue;
    }
    if (rest.startsWith('<url>')) {
      const close = source.indexOf('</url>', lt + 5);
      if (close < 0) return undefined;
      const inner = source.slice(lt + 5, close);
      if (inner.includes('<')) return undefined;
      out.push({ kind: 'url', source: xmlUnescape(inner.trim()) });
      i = close + '</url>'.length;
      continue;
    }
    return undefined;
  }
  return out;
}

function speechAttributes(text: string): { language?: string; gender?: 'male' | 'female' } | undefined {
  const attrs: { language?: string; gender?: 'male' | 'female' } = {};
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = m[1] ?? '';
    const value = m[2] ?? m[3] ?? '';
    if (name === 'language') attrs.language = value;
    else if (name === 'gender' && (value === 'male' || value === 'female')) attrs.gender = value;
    else return undefined;
  }
  return attrs;
}

/** The `parts:` form of a parsed message, as YAML flow text for a diagnostic's suggestion. */
export function partsSuggestion(segments: readonly InlineSegment[]): string {
  const items = segments.map((s) => {
    if (s.kind === 'url') return `{ url: ${JSON.stringify(s.source)} }`;
    const voice = [s.language !== undefined ? `language: ${s.language}` : '', s.gender !== undefined ? `gender: ${s.gender}` : ''].filter((v) => v !== '');
    return voice.length === 0 ? JSON.stringify(s.source) : `{ say: ${JSON.stringify(s.source)}, voice: { ${voice.join(', ')} } }`;
  });
  return `{ parts: [${items.join(', ')}] }`;
}
