/**
 * The loader on hostile input: any text (YAML-shaped or not, alias bombs, deep
 * nesting, huge scalars) and any bytes (invalid UTF-8) give a script or positioned
 * diagnostics, never an exception; the size, alias, nesting and encoding limits
 * are enforced and reported with their codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, type CompileResult } from '../../src/script/compile.js';
import { decodeScript } from '../../src/script-files/encoding.js';
import { MAX_ALIAS_COUNT, MAX_SOURCE_BYTES } from '../../src/script/limits.js';
import { loadScripts } from '../../src/script-files/load.js';
import { MAX_FLOW_NESTING } from '../../src/script/nesting.js';

/** A result is either a script, or errors that each say where and what. */
function wellFormed(result: CompileResult, source: string): void {
  if (result.ok) return;
  expect(result.diagnostics.length).toBeGreaterThan(0);
  const lines = source.split('\n').length;
  for (const d of result.diagnostics) {
    expect(d.code).toMatch(/^CS_[A-Z_]+$/);
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines + 1);
    expect(d.column).toBeGreaterThanOrEqual(1);
  }
}

function codes(result: CompileResult): string[] {
  return result.ok ? [] : result.diagnostics.map((d) => d.code);
}

/** Pieces of YAML syntax and of the script format, so generated text gets deep into the parser and the checks. */
const token = fc.constantFrom(
  'steps:', 'name:', 'numbers:', 'vars:', 'start:', 'defaults:', 'play:', 'gather:', 'record:', 'transfer:', 'hangup:', 'monitor:',
  'next:', 'branches:', 'invalid:', 'no_input:', 'save_as:', 'on_failure:', 'prompt:', 'max_digits:', 'to:', 'message:',
  '"1":', '1:', 'a:', 'b:', '- ', '-', ':', ' ', '  ', '\n', '\n  ', '\n    ', '\t', '[', ']', '{', '}', ',', '&a ', '*a', '&b ', '*b',
  '!!str ', '!tag ', '|', '>-', '"', "'", '#', '---', '...', '?', '%YAML 1.2', '{{', '}}', '{{call.from}}', '{{spell x}}',
  '"+6560000001"', '+6560000001', 'null', 'true', '0x1F', '1e3', '.inf', '~', '<<: *a', '\\', '\u0000', '\uFEFF', '😀', 'é',
);
const yamlish = fc.array(token, { maxLength: 120 }).map((parts) => parts.join(''));

describe('compile never throws', () => {
  it('on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (source) => wellFormed(compile(source), source)),
      { numRuns: 300 },
    );
  });

  it('on YAML-shaped text', () => {
    fc.assert(
      fc.property(yamlish, (source) => wellFormed(compile(source), source)),
      { numRuns: 600 },
    );
  });

  it('on a valid script with one piece of it replaced by anything', () => {
    const valid = 'name: ok\nnumbers: ["+6560000001"]\nsteps:\n  menu:\n    gather: { prompt: "Press 1.", max_digits: 1 }\n    branches: { "1": bye }\n  bye:\n    hangup: "Bye {{call.from}}."\n';
    fc.assert(
      fc.property(fc.nat({ max: valid.length }), fc.nat({ max: 20 }), yamlish, (at, cut, insert) => {
        const source = valid.slice(0, at) + insert + valid.slice(at + cut);
        wellFormed(compile(source), source);
      }),
      { numRuns: 400 },
    );
  });
});

