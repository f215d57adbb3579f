import type { ProviderCapabilities } from '../engine/capabilities.js';
import type { Logger } from '../log/logger.js';
import type { ScriptRegistry } from '../runtime/script-registry.js';
import { ScriptReloader, type ReloadReport } from './reloader.js';
import type { WatchOptions } from './watcher.js';

/** How a server keeps its scripts in step with a folder. */
export interface ReloadSetup {
  /** Folders (or files) the server's scripts come from. */
  readonly paths: readonly string[];
  /** Watch them and reload on every save (`--no-watch` turns it off; SIGHUP still reloads). */
  readonly watch: boolean;
  /** Ask git about the folder (default true). */
  readonly git?: boolean;
  readonly watchOptions?: WatchOptions;
  /** Told about every reload (metrics). */
  readonly onReload?: (report: ReloadReport) => void;
  /** Refuse edits that need what this provider cannot do, as at start-up. */
  readonly provider?: ProviderCapabilities;
}

/** A reloader in step with the folder (one initial reload), watching it if asked. */
export async function startReloader(setup: ReloadSetup, registry: ScriptRegistry, log: Logger): Promise<ScriptReloader> {
  const reloader = new ScriptReloader({
    paths: setup.paths,
    registry,
    log,
    ...(setup.git !== undefined ? { git: setup.git } : {}),
    ...(setup.onReload !== undefined ? { onReload: setup.onReload } : {}),
    ...(setup.provider !== undefined ? { provider: setup.provider } : {}),
  });
  await reloader.reload('initial');
  if (setup.watch) await reloader.watch(setup.watchOptions);
  return reloader;
}
