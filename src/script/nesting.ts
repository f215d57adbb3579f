/**
 * A nesting limit checked before the YAML parser runs. The parser and the checks
 * after it recurse once per level; flow collections nested a hundred thousand
 * deep (`[[[[…`, 200 KB) exhaust the stack inside V8's own code and can kill the
 * process instead of throwing. No script needs more than a few levels.
 */

/** Flow collections (`[…]`, `{…}`) nested deeper than this are refused (CS_TOO_DEEP). */
export const MAX_FLOW_NESTING = 64;

/**
 * The offset of the first `[` or `{` nested deeper than `limit`, or -1. Quoted
 * scalars and comments are skipped; a bracket inside a plain scalar or a block
 * scalar counts too, so the scan can only over-count (refuse), never miss a level.
 */
export function tooDeepAt(source: string, limit = MAX_FLOW_NESTING): number {
  let depth = 0;
  const n = source.length;
  for (let i = 0; i < n; i++) {
    const ch = source.charCodeAt(i);
    const prev = i === 0 ? 0x0a : source.charCodeAt(i - 1);
    const atNodeStart = prev === 0x0a || prev === 0x20 || prev === 0x09 || prev === 0x0d || prev === 0x5b || prev === 0x7b || prev === 0x2c || prev === 0x3a || prev === 0x2d || prev === 0x3f;
    if (ch === 0x5b /* [ */ || ch === 0x7b /* { */) {
      depth++;
      if (depth > limit) return i;
    } else if (ch === 0x5d /* ] */ || ch === 0x7d /* } */) {
      if (depth > 0) depth--;
    } else if (ch === 0x23 /* # */ && (prev === 0x0a || prev === 0x20 || prev === 0x09 || i === 0)) {
      const end = source.indexOf('\n', i);
      if (end < 0) return -1;
      i = end;
    } else if (ch === 0x22 /* " */ && atNodeStart) {
      // A double-quoted scalar: skip to its closing quote, over escapes.
      let j = i + 1;
      while (j < n && source.charCodeAt(j) !== 0x22) j += source.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      i = j;
    } else if (ch === 0x27 /* ' */ && atNodeStart) {
      // A single-quoted scalar: '' is an escaped quote.
      let j = i + 1;
      while (j < n && !(source.charCodeAt(j) === 0x27 && source.charCodeAt(j + 1) !== 0x27)) j += source.charCodeAt(j) === 0x27 ? 2 : 1;
      i = j;
    }
  }
  return -1;
}
