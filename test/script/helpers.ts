import { expect } from 'vitest';
import { compile } from '../../src/script/compile.js';
import type { Diagnostic } from '../../src/script/diagnostic.js';

/** YAML from lines, so tests can state line numbers exactly. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** All diagnostics of a compile, whether it succeeded (warnings) or not. */
export function diagnosticsOf(source: string, file = 'test.yaml'): Diagnostic[] {
  const result = compile(source, { file });
  return result.ok ? result.warnings : result.diagnostics;
}

/** The only diagnostic with `code`, asserting there is exactly one. */
export function only(source: string, code: string, file = 'test.yaml'): Diagnostic {
  const all = diagnosticsOf(source, file);
  const matching = all.filter((d) => d.code === code);
  expect(matching, JSON.stringify(all, null, 2)).toHaveLength(1);
  return matching[0] as Diagnostic;
}
