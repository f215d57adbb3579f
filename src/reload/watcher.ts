/**
 * Watches script folders (or single script files) for saves, including
 * editors' save-by-rename, new, deleted and renamed files; bursts are
 * debounced into one callback. Only script files count: `.git`, editor swap
 * files and `*.test.yaml` are ignored.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isScriptFileName } from '../script-files/load.js';
import { Debouncer } from './debounce.js';

export interface WatchOptions {
  /** Quiet time that ends a burst of events (ms). */
  readonly quietMs?: number;
  /** Longest a burst may delay the callback (ms). */
  readonly maxWaitMs?: number;
  /** Called with the watcher's errors (they do not stop it). */
  readonly onError?: (err: unknown) => void;
}

export const DEFAULT_QUIET_MS = 150;
export const DEFAULT_MAX_WAIT_MS = 600;

export interface ScriptWatcher {
  /** Resolves once the initial scan is done and changes are being seen. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

interface Target {
  /** The directory chokidar watches. */
  readonly dir: string;
  /** For a single file: its base name; for a folder: every script file in it counts. */
  readonly only?: string;
}

async function targetOf(path: string): Promise<Target> {
  const absolute = resolve(path);
  try {
    if ((await stat(absolute)).isDirectory()) return { dir: absolute };
  } catch {
    // A file that does not exist yet is watched for by name in its folder.
  }
  return { dir: dirname(absolute), only: basename(absolute) };
}

export async function watchScripts(paths: readonly string[], onChange: () => void, options: WatchOptions = {}): Promise<ScriptWatcher> {
  const targets = await Promise.all(paths.map(targetOf));
  const dirs = new Map<string, Target[]>();
  for (const t of targets) dirs.set(t.dir, [...(dirs.get(t.dir) ?? []), t]);
  const counts = (path: string): boolean => {
    const dir = dirname(path);
    const name = basename(path);
    return (dirs.get(dir) ?? []).some((t) => (t.only !== undefined ? t.only === name : isScriptFileName(name)));
  };
  const anyCounts = (name: string): boolean =>
    [...dirs.values()].some((targets) => targets.some((t) => (t.only !== undefined ? t.only === name : isScriptFileName(name))));

  const debouncer = new Debouncer(onChange, options.quietMs ?? DEFAULT_QUIET_MS, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  const watcher: FSWatcher = watch([...dirs.keys()], {
    ignoreInitial: true,
    depth: 0,
    // Save-by-rename (write a temp file, rename it over the original) arrives as one change.
    atomic: true,
    ignored: (path, stats) => {
      const absolute = resolve(path);
      if (dirs.has(absolute)) return false;
      if (stats?.isDirectory()) return true;
      return !counts(absolute);
    },
  });
  watcher.on('all', (_event, path) => {
    if (counts(resolve(path))) debouncer.trigger();
  });
  // chokidar drops a file's `change` events for 50 ms after one it emitted, with no
  // trailing event: a second save that soon would go unseen if a reload had already
  // read the file. The raw file-system events are not throttled.
  watcher.on('raw', (_event, path) => {
    if (typeof path === 'string' && anyCounts(basename(path))) debouncer.trigger();
  });
  watcher.on('error', (err) => options.onError?.(err));
  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));
  return {
    ready,
    close: async () => {
      debouncer.cancel();
      await watcher.close();
    },
  };
}
