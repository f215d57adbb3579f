/**
 * The JSON summary of a finished call that a script with `events_url` sends:
 * what ran, who called, the path of steps, the variables, the keys pressed, the
 * recordings and how it ended. Built from the call's final state only.
 */
import type { CallState, Outcome } from '../engine/state.js';
import type { Script } from '../script/model.js';

export interface CallSummary {
  /** Unique per call (the call id): receivers use it to drop a retried duplicate. */
  readonly id: string;
  readonly script: string;
  readonly version: string;
  readonly call: {
    readonly id: string;
    readonly session: string;
    readonly txn_ref: string;
    readonly from: string;
    readonly to: string;
    readonly direction: 'inbound' | 'outbound';
  };
  /** Steps entered, in order; steps of a script started with `call:` as `<script>:<step>`. */
  readonly path: readonly string[];
  /** The script's var defaults under the call's values (set, save_as, http saves, outbound vars). */
  readonly vars: Readonly<Record<string, string>>;
  /** Keys pressed, per gather, in order. */
  readonly digits: ReadonlyArray<{ readonly step: string; readonly digits: string }>;
  readonly recordings: readonly string[];
  readonly outcome: Outcome;
  /** Present when the goodbye was refused and the engine hung up by force: the provider's code for the refusal. */
  readonly forced_hangup?: string;
  readonly started_at: string;
  readonly ended_at: string;
  readonly duration_ms: number;
}

export function buildSummary(script: Script, state: CallState, outcome: Outcome, endedAt: number): CallSummary {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(script.vars)) vars[name] = value === null ? '' : String(value);
  Object.assign(vars, state.vars);
  return {
    id: state.id,
    script: state.script,
    version: state.version,
    call: { id: state.id, session: state.session, txn_ref: state.providerRef, from: state.from, to: state.to, direction: state.direction },
    path: state.path,
    vars,
    digits: state.inputs ?? [],
    recordings: state.recordings ?? [],
    outcome,
    ...(state.forced !== undefined ? { forced_hangup: state.forced } : {}),
    started_at: new Date(state.startedAt).toISOString(),
    ended_at: new Date(endedAt).toISOString(),
    duration_ms: Math.max(0, endedAt - state.startedAt),
  };
}
