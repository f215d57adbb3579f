/** The file watcher on a real folder: which changes wake it (chokidar, real file system events). */
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchScripts, type ScriptWatcher } from '../../src/reload/watcher.js';
import { saveByRename, tempDir, until } from './helpers.js';

const open: ScriptWatcher[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function watched(paths: (dir: string) => string[]): Promise<{ dir: string; count: () => number }> {
  const dir = await tempDir('callscript-watch-');
  dirs.push(dir);
  await writeFile(join(dir, 'a.yaml'), 'steps: {}\n');
  let n = 0;
  const w = await watchScripts(paths(dir), () => n++, { quietMs: 30, maxWaitMs: 200 });
  open.push(w);
  await w.ready;
  return { dir, count: () => n };
}

const grows = (count: () => number, from: number, what: string) => until(() => Promise.resolve(count()), (n) => n > from, what);

describe('watchScripts', () => {
  // The quiet time here (30 ms) is shorter than chokidar's 50 ms throttle of `change` events, so each
  // save below lands inside the throttle of the one before: only the unthrottled raw events see it.
  it('a folder: in-place saves, save-by-rename, new, renamed and deleted script files each wake it', async () => {
    const { dir, count } = await watched((d) => [d]);
    await writeFile(join(dir, 'a.yaml'), 'steps: { a: { hangup: A. } }\n');
    await grows(count, 0, 'an in-place save');
    let seen = count();
    await saveByRename(join(dir, 'a.yaml'), 'steps: { a: { hangup: B. } }\n');
    await grows(count, seen, 'a save by rename');
    seen = count();
    await writeFile(join(dir, 'b.yml'), 'steps: {}\n');
    await grows(count, seen, 'a new file');
    seen = count();
    await rename(join(dir, 'b.yml'), join(dir, 'c.yaml'));
    await grows(count, seen, 'a rename');
    seen = count();
    await rm(join(dir, 'c.yaml'));
    await grows(count, seen, 'a deletion');
  });

  it('a single file: saving it by rename wakes it', async () => {
    const { dir, count } = await watched((d) => [join(d, 'a.yaml')]);
    await saveByRename(join(dir, 'a.yaml'), 'steps: { a: { hangup: C. } }\n');
    await grows(count, 0, 'the watched file to be saved');
    expect(count()).toBeGreaterThan(0);
  });
});
