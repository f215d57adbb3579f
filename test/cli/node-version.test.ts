/** The start-up check and package.json's `engines` say the same thing, and an old Node gets a sentence, not a stack. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimumOf, nodeProblem } from '../../bin/node-check.js';

const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;

describe('the Node.js version check', () => {
  it('reads its minimum from package.json engines, at least what undici 7 needs (20.18.1)', () => {
    const minimum = minimumOf(engines);
    expect(minimum).toBeDefined();
    const [major = 0, minor = 0, patch = 0] = minimum ?? [];
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(20_018_001);
  });

  it('accepts this Node and newer ones; refuses older ones with the versions and what to do', () => {
    expect(nodeProblem(process.versions.node, engines)).toBeUndefined();
    expect(nodeProblem('22.0.0', engines)).toBeUndefined();
    expect(nodeProblem('20.18.3', '>=20.18.3')).toBeUndefined();
    expect(nodeProblem('20.18.2', '>=20.18.3')).toBe(
      'callscript needs Node.js 20.18.3 or newer (package.json engines: ">=20.18.3"); this is Node.js 20.18.2. Install a current Node.js 20 or newer (https://nodejs.org).',
    );
    expect(nodeProblem('v18.19.0', '>=20.18.3')).toMatch(/this is Node\.js 18\.19\.0/);
  });

  it('bin/callscript.js refuses to start, with that sentence and exit 1, before loading anything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callscript-node-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync('bin/callscript.js', join(dir, 'bin', 'callscript.js'));
      copyFileSync('bin/node-check.js', join(dir, 'bin', 'node-check.js'));
      // No dist/ here: had the check let it through, the import would fail with a module error instead.
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', engines: { node: '>=99.0.0' } }));
      const run = spawnSync(process.execPath, [join(dir, 'bin', 'callscript.js'), '--version'], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(
        `callscript needs Node.js 99.0.0 or newer (package.json engines: ">=99.0.0"); this is Node.js ${process.versions.node}. Install a current Node.js 20 or newer (https://nodejs.org).`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
