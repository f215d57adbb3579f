/** `callscript validate` through the real CLI entry point. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { runCli, type CliRun } from '../checks/run-cli.js';
import { yaml } from './helpers.js';

/** `callscript validate <args>` in-process, its output captured. */
const run = (...args: string[]): Promise<CliRun> => runCli('validate', ...args);

let dir: string;
let broken: string;
let warned: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'callscript-validate-'));
  broken = join(dir, 'broken.yaml');
  warned = join(dir, 'warned.yaml');
  await writeFile(broken, yaml('steps:', '  welcome:', '    play: Hello.', '    next: mneu', '  menu:', '    hangup: Bye.'));
  await writeFile(warned, yaml('steps:', '  welcome:', '    hangup: Bye.', '  orphan:', '    hangup: Never.'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('callscript validate', () => {
  test('examples/ (the default) is clean: exit 0, nothing on stdout, a summary on stderr', async () => {
    const result = await run();
    expect(result).toEqual({ code: 0, stdout: '', stderr: '5 scripts OK\n' });
    expect(await run('examples/')).toEqual(result);
  });

  test('errors: one line per problem on stdout, exit 1', async () => {
    const result = await run(broken);
    expect(result.code).toBe(1);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${broken}:4:11: error: next names step \`mneu\`, which does not exist; did you mean \`menu\`? [CS_UNKNOWN_STEP]`,
      `${broken}:5:3: warning: step \`menu\` is never reached from the start step \`welcome\` (nothing leads to it) [CS_UNREACHABLE]`,
    ]);
    expect(result.stderr).toBe('1 error, 1 warning in 1 file\n');
  });

  test('file paths inside the working directory are shown relative to it', async () => {
    const result = await run('test/fixtures/scripts/mixed/a-broken.yml');
    expect(result.stdout).toMatch(/^test\/fixtures\/scripts\/mixed\/a-broken\.yml:5:11: error: /);
  });

  test('warnings alone pass, and fail with --strict', async () => {
    const relaxed = await run(warned);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain('[CS_UNREACHABLE]');
    expect(relaxed.stderr).toBe('0 errors, 1 warning in 1 file\n');
    expect((await run('--strict', warned)).code).toBe(1);
  });

  test('--format json', async () => {
    const result = await run('--format', 'json', broken, warned);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { files: string[]; diagnostics: { code: string; file: string }[]; errors: number; warnings: number };
    expect(report.files).toEqual([broken, warned]);
    expect(report.errors).toBe(1);
    expect(report.warnings).toBe(2);
    expect(report.diagnostics.map((d) => d.code)).toEqual(['CS_UNKNOWN_STEP', 'CS_UNREACHABLE', 'CS_UNREACHABLE']);
    expect(report.diagnostics[0]).toEqual({
      code: 'CS_UNKNOWN_STEP',
      severity: 'error',
      message: 'next names step `mneu`, which does not exist; did you mean `menu`?',
      file: broken,
      line: 4,
      column: 11,
      path: 'steps.welcome.next',
    });
  });

  test('a missing path is an error (CS_FILE)', async () => {
    const result = await run(join(dir, 'missing'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[CS_FILE]');
  });

  test('usage errors exit 2', async () => {
    expect((await run('--format', 'xml')).code).toBe(2);
    expect((await run('--bogus')).code).toBe(2);
  });
});
