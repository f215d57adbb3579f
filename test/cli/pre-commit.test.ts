/**
 * The documented pre-commit hooks (docs/pre-commit.md): `validate --siblings` on the
 * changed scripts checks each with the other scripts of its folder and reports on the
 * changed ones; the hooks of .pre-commit-hooks.yaml run as their entries say; the plain
 * git hook (docs/hooks/pre-commit) checks what a commit adds or changes, in a real repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../checks/run-cli.js';

const ROOT = resolve('.');
const CLI = join(ROOT, 'bin', 'callscript.js');

const LINE = `name: line
numbers: ["+6560000001"]
steps:
  menu:
    gather: "For billing press 1."
    branches: { "1": billing }
    no_input: bye
  billing:
    call: billing
    next: bye
  bye:
    hangup: Goodbye.
`;

const BILLING = `name: billing
numbers: ["+6560000002"]
steps:
  back:
    return:
`;

/** A file of the folder that is not being changed, with a problem of its own. */
const BROKEN = `steps:
  a:
    play: Hello.
`;

let dir: string;

function write(name: string, text: string): string {
  const file = join(dir, 'scripts', name);
  writeFileSync(file, text);
  return file;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callscript-hook-'));
  mkdirSync(join(dir, 'scripts'));
  write('billing.yaml', BILLING);
  write('line.yaml', LINE);
  write('old.yaml', BROKEN);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('validate --siblings', () => {
  it('checks a changed script with its folder: a call to an unchanged script is fine, the folder\'s other problems are not reported', async () => {
    const line = join(dir, 'scripts', 'line.yaml');
    const alone = await runCli('validate', line);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toContain('[CS_UNKNOWN_SCRIPT]');
    const withFolder = await runCli('validate', '--siblings', line);
    expect(withFolder).toMatchObject({ code: 0, stdout: '' });
    expect(withFolder.stderr).toBe('1 script OK\n');
  });

  it('reports a problem the change makes in another file of the folder (the later of two files claiming a number)', async () => {
    const changed = write('a-line.yaml', LINE.replace('name: line', 'name: a-line').replace('+6560000001', '+6560000002'));
    const run = await runCli('validate', '--siblings', changed);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`billing.yaml:2:11: error: number "+6560000002" is already routed to script \`a-line\``);
    expect(run.stdout).not.toContain('old.yaml');
  });

  it('reports the changed script\'s own problems with their positions', async () => {
    const changed = write('line.yaml', LINE.replace('next: bye', 'next: byebye'));
    const run = await runCli('validate', '--siblings', changed);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('line.yaml:10:11: error: next names step `byebye`, which does not exist');
  });
});

interface Hook {
  readonly id: string;
  readonly entry: string;
  readonly files: string;
  readonly exclude: string;
}

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

  it('offers validate and fmt --check on script files, not on test files', () => {
    expect(hooks.map((h) => [h.id, h.entry])).toEqual([
      ['callscript-validate', 'callscript validate --siblings'],
      ['callscript-fmt', 'callscript fmt --check'],
    ]);
    for (const hook of hooks) {
      expect(new RegExp(hook.files).test('scripts/line.yaml')).toBe(true);
      expect(new RegExp(hook.exclude).test('scripts/line.test.yaml')).toBe(true);
    }
  });

  it('each entry passes on good changed scripts and fails on bad ones, as pre-commit runs it (the files appended)', async () => {
    const good = join(dir, 'scripts', 'line.yaml');
    for (const hook of hooks) {
      const args = hook.entry.split(' ').slice(1);
      expect([hook.id, (await runCli(...args, good)).code]).toEqual([hook.id, 0]);
    }
    const unformatted = write('line.yaml', LINE.replace('numbers: ["+6560000001"]', "numbers: ['+6560000001']"));
    const [validate, fmt] = hooks;
    expect((await runCli(...(validate?.entry.split(' ').slice(1) ?? []), unformatted)).code).toBe(0);
    const check = await runCli(...(fmt?.entry.split(' ').slice(1) ?? []), unformatted);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('line.yaml');
  });
});

describe('docs/hooks/pre-commit in a git repository', () => {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  const hook = (): { status: number | null; out: string } => {
    const run = spawnSync('sh', [join(ROOT, 'docs', 'hooks', 'pre-commit')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CALLSCRIPT: `${process.execPath} ${CLI}` },
    });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  };

  beforeEach(() => {
    git('init', '-q');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'scripts');
  });

  it('passes with nothing staged, and with a good change; the folder\'s old problems do not block it', () => {
    expect(hook().status).toBe(0);
    write('line.yaml', LINE.replace('Goodbye.', 'Goodbye, and thank you.'));
    git('add', 'scripts/line.yaml');
    const run = hook();
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain('1 script OK');
  });

  it('fails on a staged script with an error or out of the canonical layout, naming it; test files are not scripts', () => {
    write('line.yaml', LINE.replace('next: bye', 'next: byebye'));
    write('line.test.yaml', 'this: is not a script\n');
    git('add', '.');
    const broken = hook();
    expect(broken.status).not.toBe(0);
    expect(broken.out).toContain('scripts/line.yaml:10:11: error');
    expect(broken.out).not.toContain('line.test.yaml');
    write('line.yaml', LINE.replace('numbers: ["+6560000001"]', "numbers: ['+6560000001']"));
    git('add', '.');
    const unformatted = hook();
    expect(unformatted.status).not.toBe(0);
    expect(unformatted.out).toContain('would be reformatted');
  });
});
