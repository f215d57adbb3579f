import type { ScriptReloader } from './reloader.js';

/**
 * `kill -HUP <pid>` reloads the scripts, watched or not (e.g. after a deploy by
 * `git pull` with `--no-watch`). Returns the function that stops listening.
 */
export function reloadOnSighup(reloader: ScriptReloader): () => void {
  const onHup = (): void => void reloader.reload('signal');
  process.on('SIGHUP', onHup);
  return () => {
    process.off('SIGHUP', onHup);
  };
}
