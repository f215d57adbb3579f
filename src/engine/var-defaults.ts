/**
 * The `vars` defaults a step's templates see. In the call's own script, its
 * own. In a script run with `call:`, the calling scripts' defaults come over
 * its own, the outermost script's first: a menu reused by several lines says
 * each line's `company`, and its own default is the fallback for a name no
 * caller declares (and for running it on its own). A called script thus sees
 * what its caller sees. Values set during the call (`save_as`, `set`, http
 * `save`, an outbound request's vars) are above every default, in every script.
 */
import type { Script } from '../script/model.js';

export type VarEntries = ReadonlyArray<readonly [string, unknown]>;

const ownEntries = new WeakMap<Script, VarEntries>();

/** A script's `vars` as a list, made once per script version (the template context is built on every step). */
export function varEntries(script: Script): VarEntries {
  let entries = ownEntries.get(script);
  if (entries === undefined) {
    entries = Object.entries(script.vars);
    ownEntries.set(script, entries);
  }
  return entries;
}

/**
 * The defaults of `current` run inside `callers` (outermost first, the call's
 * own script at 0; a caller whose version is gone is undefined and skipped).
 */
export function calledScriptDefaults(current: Script, callers: ReadonlyArray<Script | undefined>): VarEntries {
  const merged = new Map<string, unknown>(varEntries(current));
  for (let i = callers.length - 1; i >= 0; i--) {
    const caller = callers[i];
    if (caller !== undefined) for (const [name, value] of varEntries(caller)) merged.set(name, value);
  }
  return [...merged];
}
