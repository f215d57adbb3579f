/**
 * The compiled form of a call script: what the interpreter runs.
 *
 * `compile()` turns YAML text into this shape once, at load; nothing here is
 * re-parsed per call. Every field is already defaulted and cross-checked, so the
 * interpreter can trust it (a `next` always names an existing step, templates are
 * compiled, digit keys are strings).
 */
import type { Template } from '../template/template.js';

export type StepId = string;

/** Values a script may declare in `vars` (YAML scalars only). */
export type VarValue = string | number | boolean | null;

export interface GatherInvalid {
  /** Said before the prompt when asking again after input that matched no branch. */
  readonly message?: Template;
  /** How many times to ask again before giving up (0 = give up at once). */
  readonly retries: number;
  /** Where to go after the last retry; absent = hang up politely. */
  readonly goto?: StepId;
}

interface StepBase {
  readonly id: StepId;
  /** Passed to the provider as the block's tag (operators' reporting); never used for routing. */
  readonly tag?: Template;
}

export interface PlayStep extends StepBase {
  readonly kind: 'play';
  readonly message: Template;
  readonly next: StepId;
}

export interface GatherStep extends StepBase {
  readonly kind: 'gather';
  readonly prompt?: Template;
  readonly maxDigits?: number;
  readonly timeout?: number;
  readonly attempts?: number;
  /** Digit string → step. Absent when the gather just collects input for `next`. */
  readonly branches?: Readonly<Record<string, StepId>>;
  readonly invalid: GatherInvalid;
  /** Nothing pressed after all attempts; absent = hang up politely. */
  readonly noInput?: StepId;
  readonly saveAs?: string;
  /** Only for gathers without branches: where any non-empty input goes. */
  readonly next?: StepId;
}

export interface RecordStep extends StepBase {
  readonly kind: 'record';
  readonly prompt?: Template;
  readonly maxDuration?: number;
  readonly saveAs?: string;
  readonly next: StepId;
}

export interface MonitorStep extends StepBase {
  readonly kind: 'monitor';
  readonly message?: Template;
  readonly next: StepId;
}

export interface TransferStep extends StepBase {
  readonly kind: 'transfer';
  readonly to: Template;
  readonly message?: Template;
  readonly callerId?: Template;
  /** Busy / unanswered / failed transfers go here (sent as on_failure=continue); absent = provider hangs up. */
  readonly onFailure?: StepId;
}

export interface HangupStep extends StepBase {
  readonly kind: 'hangup';
  readonly message?: Template;
}

export type Step = PlayStep | GatherStep | RecordStep | MonitorStep | TransferStep | HangupStep;
export type StepKind = Step['kind'];

export interface Script {
  readonly name: string;
  /** Where it was loaded from, for diagnostics and `/scripts`; absent for in-memory sources. */
  readonly file?: string;
  readonly description?: string;
  /** Incoming numbers (E.164 strings) routed to this script. */
  readonly numbers: readonly string[];
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly start: StepId;
  readonly steps: Readonly<Record<StepId, Step>>;
  /** Content hash of the source text: the version calls are pinned to. */
  readonly version: string;
  /** The YAML text it was compiled from, kept so a version can be stored and recompiled elsewhere. */
  readonly source: string;
}
