/**
 * Loads script files the way a server loading their folders would, and
 * reports on those files: what a pre-commit hook, which is given the files
 * changed, needs. The checks across files (a script name or number used
 * twice, `call:` naming a loaded script, calls that go round) see every
 * script of each file's folder, in the folder's load order, so a changed file
 * that calls an unchanged one is not refused, and one that takes a number
 * another file already has is. A file not given is reported only for those
 * checks: a change can make another file fail to load (the later of two files
 * claiming one number is the one refused; a renamed script leaves its callers
 * calling nothing); its own problems are not what is being committed.
 */
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../script/diagnostic.js';
import { listScriptFiles, loadScripts, type LoadOptions, type LoadResult } from './load.js';

/** The codes of the checks across files. */
const ACROSS_FILES: ReadonlySet<string> = new Set(['CS_DUPLICATE_NAME', 'CS_DUPLICATE_SCRIPT_NUMBER', 'CS_UNKNOWN_SCRIPT', 'CS_CALL_CYCLE']);

export async function loadInFolderContext(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const problems: Diagnostic[] = [];
  const targets = await listScriptFiles(paths, problems);
  const wanted = new Set(targets.map((file) => resolve(file)));
  const folders = new Map<string, { readonly dir: string; readonly files: string[] }>();
  for (const file of targets) {
    const dir = dirname(file);
    const key = resolve(dir);
    const folder = folders.get(key) ?? { dir, files: [] };
    folder.files.push(file);
    folders.set(key, folder);
  }
  const loads = await Promise.all(
    [...folders.values()].map(async ({ dir, files }) => {
      const inFolder = await listScriptFiles([dir], problems);
      const listed = new Set(inFolder.map((file) => resolve(file)));
      // A file the folder would not load (a *.test.yaml named on purpose) is checked after the folder's own.
      return loadScripts([...inFolder, ...files.filter((file) => !listed.has(resolve(file)))], options);
    }),
  );
  const mine = (file: string | undefined): boolean => file !== undefined && wanted.has(resolve(file));
  return {
    scripts: loads.flatMap((load) => load.scripts.filter((script) => mine(script.file))),
    diagnostics: [...problems, ...loads.flatMap((load) => load.diagnostics.filter((d) => mine(d.file) || ACROSS_FILES.has(d.code)))],
    files: targets,
  };
}
