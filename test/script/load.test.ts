import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadScripts } from '../../src/script-files/load.js';

const MIXED = join('test', 'fixtures', 'scripts', 'mixed');

describe('loadScripts', () => {
  test('a directory: *.yaml and *.yml directly inside, sorted, without *.test.yaml', async () => {
    const { files } = await loadScripts([MIXED]);
    expect(files).toEqual([join(MIXED, 'a-broken.yml'), join(MIXED, 'b-valid.yaml'), join(MIXED, 'c-warning.yaml')]);
  });

  test('scripts only for files without errors; warnings do not exclude', async () => {
    const { scripts, diagnostics } = await loadScripts([MIXED]);
    expect(scripts.map((s) => s.name)).toEqual(['fixture-b', 'fixture-c']);
    expect(scripts[0]?.file).toBe(join(MIXED, 'b-valid.yaml'));
    expect(diagnostics.map((d) => [d.file, d.code, d.severity])).toEqual([
      [join(MIXED, 'a-broken.yml'), 'CS_UNKNOWN_STEP', 'error'],
      [join(MIXED, 'c-warning.yaml'), 'CS_UNREACHABLE', 'warning'],
    ]);
  });

  test('files given directly are loaded whatever their extension, once each', async () => {
    const file = join(MIXED, 'b-valid.yaml');
    const { files, scripts } = await loadScripts([file, MIXED, file]);
    expect(files[0]).toBe(file);
    expect(files.filter((f) => f.endsWith('b-valid.yaml'))).toHaveLength(1);
    expect(scripts.map((s) => s.name)).toEqual(['fixture-b', 'fixture-c']);
  });

  test('a file that is not valid YAML script is reported, not thrown', async () => {
    const { scripts, diagnostics } = await loadScripts([join(MIXED, 'notes.txt')]);
    expect(scripts).toEqual([]);
    expect(diagnostics[0]?.code).toBe('CS_TYPE');
  });

  test('the bundled examples load cleanly', async () => {
    const { scripts, diagnostics } = await loadScripts(['examples']);
    expect(diagnostics).toEqual([]);
    expect(scripts.map((s) => s.name).sort()).toEqual(['account', 'acme', 'billing-menu', 'reminder', 'support']);
  });
});
