/**
 * Public types of the Hoiio IVR simulator.
 *
 * The simulator stands in for Hoiio (see /work/shared/hoiio-ivr-api.md): it answers the
 * `ivr/*` REST API, drives simulated callers, and POSTs notifications back to the engine.
 */

/** The blocks the engine can request (the `ivr/<stage>/<block>` path's last part). */
export type BlockName =
  | 'dial'
  | 'play'
  | 'gather'
  | 'record'
  | 'monitor'
  | 'transfer'
  | 'hangup'
  | 'hold'
  | 'unhold';

/**
 * `ringing`: inbound call not answered yet. `ready`: waiting for the engine's next block.
 * `busy`: a block is running. `held`: on Hold (only Unhold or a forced Hangup is accepted).
 */
export type CallState = 'ringing' | 'ready' | 'busy' | 'held' | 'ended';

export type Direction = 'inbound' | 'outbound';

/** Hoiio's dial_status / transfer_status values. */
export type DialOutcome = 'answered' | 'busy' | 'unanswered' | 'failed';

export type EndReason =
  | 'caller-hangup'
  | 'script-hangup'
  /** Hangup sent to a ringing inbound call. */
  | 'rejected'
  | 'transfer-answered'
  | 'transfer-failed'
  | 'dial-failed'
  | 'no-answer-to-ringing'
  /** Play or Dial without notify_url: Hoiio hangs up after the message. */
  | 'played-without-notify-url'
  /** Dial's max_duration elapsed. */
  | 'max-duration'
  /** The engine sent no block for `timing.idleTimeoutMs` while the call was ready. */
  | 'idle-timeout'
  /** A TwiML provider could not go on: the app's answer failed, timed out or was not TwiML it could run (the caller hears "an application error has occurred"). */
  | 'application-error'
  | 'simulator-closed';

export interface EndInfo {
  readonly reason: EndReason;
  readonly at: number;
  readonly answered: boolean;
  /** Billed minutes as sent in the `ended` notification: 0 if never answered, else ≥ 1. */
  readonly durationMinutes: number;
  readonly dialStatus?: DialOutcome;
  readonly transferStatus?: DialOutcome;
  /** URL of the monitor recording, when Monitor was running. */
  readonly monitorRecordUrl?: string;
  /** Why the provider gave up on the app (`application-error`). */
  readonly error?: string;
}

// ---------------------------------------------------------------------------------------
// Caller agents

/** What the simulated person on the line is asked to decide. */
export type CallerPrompt =
  | { readonly block: 'dial'; readonly dest: string; readonly msg?: string }
  | { readonly block: 'play'; readonly msg?: string }
  | {
      readonly block: 'gather';
      readonly msg?: string;
      readonly maxDigits: number;
      readonly attempts: number;
      readonly timeout: number;
    }
  | { readonly block: 'record'; readonly msg?: string; readonly maxDuration: number }
  | { readonly block: 'monitor'; readonly msg?: string }
  | { readonly block: 'transfer'; readonly dest: string; readonly msg?: string };

export type PromptBlock = CallerPrompt['block'];

export type CallerAction =
  /** Gather: keys typed (`0-9*#`; `#` ends input, like on Hoiio). */
  | { readonly type: 'press'; readonly digits: string }
  /** Gather: nothing typed in any attempt. */
  | { readonly type: 'no-input' }
  /** Any block: the person hangs up now. */
  | { readonly type: 'hangup' }
  /** Dial (the callee) or Transfer (the target): how the call went; `seconds` = length of an answered bridge. */
  | { readonly type: 'outcome'; readonly outcome: DialOutcome; readonly seconds?: number }
  /** Record: speak for `seconds` (capped at max_duration; default 3). */
  | { readonly type: 'record'; readonly seconds?: number }
  /** Play / Monitor / Dial: listen to the end (for Dial: answer). */
  | { readonly type: 'continue' };

export type CallerActionType = CallerAction['type'];

export type CallerAgent = (
  prompt: CallerPrompt,
  call: SimCall,
) => CallerAction | Promise<CallerAction>;

// ---------------------------------------------------------------------------------------
// Transcript

