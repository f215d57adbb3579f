/**
 * The regular expressions scripts supply (`matches:` in a switch), compiled for a
 * linear-time engine: RE2, through re2js (pure JavaScript, no native build).
 * JavaScript's own engine backtracks, and patterns such as `(a|a)*b` or
 * `^(\w+\s?)*$` take exponential time on a near-miss: one caller's input could
 * stall every call the server runs. RE2 takes time proportional to the input
 * times the pattern's size, whatever the pattern, so:
 *
 * - a pattern is first read as JavaScript (`u` flag), the syntax the docs give,
 *   so its errors read as before;
 * - what RE2 cannot run (backreferences, lookaround) is refused with where it is
 *   and what to write instead;
 * - a pattern whose compiled program is over MAX_PATTERN_PROGRAM instructions
 *   (long counted repeats such as `\d{1,999}`) is refused: it is the factor that
 *   multiplies the input's length.
 */
import { RE2JS, RE2JSException } from 're2js';

/** What a condition holds: a compiled pattern and where it came from. */
export interface Pattern {
  /** The pattern as written in the script. */
  readonly source: string;
  /** True when the pattern matches somewhere in `text` (unanchored, like RegExp.test). */
  test(text: string): boolean;
}

export type PatternResult = { readonly ok: true; readonly pattern: Pattern } | { readonly ok: false; readonly message: string };

/**
 * Largest compiled program accepted, in RE2 instructions (`^\+65[689]\d{7}$` is 15, an
 * e-mail address check about 50): the factor that multiplies the input's length. At this
 * size the costliest shapes decide 50 kB of input in a few milliseconds (`npm run bench:patterns`).
 */
export const MAX_PATTERN_PROGRAM = 100;

/** A construct RE2 has no linear-time way to run, and what to write instead. */
interface Unsupported {
  readonly at: number;
  readonly what: string;
  readonly instead: string;
}

/** The first backreference or lookaround of a pattern JavaScript accepts (escapes and classes skipped). */
export function unsupportedConstruct(source: string): Unsupported | undefined {
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) {
        return {
          at: i,
          what: `the backreference ${next === 'k' ? source.slice(i, source.indexOf('>', i) + 1) : `\\${next}`}`,
          instead: 'spell out what the group matched, or compare with equals / in',
        };
      }
      i++;
      continue;
    }
    if (ch === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (ch === '(' && source[i + 1] === '?') {
      const head = source.slice(i, i + 4);
      const look = ['(?<=', '(?<!'].find((p) => head.startsWith(p)) ?? ['(?=', '(?!'].find((p) => head.startsWith(p));
      if (look !== undefined) {
        return {
          at: i,
          what: `the ${look.startsWith('(?<') ? 'lookbehind' : 'lookahead'} ${look}…)`,
          instead: 'split the test into conditions combined with all: / not:',
        };
      }
    }
  }
  return undefined;
}

/** Compiles a script's pattern, or says why it cannot run. */
export function compilePattern(source: string): PatternResult {
  try {
    new RegExp(source, 'u');
  } catch (err) {
    return { ok: false, message: `not a valid regular expression: ${err instanceof Error ? err.message : String(err)}` };
  }
  const unsupported = unsupportedConstruct(source);
  if (unsupported !== undefined) {
    return {
      ok: false,
      message: `${JSON.stringify(source)} uses ${unsupported.what} at character ${unsupported.at + 1}, which the linear-time pattern engine (RE2) cannot run: ${unsupported.instead}`,
    };
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (err) {
    const reason = err instanceof RE2JSException ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return { ok: false, message: `${JSON.stringify(source)} cannot run on the linear-time pattern engine (RE2): ${reason}` };
  }
  const size = re.programSize();
  if (size > MAX_PATTERN_PROGRAM) {
    return {
      ok: false,
      message: `${JSON.stringify(source)} compiles to ${size} instructions, more than ${MAX_PATTERN_PROGRAM}: use shorter counted repeats (\\d+ rather than \\d{1,200}) or split it into several conditions`,
    };
  }
  return { ok: true, pattern: { source, test: (text) => re.test(text) } };
}
