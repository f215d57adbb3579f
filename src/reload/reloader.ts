/**
 * Hot reload: re-reads a scripts folder and swaps what serves new calls,
 * without touching calls in progress (they stay on their pinned version).
 *
 * - Validate before swapping, per file: a file that does not compile keeps its
 *   last good version serving, and its diagnostics stay visible (log and
 *   `/scripts`) until it is fixed.
 * - Names and numbers stay unique across files; the file that held one keeps it
 *   (see conflicts.ts).
 * - `call:` steps are checked across files as at start-up (call-checks.ts): a set
 *   in which a script calls one that is gone, renamed or invalid, or calls go
 *   round, is refused as a whole. Nothing of it goes live (each file keeps the
 *   version it served, a deleted one included), and the diagnostics say why.
 * - A deleted file's script stops taking new calls; its calls finish.
 * - Reloads never overlap: one asked for during another runs right after it.
 * - A folder that cannot be listed aborts the reload and keeps everything as it
 *   was (a folder briefly missing must not take every number off the air).
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ProviderCapabilities } from '../engine/capabilities.js';
import type { Logger } from '../log/logger.js';
import type { ScriptRegistry } from '../runtime/script-registry.js';
import { checkCalls, type CallSite } from '../script/call-checks.js';
import { compileDetailed, nameFromFile, scriptVersion } from '../script/compile.js';
import { ScriptEncodingError, readScriptFile } from '../script-files/encoding.js';
import { formatDiagnostic, type Diagnostic } from '../script/diagnostic.js';
import { listScriptFiles } from '../script-files/load.js';
import type { Script } from '../script/model.js';
import type { PositionIndex } from '../script/positions.js';
import { sortDiagnostics } from '../script/report.js';
import type { CatalogSource, ScriptCatalog, ScriptEntry } from './catalog.js';
import { resolveConflicts, type Candidate } from './conflicts.js';
import { gitBlobId, gitFileInfo, gitTree, type GitFileInfo, type GitTree } from './git-info.js';
import { watchScripts, type ScriptWatcher, type WatchOptions } from './watcher.js';

export type ReloadTrigger = 'initial' | 'watch' | 'signal' | 'manual';

export interface ReloaderOptions {
  /** Folders (or files) of scripts, as given to the server. */
  readonly paths: readonly string[];
  readonly registry: ScriptRegistry;
  readonly log: Logger;
  readonly now?: () => number;
  /** Ask git about the folder for `/scripts` and the log (default true). */
  readonly git?: boolean;
  /** Told about every reload once it is done (metrics). Must not throw. */
  readonly onReload?: (report: ReloadReport) => void;
  /** Check scripts against this provider's capabilities: an edit that needs what it lacks is invalid like any other. */
  readonly provider?: ProviderCapabilities;
}

type Compiled =
  | { readonly ok: true; readonly script: Script; readonly warnings: Diagnostic[]; readonly index?: PositionIndex }
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly name: string };

interface FileRecord {
  readonly file: string;
  /** Content hash of the text on disk; null when it could not be read. */
  readonly diskVersion: string | null;
  readonly compiled: Compiled;
  /** The version serving new calls from this file. */
  readonly live?: Script;
  readonly status: 'ok' | 'error';
  readonly diagnostics: Diagnostic[];
}

export interface ReloadReport {
  readonly trigger: ReloadTrigger;
  readonly ms: number;
  readonly added: Array<{ file: string; name: string; version: string }>;
  readonly changed: Array<{ file: string; name: string; from: string; to: string; previousName?: string; callsOnOld: number }>;
  readonly removed: Array<{ file: string; name: string; version: string; callsOnOld: number }>;
  readonly renamed: Array<{ from: string; to: string; name: string; version: string }>;
  /** Files that do not validate, with the version that keeps serving (null: none). */
  readonly invalid: Array<{ file: string; name: string; serving: string | null; diagnostics: Diagnostic[] }>;
  /** Files that were invalid before this reload and validate now. */
  readonly fixed: string[];
  readonly unchanged: number;
  /** Set when the reload was abandoned and nothing changed. */
  readonly aborted?: string;
  /** Set when the files' `call:` steps do not hold together: nothing changed; these say why. */
  readonly refused?: Diagnostic[];
}

/** The script name a file that does not compile would have, for `/scripts` and the log. */
function guessName(text: string, file: string): string {
  try {
    const name: unknown = parseDocument(text).get('name');
    if (typeof name === 'string' && name !== '') return name;
  } catch {
    // fall back to the file name
  }
  return nameFromFile(file);
}

