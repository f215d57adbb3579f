/**
 * CS_HOIIO_MARKUP (warning): Hoiio's speech and audio tags written inside
 * a message. The compiler reads it into parts, so it still works everywhere, but
 * it is Hoiio's syntax: the warning shows the `parts:` form to write instead.
 * Markup that cannot be read into parts (unbalanced tags, Handlebars blocks
 * around tags) is sent as written, which only Hoiio understands; the warning
 * says that too.
 *
 * CS_LANGUAGE (error): a `parts` item naming a language the script does not declare.
 */
import { INLINE_TAGS, hasInlineMarkup, parseInlineMarkup, partsSuggestion } from '../../markup/hoiio-inline.js';
import { declaredLanguages, messageFields, messageLeaves } from '../messages.js';
import { toPointer } from '../paths.js';
import { isRecord, own } from '../raw.js';
import type { Reporter } from '../report.js';
import { didYouMean } from '../suggest.js';

export const HOIIO_MARKUP = 'CS_HOIIO_MARKUP';

export function checkMessageForms(data: unknown, reporter: Reporter): void {
  const declared = declaredLanguages(data);
  for (const field of messageFields(data)) {
    for (const leaf of messageLeaves(field.path, field.value)) {
      if (leaf.role !== 'message' || !hasInlineMarkup(leaf.source)) continue;
      const segments = parseInlineMarkup(leaf.source);
      const pointer = toPointer(leaf.path);
      if (segments === undefined) {
        reporter.at(
          pointer,
          'value',
          HOIIO_MARKUP,
          `Hoiio-only markup (${INLINE_TAGS}) that cannot be read into parts: it is sent as written, which only Hoiio understands. Write the message as \`{ parts: [...] }\` (texts with \`voice:\` or \`language:\`, \`{ url: … }\` for audio)`,
          'warning',
        );
      } else {
        reporter.at(pointer, 'value', HOIIO_MARKUP, `Hoiio-only markup (${INLINE_TAGS}): it is read into parts at load, but write it as ${partsSuggestion(segments)}`, 'warning');
      }
    }
    forEachPartsItem(field.value, [...field.path], (path, item) => {
      const language = own(item, 'language');
      if (typeof language !== 'string') return;
      if (own(item, 'voice') !== undefined) {
        reporter.at(toPointer([...path, 'language']), 'key', 'CS_VALUE', 'give this text one voice: `voice:` or `language:`, not both');
      }
      if (!declared.includes(language)) {
        const known = declared.length > 0 ? ` (${declared.join(', ')})${didYouMean(language, declared)}` : ': it declares none';
        reporter.at(toPointer([...path, 'language']), 'value', 'CS_LANGUAGE', `\`${language}\` is not one of the script's languages${known}`);
      }
    });
  }
}

type Path = Array<string | number>;

/** Calls `visit` with every object item of every `parts:` list inside a message value (its languages and attempts too). */
function forEachPartsItem(value: unknown, path: Path, visit: (path: Path, item: Record<string, unknown>) => void, depth = 0): void {
  if (depth > 3) return;
  if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => forEachPartsItem(v, [...path, i], visit, depth + 1));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'parts' && Array.isArray(v)) {
      v.forEach((item: unknown, i) => {
        if (isRecord(item)) visit([...path, 'parts', i], item);
      });
    } else if (isRecord(v)) {
      forEachPartsItem(v, [...path, key], visit, depth + 1);
    }
  }
}
