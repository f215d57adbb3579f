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

export type { Voice } from '../engine/parts.js';
import type { Voice } from '../engine/parts.js';
import type { Pattern } from './pattern.js';

/** Recorded audio instead of speech. */
export interface AudioMessage {
  readonly kind: 'audio';
  /** A plain template (not URL-encoded: it may hold a whole recording URL). */
  readonly url: Template;
}

/** A text of a `parts:` message (or of Hoiio markup read at load), in its own voice if it names one. */
export interface SayItem {
  readonly kind: 'say';
  readonly text: Template;
  /** This text's own voice (over the step's, the language's and the script's). */
  readonly voice?: Voice;
  /** A declared language whose voice this text is spoken in. */
  readonly language?: string;
}

export interface PauseItem {
  readonly kind: 'pause';
  readonly seconds: number;
}

export type MessageItem = SayItem | AudioMessage | PauseItem;

/** Several parts said in order: `{ parts: [...] }`, or inline Hoiio markup turned into parts at load. */
export interface PartsMessage {
  readonly kind: 'parts';
  readonly items: readonly MessageItem[];
}

/** One language's form of a message. */
export type MessageForm = Template | AudioMessage | PartsMessage;

/** A message with one form per declared language; the script's `language` picks one. */
export interface LanguageMessage {
  readonly kind: 'languages';
  readonly byLanguage: Readonly<Record<string, MessageForm>>;
}

/**
 * Anything said to the caller. A plain `Template` (no `kind`) is the common case and
 * costs nothing more than before: audio, parts and language maps only exist where written.
 */
export type Message = MessageForm | LanguageMessage;

export interface GatherInvalid {
  /** Said before the prompt when asking again after input that matched no branch. */
  readonly message?: Message;
  /** How many times to ask again before giving up (0 = give up at once). */
  readonly retries: number;
  /** Where to go after the last retry; absent = hang up politely. */
  readonly goto?: StepId;
}

interface StepBase {
  readonly id: StepId;
  /** Passed to the provider as the block's tag (operators' reporting); never used for routing. */
  readonly tag?: Template;
  /** The voice of this step's messages, over the language's and the script's. */
  readonly voice?: Voice;
  /** Where a runtime failure of this step goes (before the script's `on_error`). */
  readonly onError?: StepId;
}

export interface PlayStep extends StepBase {
  readonly kind: 'play';
  readonly message: Message;
  readonly next: StepId;
}

/** A `keys:` target that asks the current gather again (never a step id: ids cannot start with @). */
export const REPEAT_TARGET = '@repeat';

export interface GatherStep extends StepBase {
  readonly kind: 'gather';
  readonly prompt?: Message;
  /** Escalating prompts: one per attempt, each sent with attempts=1; after the last, no input. */
  readonly prompts?: readonly Message[];
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
  /**
   * Global keys in effect here (the script's `keys` merged with the step's, minus
   * its branches): digits → step, or REPEAT_TARGET. Absent when there are none.
   */
  readonly keys?: Readonly<Record<string, StepId>>;
}

export interface RecordStep extends StepBase {
  readonly kind: 'record';
  readonly prompt?: Message;
  readonly maxDuration?: number;
  readonly saveAs?: string;
  readonly next: StepId;
}

export interface MonitorStep extends StepBase {
  readonly kind: 'monitor';
  readonly message?: Message;
  readonly next: StepId;
}

export interface TransferStep extends StepBase {
  readonly kind: 'transfer';
  readonly to: Template;
  readonly message?: Message;
  readonly callerId?: Template;
  /** Busy / unanswered / failed transfers go here (sent as on_failure=continue); absent = provider hangs up. */
  readonly onFailure?: StepId;
}

export interface HangupStep extends StepBase {
  readonly kind: 'hangup';
  readonly message?: Message;
}

export interface SetStep extends StepBase {
  readonly kind: 'set';
  /** Assigned in order; each value sees the ones before it. */
  readonly assign: ReadonlyArray<readonly [string, Template]>;
  readonly next: StepId;
}

/** What a condition tests: `["tier"]`, `["digits"]`, `["call", "from"]`. */
export type ValueRef = readonly string[];

