import type { Block, BlockKind } from './blocks.js';
import type { StepId } from '../script/model.js';

export type Direction = 'inbound' | 'outbound';

/**
 * - `dialing`: outbound call placed, callee not answered yet
 * - `active`: the script is running
 * - `ending`: the final block (hangup or transfer without fallback) was sent
 * - `ended`: the provider reported the call over; nothing more is ever sent
 */
export type CallStatus = 'dialing' | 'active' | 'ending' | 'ended';

/** A script started with `call:`, running inside the call; its `return` goes back to `returnTo` in the script below it. */
export interface CallFrame {
  readonly script: string;
  /** The called script's version, pinned for the rest of its run like the call's own. */
  readonly version: string;
  readonly returnTo: StepId;
}

/** A gather result kept for the call's summary (only when the script has `events_url`). */
export interface InputRecord {
  readonly step: string;
  readonly digits: string;
}

/** Why a call ended, for logs, metrics and inspection. */
export type Outcome =
  | 'completed' // the script hung up
  | 'caller-hangup'
  | 'transferred'
  | 'transfer-failed'
  | 'not-answered' // outbound callee busy / unanswered / failed
  | 'no-input'
  | 'invalid-input'
  | 'step-limit'
  | 'error';

/**
 * Everything the engine knows about one call. Plain JSON (no classes, no Maps), so
 * any store can persist it as is; small, because thousands are parked at once.
 */
export interface CallState {
  /** Our id for the call; part of every notify URL. */
  readonly id: string;
  /** Secret bound to the call; every notify URL carries it and every notification must echo it. */
  readonly token: string;
  readonly script: string;
  /** Script version (content hash) the call is pinned to for its whole life. */
  readonly version: string;
  readonly direction: Direction;
  readonly from: string;
  readonly to: string;
  /** The provider's handle for the call (Hoiio's session, a TwiML provider's CallSid); empty until the provider assigns one (outbound, before the dial is accepted). */
  readonly session: string;
  /** A second reference the provider gives the call, if any (Hoiio's transaction reference); empty otherwise. */
  readonly providerRef: string;
  readonly status: CallStatus;
  readonly step: StepId | null;
  /** Sequence number of the last block sent; notifications carry it back. */
  readonly seq: number;
  /** Kind of the block whose notification we wait for (or `http`: a request's result); null when nothing is outstanding. */
  readonly pending: BlockKind | 'http' | null;
  /** Invalid-input retries used at the current gather. */
  readonly retries: number;
  /** Outbound request vars and `save_as` values. */
  readonly vars: Readonly<Record<string, string>>;
  readonly digits: string;
  readonly recordUrl: string;
  readonly transferStatus: string;
  /** Steps entered so far (the runaway-loop cap counts these). */
  readonly steps: number;
  readonly path: readonly StepId[];
  /** Set when the engine chose to end the call (the `ended` notification finalises it). */
  readonly ending: Outcome | null;
  /** A forced hangup was sent because a goodbye failed; if that fails too, the engine gives up. */
  readonly lastResort: boolean;
  readonly outcome: Outcome | null;
  readonly startedAt: number;
  readonly updatedAt: number;

  // The fields below exist only on calls that use the feature, so other calls stay as small as before.

  /** Scripts started with `call:`, innermost last; the step being run belongs to the last one (or to `script`). */
  readonly frames?: readonly CallFrame[];
  /** Escalating prompts: which prompt of the current gather was sent (0 = the first). */
  readonly attempt?: number;
  /** The last http step's status ("200", "404"), or "" when it got none (timeout, network error). */
  readonly httpStatus?: string;
  /** Runtime failures taken to an `on_error` (or `on_timeout`) so far; bounded. */
  readonly errors?: number;
  /** The path entry of the step the last error went to: a failure there ends the call. */
  readonly errorStep?: string;
  /** A fixed wall-clock time (ms) for `hours` steps: tests and `--now`. */
  readonly clock?: number;
  /** Keys pressed, per gather, for the call summary (scripts with `events_url` only). */
  readonly inputs?: readonly InputRecord[];
  /** Recording URLs, for the call summary (scripts with `events_url` only). */
  readonly recordings?: readonly string[];
  /**
   * Set when the call's goodbye was refused and the engine hung up by force: the
   * provider's code for the refusal. The outcome stays what the script meant; the
   * call's summary reports this.
   */
  readonly forced?: string;
  /**
   * The block the engine sent last. Reply-mode providers: kept until the provider's
   * next webhook collects it as its answer (a retried webhook gets the same block,
   * and the call does not advance twice). Push providers: committed with the step,
   * before it is sent, so a server killed before the provider got it sends it
   * again on restart (docs/durability.md).
   */
  readonly outbox?: OutboxEntry;
}

