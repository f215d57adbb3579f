/** ScriptReloader on real folders, driven directly (no watcher, no HTTP). */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ScriptReloader } from '../../src/reload/reloader.js';
import { ScriptRegistry } from '../../src/runtime/script-registry.js';
import { captureLogger } from '../helpers/dev-server.js';
import { menuScript, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(files: Record<string, string>): Promise<{ dir: string; registry: ScriptRegistry; reloader: ScriptReloader; logs: ReturnType<typeof captureLogger> }> {
  const dir = await tempDir();
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const registry = new ScriptRegistry();
  const logs = captureLogger();
  const reloader = new ScriptReloader({ paths: [dir], registry, log: logs.log, git: false });
  await reloader.reload('initial');
  return { dir, registry, reloader, logs };
}

describe('ScriptReloader', () => {
  test('a file that never validated is listed as an error and serves nothing; the others serve', async () => {
    const { registry, reloader, logs } = await setup({
      'good.yaml': menuScript({ number: '+6560000501', label: 'Good' }),
      'bad.yaml': 'name: shiny\nsteps:\n  a:\n    play: Hi.\n',
    });
    expect(registry.list().map((s) => s.name)).toEqual(['good']);
    const { scripts } = await reloader.catalog();
    expect(scripts.find((s) => s.name === 'shiny')).toMatchObject({ status: 'error', version: null, numbers: [], calls: 0 });
    expect(scripts.find((s) => s.name === 'shiny')?.diagnostics[0]).toMatchObject({ code: 'CS_NO_NEXT', line: 3, column: 3 });
    expect(logs.lines().find((l) => l.msg === 'scripts.invalid')).toMatchObject({ script: 'shiny', serving: null, errors: 1 });
    expect(logs.lines().find((l) => l.msg === 'scripts.loaded')).toMatchObject({ trigger: 'initial', added: [{ name: 'good' }] });
  });

  test('a scripts folder that disappears aborts the reload: every script keeps serving', async () => {
    const { dir, registry, reloader, logs } = await setup({ 'a.yaml': menuScript({ number: '+6560000502', label: 'A' }) });
    const moved = `${dir}-away`;
    dirs.push(moved);
    await rename(dir, moved);
    const report = await reloader.reload('watch');
    expect(report.aborted).toMatch(/^cannot read /);
    expect(registry.forNumber('+6560000502')?.name).toBe('a');
    expect(logs.lines().some((l) => l.msg === 'scripts.reload_failed')).toBe(true);
    await rename(moved, dir);
    expect((await reloader.reload('watch')).aborted).toBeUndefined();
  });

  test('reloads never overlap: requests during a reload are folded into one more', async () => {
    const { dir, reloader } = await setup({ 'a.yaml': menuScript({ number: '+6560000503', label: 'A' }) });
    await writeFile(join(dir, 'b.yaml'), menuScript({ number: '+6560000504', label: 'B' }));
    const [first, second, third] = await Promise.all([reloader.reload('watch'), reloader.reload('watch'), reloader.reload('signal')]);
    expect(first.added.map((a) => a.name)).toEqual(['b']);
    expect(second).toBe(third);
    expect(second.added).toEqual([]);
    expect((await reloader.catalog()).reloads).toBe(3);
  });

  test('script files in sub-folders, *.test.yaml and other files are not scripts', async () => {
    const { dir, registry, reloader } = await setup({ 'a.yaml': menuScript({ number: '+6560000505', label: 'A' }), 'a.test.yaml': 'not: a script\n', 'notes.txt': 'hi' });
    await mkdir(join(dir, 'drafts'));
    await writeFile(join(dir, 'drafts', 'b.yaml'), menuScript({ number: '+6560000506', label: 'B' }));
    await reloader.reload('manual');
    expect(registry.list().map((s) => s.name)).toEqual(['a']);
  });
});