export type Condition =
  | { readonly op: 'all' | 'any'; readonly of: readonly Condition[] }
  | { readonly op: 'not'; readonly of: Condition }
  | { readonly op: 'equals'; readonly subject: ValueRef; readonly value: string }
  | { readonly op: 'in'; readonly subject: ValueRef; readonly values: readonly string[] }
  | { readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly subject: ValueRef; readonly value: number }
  /** `regex` runs on a linear-time engine (see pattern.ts), not JavaScript's backtracking one. */
  | { readonly op: 'matches'; readonly subject: ValueRef; readonly regex: Pattern }
  | { readonly op: 'empty'; readonly subject: ValueRef; readonly value: boolean };

export interface SwitchStep extends StepBase {
  readonly kind: 'switch';
  readonly cases: ReadonlyArray<{ readonly when: Condition; readonly goto: StepId }>;
  readonly default: StepId;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON body whose strings are templates. */
export type JsonTemplate =
  | { readonly t: 'text'; readonly template: Template }
  | { readonly t: 'value'; readonly value: number | boolean | null }
  | { readonly t: 'list'; readonly items: readonly JsonTemplate[] }
  | { readonly t: 'object'; readonly entries: ReadonlyArray<readonly [string, JsonTemplate]> };

export type HttpBody =
  | { readonly type: 'json'; readonly value: JsonTemplate }
  | { readonly type: 'form'; readonly fields: ReadonlyArray<readonly [string, Template]> };

/** A request header: a template, or the value of an environment variable read by the runner at request time. */
export interface HttpHeader {
  readonly name: string;
  readonly value: Template | { readonly env: string };
}

/** `var: path` of an http step's `save`: path segments into the JSON answer. */
export interface HttpSave {
  readonly name: string;
  readonly path: ReadonlyArray<string | number>;
}

export interface HttpStep extends StepBase {
  readonly kind: 'http';
  readonly method: HttpMethod;
  /** Compiled with percent-encoding of `{{…}}` values. */
  readonly url: Template;
  readonly headers: readonly HttpHeader[];
  readonly body?: HttpBody;
  readonly timeoutMs: number;
  readonly save: readonly HttpSave[];
  /** A 2xx answer (after `save`). */
  readonly next: StepId;
  /** Status ("404") or class ("5xx") → step. */
  readonly onStatus?: Readonly<Record<string, StepId>>;
  readonly onTimeout?: StepId;
}

/** Minutes since local midnight; `end` may pass 1440 for a range that crosses midnight. */
export interface HoursRange {
  readonly start: number;
  readonly end: number;
}

export interface OpeningHours {
  readonly timezone: string;
  /** Monday first: `weekly[0]` is Monday, `weekly[6]` Sunday. */
  readonly weekly: ReadonlyArray<readonly HoursRange[]>;
  /** `YYYY-MM-DD` → that date's ranges (empty: closed all day). */
  readonly exceptions: Readonly<Record<string, readonly HoursRange[]>>;
}

export interface HoursStep extends StepBase {
  readonly kind: 'hours';
  readonly hours: OpeningHours;
  readonly open: StepId;
  readonly closed: StepId;
}

export interface CallStep extends StepBase {
  readonly kind: 'call';
  /** The script whose flow runs next (its current version when the step runs). */
  readonly script: string;
  /** Where the call goes on when the called script returns. */
  readonly next: StepId;
}

export interface ReturnStep extends StepBase {
  readonly kind: 'return';
}

export type Step =
  | PlayStep
  | GatherStep
  | RecordStep
  | MonitorStep
  | TransferStep
  | HangupStep
  | SetStep
  | SwitchStep
  | HttpStep
  | HoursStep
  | CallStep
  | ReturnStep;
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
  /** Script-level voice. */
  readonly voice?: Voice;
  /** Declared languages, in order (the first is the default), with their voices. */
  readonly languages?: ReadonlyArray<{ readonly key: string; readonly voice?: Voice }>;
  /** Picks the current language key. */
  readonly language?: Template;
  /** Where runtime failures go when the failing step has no `on_error`. */
  readonly onError?: StepId;
  /** Call summaries: where to POST them and which environment variable holds the signing secret. */
  readonly events?: { readonly url: string; readonly secretEnv: string };
  /** Content hash of the source text: the version calls are pinned to. */
  readonly version: string;
  /** The YAML text it was compiled from, kept so a version can be stored and recompiled elsewhere. */
  readonly source: string;
}
