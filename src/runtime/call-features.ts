/**
 * What the runner needs for the scripting features, kept out of its main loop:
 * the scripts a `call:` step reaches (current versions for new frames, pinned
 * ones for running frames, restored from the store's archive when this process
 * no longer has them), per-call setup for tools (initial vars, a fixed clock,
 * environment values: test files), and http requests carried out in the
 * background, their results coming back as events.
 */
import type { CallEvent } from '../engine/events.js';
import type { ScriptResolver } from '../engine/interpreter.js';
import type { CallState } from '../engine/state.js';
import type { HttpRequest } from '../engine/transition.js';
import type { Logger } from '../log/logger.js';
import { HttpExecutor } from '../http-step/execute.js';
import type { Script } from '../script/model.js';
import type { ScriptArchive } from '../store/script-archive.js';
import type { ScriptRegistry } from './script-registry.js';

/** Which call a tool wants to set up: an inbound one by its provider session, an outbound one by the number dialled. */
export type CallSetupQuery =
  | { readonly direction: 'inbound'; readonly session: string; readonly from: string; readonly to: string }
  | { readonly direction: 'outbound'; readonly to: string };

export interface CallSetup {
  /** Initial variables, over the script's defaults (tests: a service's URL). */
  readonly vars?: Readonly<Record<string, string>>;
  /** A fixed wall-clock time (ms) the call's `hours` steps see. */
  readonly clock?: number;
  /** Environment values for this call's `{ env: NAME }` headers, before the process environment; never stored. */
  readonly env?: Readonly<Record<string, string>>;
}

export class CallFeatures {
  /** Per-call environment overlays (from `CallSetup.env`): memory only, never in the store. */
  private readonly envs = new Map<string, Readonly<Record<string, string>>>();
  private readonly inFlight = new Set<Promise<void>>();
  readonly http: HttpExecutor;

  constructor(
    private readonly scripts: ScriptRegistry,
    private readonly archive: ScriptArchive,
    private readonly log: Logger,
    http?: HttpExecutor,
  ) {
    this.http = http ?? new HttpExecutor();
  }

  readonly resolver: ScriptResolver = {
    current: (name) => this.scripts.current(name),
    pinned: (name, version) => this.scripts.pinned(name, version),
  };

  /**
   * Makes sure every frame's pinned version is at hand (restoring it from the
   * archive if this process lost it) and stays archived while the call runs on it.
   */
  async ensureFrames(state: CallState): Promise<void> {
    for (const frame of state.frames ?? []) {
      let script = this.scripts.pinned(frame.script, frame.version);
      if (script === undefined) {
        const restored = await this.archive.restore(frame.script, frame.version);
        if (!restored.ok) {
          this.log.error({ call: state.id, script: frame.script, version: frame.version, reason: restored.reason }, 'script.restore_failed');
          continue;
        }
        this.scripts.remember(restored.script);
        this.log.info({ call: state.id, script: frame.script, version: frame.version }, 'script.restored');
        script = restored.script;
      }
      await this.archive.keep(script);
    }
  }

  rememberEnv(id: string, env: Readonly<Record<string, string>> | undefined): void {
    if (env !== undefined) this.envs.set(id, env);
  }

  forget(id: string): void {
    this.envs.delete(id);
  }

  /** Makes the request in the background; `deliver` gets its result as an event for call `id`. */
  start(id: string, seq: number, request: HttpRequest, deliver: (event: CallEvent) => Promise<void>): void {
    const env = this.envs.get(id);
    const work = this.http
      .execute(request, env === undefined ? undefined : (name) => (Object.hasOwn(env, name) ? env[name] : undefined))
      .then((result) => deliver({ type: 'http.result', seq, ...result }))
      .catch((err: unknown) => this.log.error({ call: id, err: err instanceof Error ? err.message : String(err) }, 'http.internal_error'));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Waits for the requests in flight (and the events they deliver). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.drain();
    await this.http.close();
  }

  /** Scripts of the frames, for archiving after a transition that started a `call:`. */
  frameScripts(state: CallState): Script[] {
    const out: Script[] = [];
    for (const frame of state.frames ?? []) {
      const script = this.scripts.pinned(frame.script, frame.version);
      if (script !== undefined) out.push(script);
    }
    return out;
  }
}