/** A block waiting to be the answer to a webhook (reply-mode providers). */
export interface OutboxEntry {
  readonly seq: number;
  readonly block: Block;
}

type OptionalKey<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/** The fields only some calls have; `copyState` copies exactly these when present. */
export const OPTIONAL_FIELDS = ['frames', 'attempt', 'httpStatus', 'errors', 'errorStep', 'clock', 'inputs', 'recordings', 'forced', 'outbox'] as const;

// Compile-time check that OPTIONAL_FIELDS names every optional field of CallState (a new one left out would be dropped by copyState).
type Unlisted = Exclude<OptionalKey<CallState>, (typeof OPTIONAL_FIELDS)[number]>;
const everyOptionalFieldListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyOptionalFieldListed;

const KEEP_ALL = { outbox: true } as const;

/**
 * A shallow copy of a call's state, written field by field; without its outbox
 * when `keep` says so. Every step copies the state; a literal gives all copies
 * one hidden class (a spread of states from different places — new calls,
 * earlier steps, a store's JSON — does not), which keeps the interpreter's and
 * the runner's property reads monomorphic. The object literal fails to compile
 * if a required field is added and not copied.
 */
export function copyState(s: CallState, updatedAt: number, keep: { readonly outbox: boolean } = KEEP_ALL): { -readonly [K in keyof CallState]: CallState[K] } {
  const copy: { -readonly [K in keyof CallState]: CallState[K] } = {
    id: s.id,
    token: s.token,
    script: s.script,
    version: s.version,
    direction: s.direction,
    from: s.from,
    to: s.to,
    session: s.session,
    // States stored before the provider port called it `txnRef` (Hoiio's name): calls parked across an upgrade keep theirs.
    providerRef: s.providerRef ?? (s as { readonly txnRef?: string }).txnRef ?? '',
    status: s.status,
    step: s.step,
    seq: s.seq,
    pending: s.pending,
    retries: s.retries,
    vars: s.vars,
    digits: s.digits,
    recordUrl: s.recordUrl,
    transferStatus: s.transferStatus,
    steps: s.steps,
    path: s.path,
    ending: s.ending,
    lastResort: s.lastResort,
    outcome: s.outcome,
    startedAt: s.startedAt,
    updatedAt,
  };
  // One test per field, not a loop over OPTIONAL_FIELDS: a read with a variable key sees ten
  // names at one site and goes megamorphic, and that loop cost about 29k instructions per call
  // in the TwiML round (docs/performance.md, "The seventh look"). Its test copies a state with
  // every OPTIONAL_FIELDS member set, so a field left out here fails it.
  if (s.frames !== undefined) copy.frames = s.frames;
  if (s.attempt !== undefined) copy.attempt = s.attempt;
  if (s.httpStatus !== undefined) copy.httpStatus = s.httpStatus;
  if (s.errors !== undefined) copy.errors = s.errors;
  if (s.errorStep !== undefined) copy.errorStep = s.errorStep;
  if (s.clock !== undefined) copy.clock = s.clock;
  if (s.inputs !== undefined) copy.inputs = s.inputs;
  if (s.recordings !== undefined) copy.recordings = s.recordings;
  if (s.forced !== undefined) copy.forced = s.forced;
  if (s.outbox !== undefined && keep.outbox) copy.outbox = s.outbox;
  return copy;
}