interface EntryBase {
  /** Position in the simulator-wide sequence (total order across calls). */
  readonly seq: number;
  /** `clock()` when the entry was made. */
  readonly at: number;
}

/**
 * A piece of a message as the caller heard it, read by the dialect from what the
 * provider received (Hoiio `msg` markup, TwiML verbs); the same shape as the
 * engine's message parts, so every provider's transcript reads the same.
 */
export type HeardPart =
  | { readonly type: 'say'; readonly text: string; readonly voice?: HeardVoice }
  | { readonly type: 'play'; readonly url: string }
  | { readonly type: 'pause'; readonly seconds: number };

export interface HeardVoice {
  readonly language?: string;
  readonly gender?: 'male' | 'female';
}

/** A block request the engine made for this call. */
export interface BlockEntry extends EntryBase {
  readonly kind: 'block';
  readonly block: BlockName;
  readonly method: 'GET' | 'POST';
  /** As received, minus app_id/access_token. */
  readonly params: Readonly<Record<string, string>>;
  /** The `status` answered, or `http-<code>` / `reset` / `hang` for transport faults; `accepted` for a verb of a TwiML reply. */
  readonly response: string;
  /** Set when a fault plan changed the answer. */
  readonly fault?: string;
  /** Transfer to a room: the room id answered. */
  readonly room?: string;
  /** The block's message as the caller heard it (absent: it had none). */
  readonly heard?: readonly HeardPart[];
}

/** The caller was asked to decide (a UI shows this). */
export interface PromptEntry extends EntryBase {
  readonly kind: 'prompt';
  readonly prompt: CallerPrompt;
}

export interface CallerEntry extends EntryBase {
  readonly kind: 'caller';
  readonly block: PromptBlock | 'none';
  readonly action: CallerAction;
  /** `agent`: returned by the CallerAgent; `act`: `call.act()`; `hangup`: `call.hangup()`. */
  readonly source: 'agent' | 'act' | 'hangup';
}

export interface DeliveryResult {
  /** HTTP status the engine answered; absent when no answer came. */
  readonly status?: number;
  /** Transport error (`ECONNREFUSED`, `timeout`, …) or `dropped` (fault) or `closed`. */
  readonly error?: string;
  readonly ms: number;
}

/** A notification POSTed (or, for faults, meant to be POSTed) to the engine. */
export interface NotificationEntry extends EntryBase {
  readonly kind: 'notification';
  readonly id: number;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly signature?: string;
  /** 0 for the original, 1.. for fault duplicates. */
  readonly copy: number;
  readonly forged: boolean;
  /** Filled in when the delivery is over (a `delivery` entry is appended at the same time). */
  result?: DeliveryResult;
}

export interface DeliveryEntry extends EntryBase {
  readonly kind: 'delivery';
  readonly notificationId: number;
  readonly result: DeliveryResult;
}

export type CallEvent = 'ringing' | 'answered' | 'held' | 'unheld' | 'ended' | 'agent-error';

export interface CallEventEntry extends EntryBase {
  readonly kind: 'call';
  readonly event: CallEvent;
  readonly reason?: EndReason;
  readonly detail?: string;
}

export type SimEntry =
  | BlockEntry
  | PromptEntry
  | CallerEntry
  | NotificationEntry
  | DeliveryEntry
  | CallEventEntry;

export interface SimCallEvents {
  entry: SimEntry;
  state: CallState;
  ended: EndInfo;
}

/** One phone call, inbound (rung by the simulator) or outbound (dialled by the engine). */
export interface SimCall {
  readonly session: string;
  readonly txnRef: string;
  readonly direction: Direction;
  /** Inbound: the caller. Outbound: caller_id or the account's number. */
  readonly from: string;
  /** Inbound: the dialled Hoiio number. Outbound: dest. */
  readonly to: string;
  readonly transcript: readonly SimEntry[];
  readonly state: CallState;
  readonly answered: boolean;
  /** The decision the caller is being asked for, if any. */
  readonly pending: CallerPrompt | undefined;
  readonly endInfo: EndInfo | undefined;
  readonly ended: Promise<EndInfo>;
  on<K extends keyof SimCallEvents>(event: K, fn: (value: SimCallEvents[K]) => void): () => void;
  /** The caller hangs up now: the running block stops and an `ended` notification goes out. */
  hangup(): void;
  /** Answers the pending decision (any agent's); `hangup` is accepted at any time. */
  act(action: CallerAction): void;
  /** Resolves with the first entry (existing or future) matching `pred`. */
  waitFor<E extends SimEntry>(pred: (entry: SimEntry) => entry is E, timeoutMs?: number): Promise<E>;
  waitFor(pred: (entry: SimEntry) => boolean, timeoutMs?: number): Promise<SimEntry>;
}

