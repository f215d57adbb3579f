/**
 * A caller prompt's text from what was heard, the same on every dialect: texts,
 * `[audio URL]`, `[pause Ns]` (a phone shows it; a silent caller's repeated
 * question is recognised by it).
 */
import type { HeardPart } from './types.js';

export function promptText(parts: readonly HeardPart[]): string {
  return parts.map((p) => (p.type === 'say' ? p.text : p.type === 'play' ? `[audio ${p.url}]` : `[pause ${p.seconds}s]`)).join(' ');
}
