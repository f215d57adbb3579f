/**
 * What git says about a scripts folder, so `/scripts` can tell an operator
 * what is live: the commit checked out, and per file whether the file and the
 * live version match that commit. Every git call has a timeout, and git being
 * missing or the folder not being a work tree just means "no git info": it
 * never fails a reload or a request.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';

export interface GitTree {
  /** The work tree's top folder. */
  readonly root: string;
  /** `git rev-parse HEAD`; null in a repository without commits. */
  readonly commit: string | null;
  /** The branch checked out; null when HEAD is detached (e.g. a checked-out tag or commit). */
  readonly branch: string | null;
}

export interface GitFileInfo {
  /** The file is in the HEAD commit. */
  readonly tracked: boolean;
  /** The file on disk differs from HEAD (edited, added, deleted or untracked): `git status --porcelain`. */
  readonly modified: boolean;
  /** The blob id of the file in HEAD, if tracked. */
  readonly headBlob: string | null;
}

const GIT_TIMEOUT_MS = 2_000;

function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((done) => {
    execFile(
      'git',
      [...args],
      { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
      (err, stdout) => done(err ? undefined : stdout),
    );
  });
}

/** The work tree `dir` is in, or undefined (not a work tree, git missing, too slow). */
export async function gitTree(dir: string): Promise<GitTree | undefined> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  if (top === undefined || top.trim() === '') return undefined;
  const [commit, branch] = await Promise.all([git(dir, ['rev-parse', '--verify', '-q', 'HEAD']), git(dir, ['symbolic-ref', '-q', '--short', 'HEAD'])]);
  return {
    root: top.trim(),
    commit: commit?.trim() || null,
    branch: branch?.trim() || null,
  };
}

/** The id git gives a blob with this content, to compare a live version with HEAD's file without asking git. */
export function gitBlobId(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Per absolute file path: tracked in HEAD, modified on disk, HEAD's blob id. Files outside the tree are left out. */
export async function gitFileInfo(tree: GitTree, files: readonly string[]): Promise<Map<string, GitFileInfo>> {
  const info = new Map<string, GitFileInfo>();
  // git reports the real path of the tree; the files may be named through a symlink (e.g. macOS's /tmp).
  const real = async (file: string): Promise<string> => realpath(file).catch(() => resolve(file));
  const root = await real(tree.root);
  const inTree = (await Promise.all(files.map(async (file) => ({ file: resolve(file), path: relative(root, await real(file)).split(sep).join('/') }))))
    .filter((f) => f.path !== '' && !f.path.startsWith('../'));
  if (inTree.length === 0) return info;
  const paths = inTree.map((f) => f.path);
  const [listed, status] = await Promise.all([
    tree.commit !== null ? git(tree.root, ['ls-tree', '-z', 'HEAD', '--', ...paths]) : Promise.resolve(''),
    git(tree.root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths]),
  ]);
  if (listed === undefined || status === undefined) return info;
  const blobs = new Map<string, string>();
  for (const entry of listed.split('\0')) {
    // "<mode> blob <id>\t<path>"
    const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (match?.[1] !== undefined && match[2] !== undefined) blobs.set(match[2], match[1]);
  }
  const changed = new Set<string>();
  const records = status.split('\0');
  for (let i = 0; i < records.length; i++) {
    const record = records[i] ?? '';
    if (record.length < 4) continue;
    changed.add(record.slice(3));
    // A rename or copy is followed by its source path.
    if (record[0] === 'R' || record[0] === 'C') changed.add(records[++i] ?? '');
  }
  for (const f of inTree) {
    const blob = blobs.get(f.path) ?? null;
    info.set(f.file, { tracked: blob !== null, modified: changed.has(f.path), headBlob: blob });
  }
  return info;
}
