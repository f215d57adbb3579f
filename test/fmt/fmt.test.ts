/** `callscript fmt`: canonical layout, idempotent, comments kept, meaning unchanged. */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseDocument, isMap, type YAMLMap } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { compile } from '../../src/script/compile.js';
import { formatScript, meaning } from '../../src/script/format/index.js';
import { runCli } from '../checks/run-cli.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function fmt(source: string): string {
  const result = formatScript(source, 'test.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.text;
}

function comments(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /#\s.*$|^\s*#.*$/.exec(l)?.[0].trim())
    .filter((c): c is string => c !== undefined && c.startsWith('#'))
    .sort();
}

function meaningOf(source: string): string {
  const result = compile(source, { file: 'test.yaml' });
  if (!result.ok) throw new Error(`does not compile: ${JSON.stringify(result.diagnostics)}`);
  return meaning(result.script);
}

const SCRIPTS = ['examples/acme.yaml', 'examples/account.yaml', 'examples/reminder.yaml', 'test/fmt/fixtures/messy.yaml'];

describe('formatScript', () => {
  test('puts a hand-written script in the canonical layout (exact text)', async () => {
    const source = await readFile('test/fmt/fixtures/messy.yaml', 'utf8');
    expect(fmt(source)).toBe(await readFile('test/fmt/fixtures/messy.formatted.yaml', 'utf8'));
  });

  test.each(SCRIPTS)('%s: idempotent, every comment kept, same compiled script', async (file) => {
    const source = await readFile(file, 'utf8');
    const once = fmt(source);
    expect(fmt(once)).toBe(once);
    expect(comments(once)).toEqual(comments(source));
    expect(meaningOf(once)).toBe(meaningOf(source));
  });

  test('the bundled examples are already canonical', async () => {
    for (const file of SCRIPTS.slice(0, 3)) {
      const source = await readFile(file, 'utf8');
      expect(fmt(source), file).toBe(source);
    }
  });

  test('quotes phone numbers and digit keys that YAML already reads as strings, and never a YAML number', () => {
    const source = [
      "numbers: ['+6560000001']",
      'steps:',
      '  menu:',
      '    gather: Press 1 or 2.',
      "    branches: { '1': a, 2: a }",
      '  a:',
      "    transfer: '+6562223333'",
      '',
    ].join('\n');
    expect(fmt(source)).toBe(
      ['numbers: ["+6560000001"]', 'steps:', '  menu:', '    gather: Press 1 or 2.', '    branches: { "1": a, 2: a }', '  a:', '    transfer: "+6562223333"', ''].join('\n'),
    );
  });

  test('a folded prompt keeps the line breaks its author chose, re-indented', () => {
    const source = ['steps:', '  m:', '      gather:', '          prompt: >-', '              One, press 1.', '              Two.', '      branches: { "1": m }', ''].join('\n');
    expect(fmt(source)).toBe(['steps:', '  m:', '    gather:', '      prompt: >-', '        One, press 1.', '        Two.', '    branches: { "1": m }', ''].join('\n'));
  });

  test('a file YAML cannot parse is reported with its position, not formatted', () => {
    const result = formatScript('steps:\n  a: [unclosed\n', 'broken.yaml');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.diagnostics[0]).toMatchObject({ code: 'CS_YAML_SYNTAX', file: 'broken.yaml', severity: 'error' });
  });

  test('whatever the order of keys, the result is the same canonical text with the same meaning', async () => {
    const base = parseDocument(await readFile('examples/acme.yaml', 'utf8'));
    const canonical = fmt(base.toString({ lineWidth: 0 }));
    const expected = meaningOf(canonical);
    // Shuffles the keys of every mapping except `steps` (whose order is meaningful) and `branches` (kept as written).
    const shuffle = (seed: number): string => {
      const doc = base.clone();
      let state = seed;
      const next = (): number => {
        state = (state * 1103515245 + 12345) & 0x7fffffff;
        return state;
      };
      const walk = (map: YAMLMap, key: string | undefined): void => {
        if (key !== 'steps' && key !== 'branches' && key !== 'vars') {
          const items = map.items.map((item) => ({ item, r: next() })).sort((a, b) => a.r - b.r);
          map.items = items.map(({ item }) => item);
        }
        for (const pair of map.items) if (isMap(pair.value)) walk(pair.value, String((pair.key as { value?: unknown }).value));
      };
      if (isMap(doc.contents)) walk(doc.contents, undefined);
      // Comments and blank lines move with their keys (as they should); this property is about order, so drop them.
      return bare(doc.toString({ lineWidth: 0 }));
    };
    const bare = (text: string): string => text.replace(/ *#.*$/gm, '').replace(/^\s*\n/gm, '');
    const stripped = fmt(bare(canonical));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
        const shuffled = shuffle(seed);
        const out = fmt(shuffled);
        expect(out).toBe(stripped);
        expect(meaningOf(shuffled)).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });
});

describe('callscript fmt', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'callscript-fmt-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('--check lists what would change and exits 1 without touching files; fmt rewrites; then --check passes', async () => {
    const messy = await readFile('test/fmt/fixtures/messy.yaml', 'utf8');
    await writeFile(join(dir, 'messy.yaml'), messy);
    await writeFile(join(dir, 'acme.yaml'), await readFile('examples/acme.yaml', 'utf8'));
    await writeFile(join(dir, 'flow.test.yaml'), 'not: [a, script\n'); // test files are not scripts: skipped

    const check = await runCli('fmt', '--check', dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe(`${join(dir, 'messy.yaml')}\n`);
    expect(check.stderr).toBe('1 file would be reformatted (run `callscript fmt`)\n');
    expect(await readFile(join(dir, 'messy.yaml'), 'utf8')).toBe(messy);

    const write = await runCli('fmt', dir);
    expect(write.code).toBe(0);
    expect(write.stderr).toBe('1 file reformatted, 1 unchanged\n');
    expect(await readFile(join(dir, 'messy.yaml'), 'utf8')).toBe(await readFile('test/fmt/fixtures/messy.formatted.yaml', 'utf8'));
    expect((await readdir(dir)).filter((f) => f.includes('fmt-tmp'))).toEqual([]);

    expect(await runCli('fmt', '--check', dir)).toEqual({ code: 0, stdout: '', stderr: '2 files already formatted\n' });
  });

  test('a file YAML cannot parse is reported and left alone: exit 1', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'steps:\n  a: [unclosed\n');
    const run = await runCli('fmt', broken);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/broken\.yaml:\d+:\d+: error: cannot format: YAML syntax/);
    expect(await readFile(broken, 'utf8')).toBe('steps:\n  a: [unclosed\n');
  });

  test('examples/ passes fmt --check (what CI runs)', async () => {
    expect(await runCli('fmt', '--check', 'examples/')).toEqual({ code: 0, stdout: '', stderr: '5 files already formatted\n' });
  });
});
