/** The bundled example scripts (what `callscript dev` runs) must stay clean: no errors, no warnings. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile } from '../src/script/compile.js';
import { validatePaths } from '../src/cli/commands/validate.js';

const EXAMPLES = 'examples';
const files = readdirSync(EXAMPLES)
  .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
  .sort();

describe('examples', () => {
  test('the folder has scripts', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  test.each(files)('%s compiles with zero diagnostics', (name) => {
    const file = join(EXAMPLES, name);
    const source = readFileSync(file, 'utf8');
    const result = compile(source, { file });
    expect(result.ok ? result.warnings : result.diagnostics).toEqual([]);
  });

  test.each(files)('%s starts with the yaml-language-server modeline', (name) => {
    const first = readFileSync(join(EXAMPLES, name), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=../schema/callscript.schema.json');
  });

  test('validate examples/ finds no problem', async () => {
    const report = await validatePaths([`${EXAMPLES}/`]);
    expect(report.files).toHaveLength(files.length);
    expect(report.diagnostics).toEqual([]);
  });
});
