/** `validate --format github|json` and exit codes, with the static checks' fixtures. */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { githubAnnotation } from '../../src/cli/github-annotations.js';
import { runCli } from './run-cli.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const LOOPS = 'test/fixtures/checks/loops.yaml';
const MENUS = 'test/fixtures/checks/menu-keys.yaml';

describe('validate --format github', () => {
  test('one workflow command per diagnostic, positioned, titled with the code; errors exit 1', async () => {
    const run = await runCli('validate', '--format', 'github', LOOPS);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('::').slice(0, 2).join('::'))).toEqual([
      `::error file=${LOOPS},line=10,col=11,title=CS_LOOP_WITHOUT_INPUT`,
      `::error file=${LOOPS},line=17,col=15,title=CS_LOOP_WITHOUT_INPUT`,
      `::error file=${LOOPS},line=23,col=17,title=CS_LOOP_WITHOUT_INPUT`,
    ]);
    expect(lines[0]).toMatch(/::steps `news` → `more_news` → `news` can repeat forever without any caller input/);
    expect(run.stderr).toBe('3 errors, 0 warnings in 1 file\n');
  });

  test('warnings are ::warning and pass, unless --strict', async () => {
    const relaxed = await runCli('validate', '--format', 'github', MENUS);
    expect(relaxed.code).toBe(0);
    const lines = relaxed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => l.startsWith('::warning file='))).toBe(true);
    expect(lines[1]).toMatch(/^::warning file=test\/fixtures\/checks\/menu-keys\.yaml,line=7,col=72,title=CS_KEY_WITHOUT_BRANCH::the prompt of gather `main` says "3"/);
    expect((await runCli('validate', '--format', 'github', '--strict', MENUS)).code).toBe(1);
  });

  test('clean scripts print nothing and exit 0', async () => {
    expect(await runCli('validate', '--format', 'github', 'examples/')).toEqual({ code: 0, stdout: '', stderr: '5 scripts OK\n' });
  });

  test('escapes what would break the command: newlines and % in messages, : and , in properties', () => {
    const line = githubAnnotation({
      code: 'CS_X',
      severity: 'warning',
      message: '100% broken\nsecond line',
      file: 'dir,1/a:b.yaml',
      line: 2,
      column: 3,
      path: '',
    });
    expect(line).toBe('::warning file=dir%2C1/a%3Ab.yaml,line=2,col=3,title=CS_X::100%25 broken%0Asecond line');
  });
});

describe('validate exit codes and json', () => {
  test('--format json carries the new codes with positions', async () => {
    const run = await runCli('validate', '--format', 'json', LOOPS, MENUS);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { errors: number; warnings: number; diagnostics: Array<{ code: string; line: number; column: number }> };
    expect(report.errors).toBe(3);
    expect(report.warnings).toBe(6);
    expect(report.diagnostics.filter((d) => d.code === 'CS_BRANCH_NOT_OFFERED').map((d) => [d.line, d.column])).toEqual([
      [11, 7],
      [32, 34],
    ]);
  });

  test('an unknown format is a usage error: exit 2', async () => {
    expect((await runCli('validate', '--format', 'xml', 'examples/')).code).toBe(2);
  });
});
