/**
 * Script files are UTF-8. A file that is not (saved as Latin-1, or binary) is
 * reported where its first bad byte is, instead of being read with replacement
 * characters that would then reach callers' ears.
 */
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../script/diagnostic.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Thrown by `readScriptFile` for a file that is not valid UTF-8. */
export class ScriptEncodingError extends Error {
  readonly code = 'CS_ENCODING';

  constructor(
    readonly file: string,
    /** 1-based, of the first invalid byte. */
    readonly line: number,
    /** 1-based byte column of the first invalid byte. */
    readonly column: number,
  ) {
    super(`${file} is not valid UTF-8 (line ${line}, byte ${column}): save it as UTF-8`);
    this.name = 'ScriptEncodingError';
  }

  diagnostic(): Diagnostic {
    return { code: this.code, severity: 'error', message: this.message, file: this.file, line: this.line, column: this.column, path: '' };
  }
}

/** Decodes UTF-8 strictly; throws `ScriptEncodingError` at the first invalid byte. */
export function decodeScript(bytes: Uint8Array, file: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new ScriptEncodingError(file, line, at - lineStart + 1);
  }
}

/** A script file's text (see `decodeScript`). */
export async function readScriptFile(file: string): Promise<string> {
  return decodeScript(await readFile(file), file);
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > b.length) return i;
    for (let k = 1; k < len; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    const c1 = b[i + 1] ?? 0;
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    i += len;
  }
  return b.length;
}
