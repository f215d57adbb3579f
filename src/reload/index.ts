/** Hot reload of script folders: watcher, reload orchestration, per-file status, git info. */
export { registryCatalog, type CatalogSource, type ScriptCatalog, type ScriptEntry, type VersionInfo } from './catalog.js';
export { resolveConflicts, type Candidate, type Holders, type Resolution } from './conflicts.js';
export { gitBlobId, gitFileInfo, gitTree, type GitFileInfo, type GitTree } from './git-info.js';
export { ScriptReloader, type ReloadReport, type ReloadTrigger, type ReloaderOptions } from './reloader.js';
export { DEFAULT_MAX_WAIT_MS, DEFAULT_QUIET_MS, watchScripts, type ScriptWatcher, type WatchOptions } from './watcher.js';
export { startReloader, type ReloadSetup } from './setup.js';
export { reloadOnSighup } from './sighup.js';