// ---------------------------------------------------------------------------------------
// Violations and the request log

export type ViolationKind =
  /** A block (other than a forced Hangup) while the previous block was still running. */
  | 'not-ready'
  /** A block other than Unhold / forced Hangup while on Hold. */
  | 'on-hold'
  /** Unhold while not on Hold. */
  | 'not-on-hold'
  /** A block for a call whose end the engine had been told about (or caused). */
  | 'after-end'
  /** A block after Transfer (on_failure=hangup) or Hangup was accepted. */
  | 'after-end-block'
  | 'monitor-in-progress'
  | 'invalid-session'
  | 'auth'
  | 'invalid-params'
  | 'http-method'
  | 'unknown-path';

export interface Violation {
  readonly seq: number;
  readonly at: number;
  readonly kind: ViolationKind;
  readonly session?: string;
  readonly block?: BlockName;
  /** The error status the simulator answered. */
  readonly status: string;
  readonly detail: string;
}

/** Every API request, whatever its session (Dial and bad requests have none in the transcript). */
export interface RequestLogEntry {
  readonly seq: number;
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly block?: BlockName;
  readonly session?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly response: string;
  readonly httpStatus: number;
  readonly fault?: string;
}

// ---------------------------------------------------------------------------------------
// Faults

export interface RequestFaultContext {
  readonly kind: 'request';
  /** 0-based count of API requests the simulator has received. */
  readonly index: number;
  readonly block: BlockName;
  readonly params: Readonly<Record<string, string>>;
  readonly session?: string;
  /** 0-based count of requests for this session (0 for Dial). */
  readonly callIndex: number;
}

/**
 * What happens to one API request. `delayMs` may combine with one of the others.
 * `status`: answer this error; the block did NOT run. `httpStatus`: answer a non-JSON body
 * with that code. `reset`: destroy the socket. `hang`: never answer (until close()).
 * With `apply: true` the block runs anyway for httpStatus/reset/hang (the answer is lost).
 */
export interface RequestFault {
  readonly delayMs?: number;
  readonly status?: string;
  readonly httpStatus?: number;
  readonly body?: string;
  readonly reset?: boolean;
  readonly hang?: boolean;
  readonly apply?: boolean;
}