describe('limits are enforced and reported', () => {
  it(`alias bombs: more than ${MAX_ALIAS_COUNT} expansions are refused with CS_TOO_LARGE`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 12 }), (levels, width) => {
        const lines = [`l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(', ')}]`];
        for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(', ')}]`);
        lines.push(`steps: { s: { hangup: "x" } }`, `vars: { v: *l${levels} }`);
        const source = lines.join('\n');
        const result = compile(source);
        wellFormed(result, source);
        // Each level refers `width` times to the one below; the total grows as width^levels.
        let expansions = 0;
        for (let i = 1; i <= levels; i++) expansions += width ** i;
        if (expansions > 10 * MAX_ALIAS_COUNT) expect(codes(result)).toContain('CS_TOO_LARGE');
      }),
      { numRuns: 60 },
    );
  });

  it(`flow collections nested more than ${MAX_FLOW_NESTING} deep are refused with CS_TOO_DEEP (up to the size limit)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('[', '{a: ', '- ['), (depth, open) => {
        const close = open === '[' || open === '- [' ? ']' : '}';
        const source = `steps: ${open.repeat(depth)}x${close.repeat(depth)}\n`;
        const result = compile(source);
        wellFormed(result, source);
        if (Buffer.byteLength(source) > MAX_SOURCE_BYTES) expect(codes(result)).toEqual(['CS_TOO_LARGE']);
        else if (depth > MAX_FLOW_NESTING) expect(codes(result)).toEqual(['CS_TOO_DEEP']);
      }),
      { numRuns: 40 },
    );
  });

  it('deep block nesting gives diagnostics, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1300 }), (depth) => {
        let source = 'steps:\n';
        for (let i = 0; i < depth; i++) source += `${' '.repeat(i + 1)}k${i}:\n`;
        wellFormed(compile(source), source);
      }),
      { numRuns: 12 },
    );
    const dashes = `steps: ${'- '.repeat(50_000)}x\n`;
    wellFormed(compile(dashes), dashes);
  });

  it(`huge scalars: up to ${MAX_SOURCE_BYTES / 2 ** 20} MiB compile or give diagnostics; beyond, CS_TOO_LARGE before parsing`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_200_000 }), fc.constantFrom('"', "'", '', '|\n  '), (size, quote) => {
        const close = quote === '|\n  ' ? '' : quote;
        const source = `name: big\nsteps:\n  s:\n    hangup: ${quote}${'x'.repeat(size)}${close}\n`;
        const result = compile(source);
        wellFormed(result, source);
        if (Buffer.byteLength(source) > MAX_SOURCE_BYTES) expect(codes(result)).toEqual(['CS_TOO_LARGE']);
      }),
      { numRuns: 15 },
    );
  });
});

describe('encoding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callscript-property-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('valid UTF-8 decodes to the same text (BOM and all)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.boolean(), (text, bom) => {
        const withBom = (bom ? '\uFEFF' : '') + text;
        expect(decodeScript(Buffer.from(withBom, 'utf8'), 'x.yaml')).toBe(withBom);
      }),
      { numRuns: 300 },
    );
  });

  it('a file with invalid UTF-8 is reported with CS_ENCODING at its first bad byte, and the folder still loads', async () => {
    const invalid = fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf5, 0x80, 0x80, 0x80], [0x80]);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), invalid, fc.string({ unit: 'grapheme', maxLength: 20 }), async (before, bad, after) => {
        const bytes = Buffer.concat([Buffer.from(`steps:\n  s:\n    hangup: "${before.replace(/["\\]/g, '')}`), Buffer.from(bad), Buffer.from(`${after}"\n`)]);
        writeFileSync(join(dir, 'bad.yaml'), bytes);
        writeFileSync(join(dir, 'good.yaml'), 'steps:\n  s:\n    hangup: "Bye."\n');
        const loaded = await loadScripts([dir]);
        const diagnostic = loaded.diagnostics.find((d) => d.file.endsWith('bad.yaml'));
        expect(diagnostic?.code).toBe('CS_ENCODING');
        expect(diagnostic?.line).toBe(3);
        expect(diagnostic?.column).toBe('    hangup: "'.length + Buffer.byteLength(before.replace(/["\\]/g, '')) + 1);
        expect(loaded.scripts.map((s) => s.name)).toEqual(['good']);
      }),
      { numRuns: 40 },
    );
  });
});
