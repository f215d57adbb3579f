/**
 * What the engine is given besides a script, a state and an event: the time,
 * its bounds, the other scripts a `call:` step may run, and the provider's
 * limits and call fields (from the provider's capability table). Plain data,
 * so every transition stays reproducible.
 */
import type { MessageLimits, ProviderCapabilities } from './capabilities.js';
import type { Script } from '../script/model.js';

/** Longest rendered value of a plain field (a number, a caller id, a language key): a sanity bound, not a provider's. */
export const MAX_FIELD_LENGTH = 1000;
export const DEFAULT_MAX_STEPS = 200;
/** Runtime failures (and http timeouts) a call may take to `on_error` / `on_timeout`; the next one ends it. */
export const MAX_ERROR_JUMPS = 3;
/** Longest value a `set` may give a variable, and longest rendered URL or body part of an http step. */
export const MAX_VALUE_LENGTH = 4096;
export const MAX_URL_LENGTH = 2048;
export const MAX_BODY_LENGTH = 64 * 1024;

/** The scripts other than the call's own: what a `call:` step runs, and the versions calls inside them are pinned to. */
export interface ScriptResolver {
  /** The version a `call:` step starts: the current one. */
  current(name: string): Script | undefined;
  pinned(name: string, version: string): Script | undefined;
}

export interface EngineOptions {
  /** Milliseconds since the epoch; stamped on the state. */
  readonly now: number;
  /** Steps a call may enter before it is ended politely (runaway-loop guard). */
  readonly maxSteps?: number;
  /** Needed by scripts with `call:` steps. */
  readonly scripts?: ScriptResolver;
  /** Wall-clock time `hours` steps see (ms); `now` when absent. A call's own fixed `clock` wins over both. */
  readonly clock?: number;
  /**
   * The provider's message and tag limits (from its capability table). A message
   * over them fails its step like a template error. Absent: only the engine's own
   * bounds apply.
   */
  readonly limits?: MessageLimits;
  /** The provider's own `{{call.<name>}}` fields (its capability table's `callFields`). */
  readonly callFields?: ProviderCapabilities['callFields'];
}

