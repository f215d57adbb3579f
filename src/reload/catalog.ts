/**
 * What `GET /scripts` answers: every script file, what serves its calls, and
 * how many calls run on each version still held.
 */
import type { Diagnostic } from '../script/diagnostic.js';
import type { ScriptRegistry } from '../runtime/script-registry.js';
import type { GitTree } from './git-info.js';

export interface VersionInfo {
  readonly version: string;
  /** True for the version new calls get. */
  readonly current: boolean;
  /** Calls of this process running on it. */
  readonly calls: number;
  readonly loadedAt: string | null;
}

export interface ScriptEntry {
  readonly name: string;
  /** The file, as the server was given it; null for a script not loaded from a file. */
  readonly file: string | null;
  /** `ok`: the file on disk is what serves. `error`: it does not validate; its last good version (if any) serves. */
  readonly status: 'ok' | 'error';
  /** The content hash of the version new calls get; null when the file never validated. */
  readonly version: string | null;
  readonly loadedAt: string | null;
  readonly numbers: readonly string[];
  /** Calls on `version`. */
  readonly calls: number;
  /** Every version held for this script: the current one and older ones calls still run on. */
  readonly versions: readonly VersionInfo[];
  /** Content hash of the text on disk (differs from `version` while the file is invalid). */
  readonly diskVersion: string | null;
  /** Errors keeping the file from serving, and warnings. */
  readonly diagnostics: readonly Diagnostic[];
  /** When the folder is in a git work tree. */
  readonly git?: {
    readonly tracked: boolean;
    /** The file on disk differs from the commit checked out. */
    readonly modified: boolean;
    /** The version serving new calls is exactly the file in the commit checked out. */
    readonly liveMatchesCommit: boolean;
  };
}

export interface ScriptCatalog {
  /** True when files are watched for changes. */
  readonly watching: boolean;
  readonly paths: readonly string[];
  readonly reloads: number;
  readonly lastReload: string | null;
  readonly git: GitTree | null;
  readonly scripts: readonly ScriptEntry[];
  /** Versions of scripts no longer loaded (file deleted or renamed) that calls still run on. */
  readonly retired: ReadonlyArray<{ readonly name: string; readonly file: string | null; readonly version: string; readonly calls: number }>;
}

export interface CatalogSource {
  catalog(): Promise<ScriptCatalog>;
}

/** For a server started without a reloader: what the registry holds, all `ok`. */
export function registryCatalog(registry: ScriptRegistry): CatalogSource {
  return {
    catalog: () => {
      const held = registry.held();
      const scripts = registry.list().map((s): ScriptEntry => {
        const versions = held
          .filter((h) => h.script.name === s.name)
          .map((h) => ({ version: h.script.version, current: h.current, calls: h.calls, loadedAt: null }));
        return {
          name: s.name,
          file: s.file ?? null,
          status: 'ok',
          version: s.version,
          loadedAt: null,
          numbers: s.numbers,
          calls: registry.callsOn(s.name, s.version),
          versions,
          diskVersion: null,
          diagnostics: [],
        };
      });
      const names = new Set(scripts.map((s) => s.name));
      const retired = held
        .filter((h) => !names.has(h.script.name))
        .map((h) => ({ name: h.script.name, file: h.script.file ?? null, version: h.script.version, calls: h.calls }));
      return Promise.resolve({ watching: false, paths: [], reloads: 0, lastReload: null, git: null, scripts, retired });
    },
  };
}