export interface NotificationFaultContext {
  readonly kind: 'notification';
  /** 0-based count of notifications the simulator has sent. */
  readonly index: number;
  readonly session: string;
  /** 0-based count of notifications for this session. */
  readonly callIndex: number;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * What happens to one notification. `duplicate`: send it n more times. `delayMs`: wait
 * first (holding the call's later notifications). `reorder`: hold it until the call's next
 * notification has been sent (or `timing.reorderHoldMs` elapsed). `drop`: never send it.
 */
export interface NotificationFault {
  readonly delayMs?: number;
  readonly duplicate?: number;
  readonly reorder?: boolean;
  readonly drop?: boolean;
}

export type FaultContext = RequestFaultContext | NotificationFaultContext;

export interface FaultHooks {
  readonly request?: (ctx: RequestFaultContext) => RequestFault | undefined;
  readonly notification?: (ctx: NotificationFaultContext) => NotificationFault | undefined;
}

/** Consulted once per API request and once per notification. */
export type FaultPlan =
  | FaultHooks
  | ((ctx: FaultContext) => RequestFault | NotificationFault | undefined);

// ---------------------------------------------------------------------------------------
// Options

export interface SimulatorTiming {
  /** Time one `msg` takes to play. */
  readonly speakMs: number;
  /** Wait per Gather attempt when nothing is pressed. */
  readonly inputTimeoutMs: number;
  /** Real time one simulated second of recording or bridged talk takes. */
  readonly secondMs: number;
  /** An unanswered inbound call gives up after this (0 = never). */
  readonly ringTimeoutMs: number;
  /** A ready call with no block from the engine for this long hangs up (0 = never). */
  readonly idleTimeoutMs: number;
  /** How long a notification POST may take before it counts as failed. */
  readonly notifyTimeoutMs: number;
  /** A `reorder` fault releases the held notification after this even if nothing followed. */
  readonly reorderHoldMs: number;
}

export type NotificationEncoding = 'body' | 'query' | 'both';

export interface SimulatorOptions {
  /** Default 0: an ephemeral port. The host is always 127.0.0.1. */
  readonly port?: number;
  readonly appId: string;
  readonly accessToken: string;
  /** Where ringing notifications of inbound calls go (a Hoiio number's Voice Notify URL). */
  readonly voiceNotifyUrl?: string | ((toNumber: string) => string | undefined);
  /** Add `X-Hoiio-Signature`; default true. */
  readonly signNotifications?: boolean;
  /** Where notification fields travel; default `body` (the notify_url's own query is kept). */
  readonly notificationEncoding?: NotificationEncoding;
  /** Agent for inbound calls rung without one; default `scriptedCaller({})`. */
  readonly defaultCaller?: CallerAgent;
  /** The callee of engine-dialled calls; default `scriptedCaller({})` (answers). */
  readonly outboundCaller?: CallerAgent;
  /** Callees by dialled number; they win over `outboundCaller`. */
  readonly outboundCallers?: Readonly<Record<string, CallerAgent>>;
  readonly faults?: FaultPlan;
  readonly timing?: Partial<SimulatorTiming>;
  /** Time source for transcript `at` and billing `date`; default Date.now. */
  readonly clock?: () => number;
  /** Hoiio allows 8 concurrent calls per account; Dial beyond it is refused. */
  readonly concurrentCallLimit?: number;
  /** The account's registered number: `from` of Dial without caller_id. */
  readonly accountNumber?: string;
  /** Per-minute rate in the `ended` notification; default 0.05. */
  readonly ratePerMinute?: number;
}

export interface RingOptions {
  /** The dialled Hoiio number (E.164). */
  readonly to: string;
  /** The caller's number; default +6591234567. */
  readonly from?: string;
  readonly caller?: CallerAgent;
  /** Overrides the Voice Notify URL for this call. */
  readonly notifyUrl?: string;
}

export interface ForgeOptions {
  /** `none` (default): no X-Hoiio-Signature; `invalid`: a wrong one; `valid`: signed with the access token. */
  readonly signature?: 'none' | 'invalid' | 'valid';
}

export interface ForgeResult {
  readonly status?: number;
  readonly error?: string;
  readonly body: string;
}

export interface SimulatorEvents {
  call: SimCall;
  violation: Violation;
  close: undefined;
}

export interface Simulator {
  /** Base URL ending in `/`; the engine appends `ivr/middle/play` etc. */
  readonly url: string;
  readonly port: number;
  /** All calls by session. */
  readonly calls: ReadonlyMap<string, SimCall>;
  readonly violations: readonly Violation[];
  readonly requests: readonly RequestLogEntry[];
  readonly closed: boolean;
  /** An inbound call: POSTs the ringing notification. */
  ring(options: RingOptions): SimCall;
  /** Called for each call the engine dials (before the callee decides). */
  onDial(fn: (call: SimCall) => void): () => void;
  /** The next call the engine dials. */
  nextDial(timeoutMs?: number): Promise<SimCall>;
  on<K extends keyof SimulatorEvents>(event: K, fn: (value: SimulatorEvents[K]) => void): () => void;
  setFaults(plan: FaultPlan | undefined): void;
  setDefaultCaller(agent: CallerAgent): void;
  /** Replaces the outbound callee; no argument restores the configured one. */
  setOutboundCaller(agent?: CallerAgent): void;
  /** Sends a notification that did not come from a block (an attacker's), and records the answer. */
  forge(
    session: string,
    fields: Readonly<Record<string, string>>,
    url: string,
    options?: ForgeOptions,
  ): Promise<ForgeResult>;
  /** Resolves when no notification is queued or in flight. */
  settled(): Promise<void>;
  close(): Promise<void>;
}
