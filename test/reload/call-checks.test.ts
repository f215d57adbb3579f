/**
 * Hot reload runs the start-up checks across files on `call:` steps: a reload
 * that deletes or renames a script another one calls, or makes calls go round,
 * is refused as a whole. Every file keeps the version it served (a deleted one
 * included), other edits of that reload wait, calls in progress keep their pinned
 * versions, and the diagnostics say where and why.
 */
import { rm, unlink, writeFile } from 'node:fs/promises';
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

/** Calls `callee` from its second step (line 6, column 11: the value of `call:`). */
function caller(callee: string, label = 'Main'): string {
  return ['name: main', 'numbers: ["+6560000601"]', 'steps:', '  hello: { play: "' + label + '.", next: sub }', '  sub:', `    call: ${callee}`, '    next: bye', '  bye: { hangup: Bye. }', ''].join('\n');
}

function callee(name: string, calls?: string): string {
  const body = calls === undefined ? ['  menu: { play: "Billing.", next: back }'] : ['  menu:', `    call: ${calls}`, '    next: back'];
  return [`name: ${name}`, 'steps:', ...body, '  back: { return: }', ''].join('\n');
}

async function setup(files: Record<string, string>): Promise<{ dir: string; registry: ScriptRegistry; reloader: ScriptReloader; logs: ReturnType<typeof captureLogger> }> {
  const dir = await tempDir();
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const registry = new ScriptRegistry();
  const logs = captureLogger();
  const reloader = new ScriptReloader({ paths: [dir], registry, log: logs.log, git: false });
  const first = await reloader.reload('initial');
  expect(first.refused).toBeUndefined();
  return { dir, registry, reloader, logs };
}

describe('hot reload and call:', () => {
  test('deleting a called script refuses the reload as a whole; restoring it lets the held-back edits through', async () => {
    const { dir, registry, reloader, logs } = await setup({
      'main.yaml': caller('billing'),
      'billing.yaml': callee('billing'),
      'other.yaml': menuScript({ number: '+6560000602', label: 'Other one' }),
    });
    const billing = registry.current('billing');
    const other = registry.forNumber('+6560000602');
    expect(billing).toBeDefined();
    // A call in progress inside billing.
    registry.track('call-1', billing!);

    await unlink(join(dir, 'billing.yaml'));
    await writeFile(join(dir, 'other.yaml'), menuScript({ number: '+6560000602', label: 'Other two' }));
    const report = await reloader.reload('watch');

    expect(report.refused).toEqual([
      expect.objectContaining({ code: 'CS_UNKNOWN_SCRIPT', file: join(dir, 'main.yaml'), line: 6, column: 11, path: 'steps.sub.call' }),
    ]);
    expect(report.refused?.[0]?.message).toMatch(/^call names script `billing`, which is not loaded/);
    expect(report).toMatchObject({ added: [], changed: [], removed: [], renamed: [] });
    // Nothing of the reload went live: the deleted script still serves, the other edit waits.
    expect(registry.current('billing')).toBe(billing);
    expect(registry.forNumber('+6560000602')).toBe(other);
    expect(registry.pinned('billing', billing!.version)).toBe(billing);

    const catalog = await reloader.catalog();
    const entry = (name: string) => catalog.scripts.find((s) => s.name === name);
    expect(entry('main')).toMatchObject({ status: 'error', diagnostics: [expect.objectContaining({ code: 'CS_UNKNOWN_SCRIPT', line: 6, column: 11 })] });
    expect(entry('billing')).toMatchObject({ status: 'error', version: billing!.version, diskVersion: null, calls: 1 });
    expect(entry('billing')?.diagnostics.map((d) => d.code)).toEqual(['CS_RELOAD_REFUSED']);
    expect(entry('billing')?.diagnostics[0]?.message).toContain(`the deletion of this file is not live: the scripts' calls do not hold together (${join(dir, 'main.yaml')}:6:11 CS_UNKNOWN_SCRIPT)`);
    expect(entry('other')).toMatchObject({ status: 'error', version: other!.version });
    expect(entry('other')?.diagnostics[0]?.message).toContain('this version is not live');
    const refused = logs.lines().find((l) => l.msg === 'scripts.reload_refused');
    expect(refused).toMatchObject({ trigger: 'watch', errors: 1 });
    expect(refused?.diagnostics).toEqual([expect.stringMatching(/main\.yaml:6:11: error: call names script `billing`.*\[CS_UNKNOWN_SCRIPT\]$/)]);
    expect(logs.lines().find((l) => l.msg === 'scripts.reloaded')).toMatchObject({ refused: true, changed: [], removed: [] });

    // Putting it back makes the set whole again: the held-back edit goes live with it.
    await writeFile(join(dir, 'billing.yaml'), callee('billing'));
    const fixed = await reloader.reload('watch');
    expect(fixed.refused).toBeUndefined();
    expect(registry.forNumber('+6560000602')?.version).not.toBe(other!.version);
    expect((await reloader.catalog()).scripts.every((s) => s.status === 'ok')).toBe(true);
  });

  test('renaming a called script is refused; renaming the call with it in one reload goes through', async () => {
    const { dir, registry, reloader } = await setup({ 'main.yaml': caller('billing'), 'billing.yaml': callee('billing') });
    await writeFile(join(dir, 'billing.yaml'), callee('invoices'));
    const refused = await reloader.reload('watch');
    expect(refused.refused?.map((d) => [d.code, d.line, d.column])).toEqual([['CS_UNKNOWN_SCRIPT', 6, 11]]);
    expect(registry.current('billing')).toBeDefined();
    expect(registry.current('invoices')).toBeUndefined();

    await writeFile(join(dir, 'main.yaml'), caller('invoices'));
    const accepted = await reloader.reload('watch');
    expect(accepted.refused).toBeUndefined();
    expect(registry.current('invoices')).toBeDefined();
    expect(registry.current('billing')).toBeUndefined();
  });

  test('calls that would go round are refused (CS_CALL_CYCLE), and so is calling a script whose new version is invalid', async () => {
    const { dir, registry, reloader } = await setup({ 'main.yaml': caller('billing'), 'billing.yaml': callee('billing') });
    const before = registry.current('billing');
    await writeFile(join(dir, 'billing.yaml'), callee('billing', 'main'));
    const cycle = await reloader.reload('watch');
    expect(cycle.refused?.map((d) => d.code)).toEqual(['CS_CALL_CYCLE', 'CS_CALL_CYCLE']);
    expect(registry.current('billing')).toBe(before);

    // A new script that never validated cannot be called: the caller's edit waits for it.
    await writeFile(join(dir, 'billing.yaml'), callee('billing'));
    await writeFile(join(dir, 'promo.yaml'), 'name: promo\nsteps:\n  a: { play: Hi. }\n');
    await writeFile(join(dir, 'main.yaml'), caller('promo', 'Main two'));
    const invalid = await reloader.reload('watch');
    expect(invalid.refused?.map((d) => [d.code, d.message.slice(0, 40)])).toEqual([['CS_UNKNOWN_SCRIPT', 'call names script `promo`, which is not ']]);
    expect(registry.current('main')?.source).toContain('Main.');
  });
});
