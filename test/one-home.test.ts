/**
 * Small security-relevant jobs have one home each, so the next fix cannot miss
 * a copy: comparing secrets (src/util/secure-compare.ts), escaping XML
 * (src/util/xml.ts), reading a body up to a size limit (src/util/read-limited.ts;
 * undici answers are limited by undici's maxResponseSize), telling an http(s)
 * URL (src/util/http-url.ts), the E.164 pattern (src/util/e164.ts), digging
 * an error code out of `cause` (src/util/error-code.ts) and checking a bearer
 * token (src/server/bearer.ts). This fails when one is written again elsewhere in src/.
 * (The TwiML simulator's strict reply parser decodes XML on purpose with its own
 * rules: it is the provider's side, and must catch the engine being wrong.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameSecret } from '../src/util/secure-compare.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.generated.ts') ? [join(dir, e.name)] : [],
  );
}

const FILES = sourceFiles('src').map((file) => ({ file, text: readFileSync(file, 'utf8') }));

describe('one home for each', () => {
  it('timingSafeEqual is called only in src/util/secure-compare.ts', () => {
    const elsewhere = FILES.filter((f) => /\btimingSafeEqual\b/.test(f.text) && f.file !== join('src', 'util', 'secure-compare.ts')).map((f) => f.file);
    expect(elsewhere).toEqual([]);
  });

  it('an XML escape table (& → &amp;) is written only in src/util/xml.ts', () => {
    const table = /\.replace\(\/&\/g,\s*['"]&amp;['"]\)/;
    const elsewhere = FILES.filter((f) => table.test(f.text) && f.file !== join('src', 'util', 'xml.ts')).map((f) => f.file);
    expect(elsewhere).toEqual([]);
  });

  it('a body is read from a stream by hand only in src/util/read-limited.ts (no data handlers, no chunk sizes summed in a read loop)', () => {
    const home = join('src', 'util', 'read-limited.ts');
    const dataHandler = /\.on\(\s*['"]data['"]/;
    const sizeSum = /\+=\s*[\w.]+\.(?:byteLength|length)\b/;
    const readLoop = /for await \(|\.getReader\(/;
    const caught = (text: string): boolean => dataHandler.test(text) || (sizeSum.test(text) && readLoop.test(text));
    // The home itself is what the patterns describe (both kinds of reader), so they cannot pass vacuously.
    expect(caught(readFileSync(home, 'utf8'))).toBe(true);
    expect(sizeSum.test(readFileSync(home, 'utf8')) && readLoop.test(readFileSync(home, 'utf8'))).toBe(true);
    expect(FILES.filter((f) => f.file !== home && caught(f.text)).map((f) => f.file)).toEqual([]);
  });

  it("a URL's scheme is checked for http(s) only in src/util/http-url.ts", () => {
    const check = /protocol\s*[!=]==?\s*['"]https?:['"]/;
    const elsewhere = FILES.filter((f) => check.test(f.text) && f.file !== join('src', 'util', 'http-url.ts')).map((f) => f.file);
    expect(elsewhere).toEqual([]);
  });

  it('the E.164 pattern is written only in src/util/e164.ts', () => {
    const pattern = /\\\+\[1-9\]/;
    const elsewhere = FILES.filter((f) => pattern.test(f.text) && f.file !== join('src', 'util', 'e164.ts')).map((f) => f.file);
    expect(elsewhere).toEqual([]);
  });

  it("an error's cause is dug into for its code only in src/util/error-code.ts", () => {
    const digging = /\)\.cause\b/;
    const elsewhere = FILES.filter((f) => digging.test(f.text) && f.file !== join('src', 'util', 'error-code.ts')).map((f) => f.file);
    expect(elsewhere).toEqual([]);
  });

  it('a bearer token is read from a request only in src/server/bearer.ts', () => {
    const reading = /['"]Bearer ['"]/;
    const elsewhere = FILES.filter((f) => reading.test(f.text) && f.file !== join('src', 'server', 'bearer.ts')).map((f) => f.file);
    expect(elsewhere).toEqual([]);
  });

  it('sameSecret compares bytes: equal, unequal, and unequal byte lengths of equal string lengths without throwing', () => {
    expect(sameSecret('s3cret', 's3cret')).toBe(true);
    expect(sameSecret('s3cret', 's3creT')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('ab', 'aé')).toBe(false);
    expect(sameSecret(Buffer.from('x'), 'x')).toBe(true);
  });

  it('sameSecret on two strings is string equality, for any text (lone surrogates too, which UTF-8 bytes would have made equal)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '€', '\uD83D', '\uDE00', '\uD800', '\u0000'), maxLength: 8 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sameSecret(a, b)).toBe(a === b);
        expect(sameSecret(a, a.slice(0))).toBe(true);
      }),
    );
    expect(sameSecret('\uD800', '\uDBFF')).toBe(false);
  });
});