function versionKey(script: Script): string {
  return `${script.name}@${script.version}`;
}

export class ScriptReloader implements CatalogSource {
  private records = new Map<string, FileRecord>();
  private readonly loadedAt = new Map<string, number>();
  private readonly knownDirs = new Set<string>();
  private readonly now: () => number;
  private reloads = 0;
  private lastReload: number | undefined;
  private watcher: ScriptWatcher | undefined;
  private running: Promise<ReloadReport> | undefined;
  private queued: Promise<ReloadReport> | undefined;
  private closed = false;

  constructor(private readonly o: ReloaderOptions) {
    this.now = o.now ?? Date.now;
  }

  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Starts watching the folders; resolves once the watcher is ready. */
  async watch(options: WatchOptions = {}): Promise<void> {
    if (this.watcher !== undefined || this.closed) return;
    this.watcher = await watchScripts(this.o.paths, () => void this.reload('watch'), {
      onError: (err) => this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'scripts.watch_error'),
      ...options,
    });
    await this.watcher.ready;
  }

  /** Reloads now (or right after a reload in progress). Never rejects: failures are logged and reported. */
  reload(trigger: ReloadTrigger = 'manual'): Promise<ReloadReport> {
    if (this.running === undefined) {
      this.running = this.run(trigger).finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.reload(trigger);
    });
    return this.queued;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.close();
    this.watcher = undefined;
    await this.running;
  }

  private async run(trigger: ReloadTrigger): Promise<ReloadReport> {
    const started = this.now();
    let report: ReloadReport;
    try {
      report = await this.apply(trigger, started);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.o.log.error({ trigger, err: reason }, 'scripts.reload_failed');
      report = this.emptyReport(trigger, started, reason);
    }
    this.o.onReload?.(report);
    return report;
  }

  private emptyReport(trigger: ReloadTrigger, started: number, aborted: string): ReloadReport {
    return { trigger, ms: this.now() - started, added: [], changed: [], removed: [], renamed: [], invalid: [], fixed: [], unchanged: this.records.size, aborted };
  }

  /** Folders that were there and cannot be listed now abort the reload. */
  private async unreadableFolder(): Promise<string | undefined> {
    for (const path of this.o.paths) {
      try {
        if ((await stat(path)).isDirectory()) this.knownDirs.add(resolve(path));
      } catch (err) {
        if (this.knownDirs.has(resolve(path))) return `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    return undefined;
  }

  /** Who holds each name and number now, by file as listed in `files`. */
  private holders(files: readonly string[]): { names: Map<string, string>; numbers: Map<string, string> } {
    const names = new Map<string, string>();
    const numbers = new Map<string, string>();
    const claim = (file: string, script: Script): void => {
      names.set(script.name, file);
      for (const n of script.numbers) numbers.set(n, file);
    };
    if (this.reloads === 0) {
      // Before the first reload, what the server was started with holds them.
      const listed = new Map(files.map((f) => [resolve(f), f]));
      for (const script of this.o.registry.list()) {
        if (script.file !== undefined) claim(listed.get(resolve(script.file)) ?? script.file, script);
      }
    } else {
      for (const r of this.records.values()) if (r.live) claim(r.file, r.live);
    }
    return { names, numbers };
  }

  private async apply(trigger: ReloadTrigger, started: number): Promise<ReloadReport> {
    if (this.closed) return this.emptyReport(trigger, started, 'closed');
    const unreadable = await this.unreadableFolder();
    if (unreadable !== undefined) {
      this.o.log.error({ trigger, reason: unreadable }, 'scripts.reload_failed');
      return this.emptyReport(trigger, started, unreadable);
    }
    const files = await listScriptFiles(this.o.paths, []);
    const before = this.records;
    // The server's start-up scripts count as this file's last good version on the first reload.
    const startedWith = new Map(this.o.registry.list().filter((s) => s.file !== undefined).map((s) => [resolve(s.file ?? ''), s]));
    const previousLive = (file: string): Script | undefined =>
      this.reloads === 0 ? startedWith.get(resolve(file)) : before.get(file)?.live;

    const read = await Promise.all(
      files.map(async (file) => {
        try {
          return { file, text: await readScriptFile(file) };
        } catch (err) {
          return { file, err };
        }
      }),
    );

    const compiledByFile = new Map<string, { diskVersion: string | null; compiled: Compiled }>();
    const candidates: Candidate[] = [];
    for (const entry of read) {
      const { file } = entry;
      if ('err' in entry) {
        if (entry.err instanceof Error && 'code' in entry.err && entry.err.code === 'ENOENT') continue; // deleted meanwhile
        const message = `cannot read ${file}: ${entry.err instanceof Error ? entry.err.message : String(entry.err)}`;
        const diagnostic: Diagnostic =
          entry.err instanceof ScriptEncodingError ? entry.err.diagnostic() : { code: 'CS_FILE', severity: 'error', message, file, line: 1, column: 1, path: '' };
        compiledByFile.set(file, { diskVersion: null, compiled: { ok: false, name: nameFromFile(file), diagnostics: [diagnostic] } });
      } else {
        const diskVersion = scriptVersion(entry.text);
        const old = before.get(file);
        let compiled: Compiled;
        if (old !== undefined && old.diskVersion === diskVersion) {
          compiled = old.compiled;
        } else {
          const { result, index } = compileDetailed(entry.text, { file, ...(this.o.provider !== undefined ? { provider: this.o.provider } : {}) });
          compiled = result.ok
            ? { ok: true, script: result.script, warnings: result.warnings, ...(index !== undefined ? { index } : {}) }
            : { ok: false, diagnostics: result.diagnostics, name: guessName(entry.text, file) };
        }
        compiledByFile.set(file, { diskVersion, compiled });
      }
      const { compiled } = compiledByFile.get(file) ?? {};
      const last = previousLive(file);
      if (compiled?.ok) {
        candidates.push({ file, script: compiled.script, ...(compiled.index ? { index: compiled.index } : {}), ...(last ? { fallback: last } : {}) });
      } else if (last !== undefined) {
        candidates.push({ file, script: last, lastGood: true });
      }
    }

    const { serving, conflicts } = resolveConflicts(candidates, this.holders(files));
    const crossFile = checkCalls(
      [...serving].map(([file, script]): CallSite => {
        const compiled = compiledByFile.get(file)?.compiled;
        // Positions only for what is on disk: a last good version's text is not there any more.
        const index = compiled?.ok === true && compiled.script.version === script.version ? compiled.index : undefined;
        return { script, file, ...(index !== undefined ? { index } : {}) };
      }),
    );
    if (crossFile.size > 0) {
      const previousFiles = this.reloads === 0 ? [...startedWith.values()].map((s) => s.file ?? '') : [...before.keys()];
      return this.refuse(trigger, started, { compiledByFile, serving, conflicts, crossFile, previousFiles, previousLive });
    }
    const records = new Map<string, FileRecord>();
    for (const [file, { diskVersion, compiled }] of compiledByFile) {
      const live = serving.get(file);
      const clash = conflicts.get(file) ?? [];
      const own = compiled.ok ? compiled.warnings : compiled.diagnostics;
      const fresh = compiled.ok && live !== undefined && live.version === compiled.script.version && clash.length === 0;
      records.set(file, {
        file,
        diskVersion,
        compiled,
        ...(live ? { live } : {}),
        status: fresh ? 'ok' : 'error',
        diagnostics: sortDiagnostics([...own, ...clash]),
      });
    }

    this.o.registry.replace([...records.values()].flatMap((r) => (r.live ? [r.live] : [])));
    const at = this.now();
    for (const r of records.values()) if (r.live && !this.loadedAt.has(versionKey(r.live))) this.loadedAt.set(versionKey(r.live), at);
    const held = new Set(this.o.registry.held().map((h) => versionKey(h.script)));
    for (const key of [...this.loadedAt.keys()]) if (!held.has(key)) this.loadedAt.delete(key);

    const previousFiles = this.reloads === 0 ? [...startedWith.values()].map((s) => s.file ?? '') : [...before.keys()];
    const report = this.describe(trigger, started, previousFiles, before, records, previousLive);
    this.records = records;
    this.reloads++;
    this.lastReload = at;
    await this.logReport(report);
    return report;
  }

  /**
   * Keeps every file on the version it served (none for a file that never served),
   * with the cross-file diagnostics on the files they concern and, on each file whose
   * change is held back by them, a note saying so.
   */
  private async refuse(
    trigger: ReloadTrigger,
    started: number,
    o: {
      readonly compiledByFile: ReadonlyMap<string, { diskVersion: string | null; compiled: Compiled }>;
      readonly serving: ReadonlyMap<string, Script>;
      readonly conflicts: ReadonlyMap<string, Diagnostic[]>;
      readonly crossFile: ReadonlyMap<string, Diagnostic[]>;
      readonly previousFiles: readonly string[];
      readonly previousLive: (file: string) => Script | undefined;
    },
  ): Promise<ReloadReport> {
    const problems = sortDiagnostics([...o.crossFile.values()].flat());
    const shown = problems.slice(0, 3).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);
    const why = `${shown.join(', ')}${problems.length > shown.length ? `, and ${problems.length - shown.length} more` : ''}`;
    const listed = new Set([...o.compiledByFile.keys()].map((f) => resolve(f)));
    const files = [...o.compiledByFile.keys(), ...o.previousFiles.filter((f) => f !== '' && !listed.has(resolve(f)))];
    const records = new Map<string, FileRecord>();
    for (const file of files) {
      const entry = o.compiledByFile.get(file);
      const live = o.previousLive(file);
      const own = entry === undefined ? [] : entry.compiled.ok ? entry.compiled.warnings : entry.compiled.diagnostics;
      const found = [...own, ...(o.conflicts.get(file) ?? []), ...(o.crossFile.get(file) ?? [])];
      const heldBack = o.serving.get(file)?.version !== live?.version || o.serving.get(file)?.name !== live?.name;
      if (heldBack && !found.some((d) => d.severity === 'error')) {
        const change = entry === undefined ? 'the deletion of this file' : live === undefined ? 'this file' : 'this version';
        found.push({
          code: 'CS_RELOAD_REFUSED',
          severity: 'error',
          message: `${change} is not live: the scripts' calls do not hold together (${why}), so the reload was refused as a whole${live !== undefined ? ' and the version before it keeps serving' : ''}`,
          file,
          line: 1,
          column: 1,
          path: '',
        });
      }
      const compiled: Compiled = entry?.compiled ?? { ok: false, name: live?.name ?? nameFromFile(file), diagnostics: [] };
      const fresh = live !== undefined && compiled.ok && compiled.script.version === live.version && !found.some((d) => d.severity === 'error');
      records.set(file, {
        file,
        diskVersion: entry?.diskVersion ?? null,
        compiled,
        ...(live !== undefined ? { live } : {}),
        status: fresh ? 'ok' : 'error',
        diagnostics: sortDiagnostics(found),
      });
    }
    const invalid: ReloadReport['invalid'] = [...records.values()]
      .filter((r) => r.status === 'error')
      .map((r) => ({
        file: r.file,
        name: r.live?.name ?? (r.compiled.ok ? r.compiled.script.name : r.compiled.name),
        serving: r.live?.version ?? null,
        diagnostics: r.diagnostics.filter((d) => d.severity === 'error'),
      }));
    this.records = records;
    this.reloads++;
    this.lastReload = this.now();
    const report: ReloadReport = { trigger, ms: this.now() - started, added: [], changed: [], removed: [], renamed: [], invalid, fixed: [], unchanged: records.size, refused: problems };
    await this.logReport(report);
    return report;
  }

  private describe(
    trigger: ReloadTrigger,
    started: number,
    previousFiles: readonly string[],
    before: ReadonlyMap<string, FileRecord>,
    after: ReadonlyMap<string, FileRecord>,
    previousLive: (file: string) => Script | undefined,
  ): ReloadReport {
    const calls = (s: Script): number => this.o.registry.callsOn(s.name, s.version);
    let added: ReloadReport['added'] = [];
    const changed: ReloadReport['changed'] = [];
    let removed: ReloadReport['removed'] = [];
    const invalid: ReloadReport['invalid'] = [];
    const fixed: string[] = [];
    let unchanged = 0;
    // A start-up script's file may be listed under another spelling of its path: match by resolved path.
    const listed = new Set([...after.keys()].map((f) => resolve(f)));
    const files = [...after.keys(), ...previousFiles.filter((f) => !listed.has(resolve(f)))];
    for (const file of files) {
      const old = previousLive(file);
      const r = after.get(file);
      const now = r?.live;
      if (old === undefined && now !== undefined) added.push({ file, name: now.name, version: now.version });
      else if (old !== undefined && now === undefined) removed.push({ file, name: old.name, version: old.version, callsOnOld: calls(old) });
      else if (old !== undefined && now !== undefined && versionKey(old) !== versionKey(now)) {
        changed.push({ file, name: now.name, from: old.version, to: now.version, ...(old.name !== now.name ? { previousName: old.name } : {}), callsOnOld: calls(old) });
      } else if (r !== undefined) unchanged++;
      if (r?.status === 'error') {
        const name = r.live?.name ?? (r.compiled.ok ? r.compiled.script.name : r.compiled.name);
        invalid.push({ file, name, serving: r.live?.version ?? null, diagnostics: r.diagnostics.filter((d) => d.severity === 'error') });
      } else if (before.get(file)?.status === 'error' && r?.status === 'ok') fixed.push(file);
    }
    // A file renamed without other changes: one entry instead of an addition and a removal.
    const renamed: ReloadReport['renamed'] = [];
    for (const gone of removed) {
      const match = added.find((a) => a.name === gone.name && a.version === gone.version);
      if (match === undefined) continue;
      renamed.push({ from: gone.file, to: match.file, name: gone.name, version: gone.version });
      added = added.filter((a) => a !== match);
    }
    removed = removed.filter((g) => !renamed.some((x) => x.from === g.file));
    return { trigger, ms: this.now() - started, added, changed, removed, renamed, invalid, fixed, unchanged };
  }

  private async logReport(report: ReloadReport): Promise<void> {
    const { log } = this.o;
    if (report.refused !== undefined) {
      log.warn({ trigger: report.trigger, errors: report.refused.length, diagnostics: report.refused.map(formatDiagnostic) }, 'scripts.reload_refused');
    }
    for (const bad of report.invalid) {
      log.warn(
        {
          file: bad.file,
          script: bad.name,
          serving: bad.serving,
          errors: bad.diagnostics.length,
          diagnostics: bad.diagnostics.map(formatDiagnostic),
        },
        'scripts.invalid',
      );
    }
    const tree = this.o.git === false ? undefined : await gitTree(this.gitDir());
    const callsOnOld = [...report.changed, ...report.removed].reduce((n, c) => n + c.callsOnOld, 0);
    log.info(
      {
        trigger: report.trigger,
        added: report.added,
        changed: report.changed,
        removed: report.removed,
        renamed: report.renamed,
        invalid: report.invalid.map((i) => ({ file: i.file, script: i.name, serving: i.serving })),
        fixed: report.fixed,
        ...(report.refused !== undefined ? { refused: true } : {}),
        unchanged: report.unchanged,
        callsOnOld,
        scripts: this.o.registry.list().length,
        ...(tree?.commit ? { commit: tree.commit } : {}),
        ms: report.ms,
      },
      report.trigger === 'initial' ? 'scripts.loaded' : 'scripts.reloaded',
    );
  }

  private gitDir(): string {
    const first = this.o.paths[0] ?? '.';
    return this.knownDirs.has(resolve(first)) ? first : dirname(first);
  }

  async catalog(): Promise<ScriptCatalog> {
    const { registry } = this.o;
    const held = registry.held();
    const records = [...this.records.values()];
    let tree: GitTree | undefined;
    let files = new Map<string, GitFileInfo>();
    if (this.o.git !== false) {
      tree = await gitTree(this.gitDir());
      if (tree !== undefined) files = await gitFileInfo(tree, records.map((r) => r.file));
    }
    const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
    const scripts = records.map((r): ScriptEntry => {
      const name = r.live?.name ?? (r.compiled.ok ? r.compiled.script.name : r.compiled.name);
      const git = files.get(resolve(r.file));
      return {
        name,
        file: r.file,
        status: r.status,
        version: r.live?.version ?? null,
        loadedAt: r.live ? iso(this.loadedAt.get(versionKey(r.live))) : null,
        numbers: r.live?.numbers ?? [],
        calls: r.live ? registry.callsOn(r.live.name, r.live.version) : 0,
        versions: held
          .filter((h) => h.script.name === name)
          .map((h) => ({ version: h.script.version, current: h.current, calls: h.calls, loadedAt: iso(this.loadedAt.get(versionKey(h.script))) })),
        diskVersion: r.diskVersion,
        diagnostics: r.diagnostics,
        ...(git !== undefined
          ? { git: { tracked: git.tracked, modified: git.modified, liveMatchesCommit: r.live !== undefined && git.headBlob === gitBlobId(r.live.source) } }
          : {}),
      };
    });
    const names = new Set(scripts.map((s) => s.name));
    const retired = held
      .filter((h) => !h.current && !names.has(h.script.name))
      .map((h) => ({ name: h.script.name, file: h.script.file ?? null, version: h.script.version, calls: h.calls }));
    return {
      watching: this.watching,
      paths: this.o.paths,
      reloads: this.reloads,
      lastReload: iso(this.lastReload),
      git: tree ?? null,
      scripts,
      retired,
    };
  }
}
