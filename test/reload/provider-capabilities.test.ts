/** Hot reload checks edits against the provider's capabilities, as start-up does: a refused edit keeps the last good version serving. */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ProviderCapabilities } from '../../src/engine/capabilities.js';
import { HOIIO_CAPABILITIES } from '../../src/provider/hoiio/capabilities.js';
import { ScriptReloader } from '../../src/reload/reloader.js';
import { ScriptRegistry } from '../../src/runtime/script-registry.js';
import { captureLogger } from '../helpers/dev-server.js';
import { menuScript, tempDir } from './helpers.js';

/** Hoiio's table without recording: a provider an edit can ask too much of. */
const NO_RECORD: ProviderCapabilities = { ...HOIIO_CAPABILITIES, name: 'norecord', record: false };

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const NUMBER = '+6560000591';

function withVoicemail(): string {
  return [
    `numbers: ["${NUMBER}"]`,
    'steps:',
    '  vm:',
    '    record: Leave a message after the tone.',
    '    next: bye',
    '  bye:',
    '    hangup: Goodbye.',
    '',
  ].join('\n');
}

describe('reload against a provider table', () => {
  test('an edit adding a record step on a provider without recording is refused; the last good version keeps serving', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const file = join(dir, 'desk.yaml');
    await writeFile(file, menuScript({ number: NUMBER, label: 'Good' }));
    const registry = new ScriptRegistry();
    const logs = captureLogger();
    const reloader = new ScriptReloader({ paths: [dir], registry, log: logs.log, git: false, provider: NO_RECORD });
    await reloader.reload('initial');
    const good = registry.forNumber(NUMBER)?.version;
    expect(good).toBeDefined();

    await writeFile(file, withVoicemail());
    const report = await reloader.reload('watch');
    expect(report.invalid).toHaveLength(1);
    expect(report.invalid[0]?.diagnostics).toEqual([
      expect.objectContaining({ code: 'CS_PROVIDER_UNSUPPORTED', line: 4, column: 5, path: 'steps.vm.record' }),
    ]);
    expect(report.invalid[0]?.diagnostics[0]?.message).toContain('the `norecord` provider cannot record');
    expect(registry.forNumber(NUMBER)?.version).toBe(good);
  });

  test('without a provider table the same edit goes live', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const file = join(dir, 'desk.yaml');
    await writeFile(file, menuScript({ number: NUMBER, label: 'Good' }));
    const registry = new ScriptRegistry();
    const reloader = new ScriptReloader({ paths: [dir], registry, log: captureLogger().log, git: false });
    await reloader.reload('initial');
    await writeFile(file, withVoicemail());
    const report = await reloader.reload('watch');
    expect(report.invalid).toEqual([]);
    expect(Object.keys(registry.forNumber(NUMBER)?.steps ?? {})).toContain('vm');
  });
});
