/**
 * Deploying by git: a scripts repository made in the test, a server watching its
 * work tree, and `git checkout` of another commit switching every script at once.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { spoken } from '../helpers/dev-server.js';
import { atGather, entry, getScripts, logged, menuScript, ringInteractive, startWatched, tempDir, until } from './helpers.js';

const run = promisify(execFile);
const FILES = 50;

async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
  return stdout.trim();
}

const number = (i: number): string => `+65600002${String(i).padStart(2, '0')}`;
const fileOf = (dir: string, i: number): string => join(dir, `line-${String(i).padStart(2, '0')}.yaml`);

async function writeRelease(dir: string, label: string): Promise<void> {
  for (let i = 0; i < FILES; i++) await writeFile(fileOf(dir, i), menuScript({ number: number(i), label: `${label} line ${i}` }));
}

describe('scripts in git', () => {
  it(`git checkout of another commit (${FILES} files) switches every script in one reload; /scripts shows the commit and what differs from it`, async () => {
    const dir = await tempDir('callscript-git-');
    await git(dir, 'init', '-q', '-b', 'main');
    await writeRelease(dir, 'Release A');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'release A');
    const releaseA = await git(dir, 'rev-parse', 'HEAD');
    await writeRelease(dir, 'Release B');
    await git(dir, 'commit', '-q', '-am', 'release B');
    const releaseB = await git(dir, 'rev-parse', 'HEAD');
    await git(dir, 'checkout', '-q', releaseA);

    const w = await startWatched(dir);
    try {
      const atA = (await getScripts(w.dev)).body;
      expect(atA.git).toMatchObject({ commit: releaseA, branch: null });
      expect(atA.scripts).toHaveLength(FILES);
      for (const s of atA.scripts) expect(s.git).toEqual({ tracked: true, modified: false, liveMatchesCommit: true });
      const versionsA = new Map(atA.scripts.map((s) => [s.name, s.version]));

      await git(dir, 'checkout', '-q', releaseB);
      // Polls the registry (what new calls are routed by), not /scripts: each /scripts runs git.
      await until(
        () => Promise.resolve(w.dev.scripts.list()),
        (live) => live.length === FILES && live.every((s) => s.version !== versionsA.get(s.name)),
        'every script to switch to release B',
      );
      const atB = (await getScripts(w.dev)).body;
      // Other reloads (if the watcher split the checkout) would have switched some scripts only.
      const switching = logged(w, 'scripts.reloaded').filter((l) => Array.isArray(l.changed) && l.changed.length > 0);
      expect(switching).toHaveLength(1);
      expect(switching[0]?.changed).toHaveLength(FILES);
      expect(switching[0]).toMatchObject({ trigger: 'watch', commit: releaseB, added: [], removed: [], invalid: [] });
      expect(atB.git).toMatchObject({ commit: releaseB });
      for (const s of atB.scripts) expect(s.git).toEqual({ tracked: true, modified: false, liveMatchesCommit: true });

      const call = ringInteractive(w.dev, number(7));
      await atGather(call);
      call.act({ type: 'press', digits: '1' });
      await call.ended;
      expect(spoken(call)[0]).toEqual(['gather', 'Release B line 7. Press 1 to finish.']);

      // A hot fix on the server, not committed: live, and flagged as differing from the commit.
      const hotfix = fileOf(dir, 3);
      const before = entry(atB, 'line-03')?.version;
      await writeFile(hotfix, menuScript({ number: number(3), label: 'Hot fix' }));
      await until(() => Promise.resolve(w.dev.scripts.current('line-03')?.version), (v) => v !== before, 'the hot fix to go live');
      const patched = entry((await getScripts(w.dev)).body, 'line-03');
      expect(patched?.git).toEqual({ tracked: true, modified: true, liveMatchesCommit: false });

      // An invalid edit: the file differs from the commit, but what is live is still the commit's version.
      const other = fileOf(dir, 4);
      await writeFile(other, 'steps: [broken\n');
      await until(() => Promise.resolve(logged(w, 'scripts.invalid')), (l) => l.some((x) => x.file === other), 'the invalid edit to be seen');
      const broken = entry((await getScripts(w.dev)).body, 'line-04');
      expect(broken?.status).toBe('error');
      expect(broken?.git).toEqual({ tracked: true, modified: true, liveMatchesCommit: true });
      expect(entry((await getScripts(w.dev)).body, 'line-05')?.git).toEqual({ tracked: true, modified: false, liveMatchesCommit: true });
    } finally {
      await w.close();
    }
  });

  it('outside a git work tree, or with git info off, /scripts says git: null and reloads still work', async () => {
    const plain = await tempDir();
    await writeFile(join(plain, 'a.yaml'), menuScript({ number: '+6560000301', label: 'A' }));
    const outside = await startWatched(plain);
    try {
      const { body } = await getScripts(outside.dev);
      expect(body.git).toBeNull();
      expect(body.scripts[0]).toMatchObject({ status: 'ok' });
      expect(body.scripts[0]?.git).toBeUndefined();
    } finally {
      await outside.close();
    }

    const repo = await tempDir('callscript-git-');
    await git(repo, 'init', '-q');
    await writeFile(join(repo, 'b.yaml'), menuScript({ number: '+6560000302', label: 'B' }));
    const off = await startWatched(repo, { git: false });
    try {
      await writeFile(join(repo, 'b.yaml'), menuScript({ number: '+6560000302', label: 'B2' }));
      const reloaded = await until(async () => (await getScripts(off.dev)).body, (c) => c.reloads === 2, 'the edit to be reloaded');
      expect(reloaded.git).toBeNull();
      expect(reloaded.scripts[0]?.git).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
