import type { ProviderCapabilities } from '../engine/capabilities.js';
import { compile } from '../script/compile.js';
import type { Script } from '../script/model.js';
import { SCRIPT_GRACE_MS, type SessionStore } from './session-store.js';

/** How often one process stores a version again; well inside `SCRIPT_GRACE_MS`, so a version in use is never pruned. */
const REFRESH_MS = Math.min(60_000, SCRIPT_GRACE_MS / 4);

export type RestoreResult =
  | { readonly ok: true; readonly script: Script }
  | { readonly ok: false; readonly reason: 'not-stored' | 'does-not-compile' | 'version-mismatch' };

/**
 * Keeps the script versions calls are pinned to in the store, and gets them back:
 * a restarted server, or another server sharing the store, can finish a call on a
 * version it no longer (or never) had on disk.
 */
export class ScriptArchive {
  private readonly keptAt = new Map<string, number>();
  private readonly restoring = new Map<string, Promise<RestoreResult>>();

  constructor(
    private readonly store: SessionStore,
    private readonly now: () => number = Date.now,
    /** The provider the versions were loaded for: its call fields and limits apply again when one is compiled back. */
    private readonly provider?: ProviderCapabilities,
  ) {}

  /** Stores `script`'s version before a call starts on it (idempotent; at most once a minute per version). */
  async keep(script: Script): Promise<void> {
    const key = `${script.name}@${script.version}`;
    const at = this.keptAt.get(key);
    const now = this.now();
    if (at !== undefined && now - at < REFRESH_MS) return;
    await this.store.putScript({
      name: script.name,
      version: script.version,
      source: script.source,
      ...(script.file !== undefined ? { file: script.file } : {}),
    });
    this.keptAt.set(key, now);
  }

  /** True when `keep` would store nothing for `script` now (it did within the last minute). */
  kept(script: Script): boolean {
    const at = this.keptAt.get(`${script.name}@${script.version}`);
    return at !== undefined && this.now() - at < REFRESH_MS;
  }

  /** Compiles a stored version. Concurrent requests for one version share the work. */
  restore(name: string, version: string): Promise<RestoreResult> {
    const key = `${name}@${version}`;
    let pending = this.restoring.get(key);
    if (pending === undefined) {
      pending = this.load(name, version).finally(() => this.restoring.delete(key));
      this.restoring.set(key, pending);
    }
    return pending;
  }

  private async load(name: string, version: string): Promise<RestoreResult> {
    const stored = await this.store.getScript(name, version);
    if (stored === undefined) return { ok: false, reason: 'not-stored' };
    const result = compile(stored.source, {
      name,
      ...(stored.file !== undefined ? { file: stored.file } : {}),
      ...(this.provider !== undefined ? { provider: this.provider } : {}),
    });
    if (!result.ok) return { ok: false, reason: 'does-not-compile' };
    if (result.script.name !== name || result.script.version !== version) return { ok: false, reason: 'version-mismatch' };
    return { ok: true, script: result.script };
  }
}
