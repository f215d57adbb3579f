/**
 * One simulated call: its state, transcript, the caller's pending decision and its end.
 *
 * The block logic lives in runner.ts; this class only holds what a call is and guards its
 * transitions, so tests and UIs see a consistent picture through the SimCall interface.
 */
import { checkAction } from './actions.js';
import { Emitter } from './emitter.js';
import { CallEndedError, NoPendingDecisionError, SimulatorError, WaitTimeoutError } from './errors.js';
import { CancelledError, type Lifetime } from './lifetime.js';
import type { Params } from './params.js';
import type {
  BlockName,
  CallerAction,
  CallerAgent,
  CallerPrompt,
  CallState,
  DialOutcome,
  Direction,
  EndInfo,
  SimCall,
  SimCallEvents,
  SimEntry,
} from './types.js';

/** What the call needs from the simulator that owns it. */
export interface CallHost {
  readonly lifetime: Lifetime;
  clock(): number;
  nextSeq(): number;
  /** The caller hung up (call.hangup() or act({type:'hangup'})). */
  callerHangup(call: CallSession): void;
}

/** A block accepted and not finished yet. */
export interface RunningBlock {
  readonly block: BlockName;
  readonly params: Params;
  readonly notifyUrl: string | undefined;
  readonly controller: AbortController;
  /** Record: when the caller started speaking (for a partial recording on hangup). */
  recordingStartedAt?: number;
}

export interface MonitorState {
  readonly startedAt: number;
  readonly simulatedSecondsAtStart: number;
  readonly notifyUrl: string;
  readonly monitorNotifyUrl: string | undefined;
}

export interface CallInit {
  readonly session: string;
  readonly txnRef: string;
  readonly direction: Direction;
  readonly from: string;
  readonly to: string;
  readonly agent: CallerAgent;
  readonly state: CallState;
}

type EntryInput = SimEntry extends infer E ? (E extends SimEntry ? Omit<E, 'seq' | 'at'> : never) : never;

interface Pending {
  readonly prompt: CallerPrompt;
  readonly resolve: (action: CallerAction) => void;
}

export class CallSession implements SimCall {
  readonly session: string;
  readonly txnRef: string;
  readonly direction: Direction;
  readonly from: string;
  readonly to: string;
  readonly agent: CallerAgent;
  readonly createdAt: number;
  readonly ended: Promise<EndInfo>;

  answeredAt: number | undefined;
  /** Seconds of recording / bridged talk, which may run faster than the wall clock. */
  simulatedSeconds = 0;
  /** Hangup, or Transfer with on_failure=hangup, was accepted: only a forced Hangup may follow. */
  endBlock = false;
  running: RunningBlock | undefined;
  lastBlock: BlockName | 'answer' | undefined;
  lastNotifyUrl: string | undefined;
  monitor: MonitorState | undefined;
  dialStatus: DialOutcome | undefined;
  /** The engine caused the end or received the `ended` notification: later blocks are its fault. */
  endKnownToEngine = false;
  requestCount = 0;
  notificationCount = 0;
  /** Cancels the ring / idle / max-duration timer. */
  cancelWaitTimer: (() => void) | undefined;
  cancelMaxDuration: (() => void) | undefined;

  readonly #host: CallHost;
  readonly #transcript: SimEntry[] = [];
  readonly #events = new Emitter<SimCallEvents>();
  #state: CallState;
  #pending: Pending | undefined;
  #endInfo: EndInfo | undefined;
  #resolveEnded!: (info: EndInfo) => void;

  constructor(host: CallHost, init: CallInit) {
    this.#host = host;
    this.session = init.session;
    this.txnRef = init.txnRef;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.agent = init.agent;
    this.#state = init.state;
    this.createdAt = host.clock();
    this.ended = new Promise<EndInfo>((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  get transcript(): readonly SimEntry[] {
    return this.#transcript;
  }

  get state(): CallState {
    return this.#state;
  }

  get answered(): boolean {
    return this.answeredAt !== undefined;
  }

  get pending(): CallerPrompt | undefined {
    return this.#pending?.prompt;
  }

  get endInfo(): EndInfo | undefined {
    return this.#endInfo;
  }

  on<K extends keyof SimCallEvents>(event: K, fn: (value: SimCallEvents[K]) => void): () => void {
    return this.#events.on(event, fn);
  }

  hangup(): void {
    if (this.#state === 'ended') return;
    this.add({ kind: 'caller', block: this.#pending?.prompt.block ?? 'none', action: { type: 'hangup' }, source: 'hangup' });
    this.#host.callerHangup(this);
  }

  act(action: CallerAction): void {
    if (this.#state === 'ended') throw new CallEndedError(this.session);
    const pending = this.#pending;
    if (action.type === 'hangup') {
      this.add({ kind: 'caller', block: pending?.prompt.block ?? 'none', action, source: 'act' });
      this.#host.callerHangup(this);
      return;
    }
    if (!pending) throw new NoPendingDecisionError(this.session);
    checkAction(this.session, pending.prompt.block, action);
    this.#pending = undefined;
    this.add({ kind: 'caller', block: pending.prompt.block, action, source: 'act' });
    pending.resolve(action);
  }

  waitFor<E extends SimEntry>(pred: (entry: SimEntry) => entry is E, timeoutMs?: number): Promise<E>;
  waitFor(pred: (entry: SimEntry) => boolean, timeoutMs?: number): Promise<SimEntry>;
  waitFor(pred: (entry: SimEntry) => boolean, timeoutMs = 5000): Promise<SimEntry> {
    const found = this.#transcript.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise<SimEntry>((resolve, reject) => {
      const off = this.on('entry', (entry) => {
        if (!pred(entry)) return;
        off();
        cancel();
        resolve(entry);
      });
      const cancel = this.#host.lifetime.timer(timeoutMs, () => {
        off();
        reject(new WaitTimeoutError(`an entry of call ${this.session}`, timeoutMs));
      });
    });
  }

  // --- used by the simulator -------------------------------------------------------------

  add<E extends EntryInput>(input: E): E & { seq: number; at: number } {
    const entry = { ...input, seq: this.#host.nextSeq(), at: this.#host.clock() };
    this.#transcript.push(entry as SimEntry);
    this.#events.emit('entry', entry as SimEntry);
    return entry;
  }

  setState(state: CallState): void {
    if (this.#state === state || this.#state === 'ended') return;
    this.#state = state;
    this.#events.emit('state', state);
  }

  /**
   * Asks the caller to decide. The agent and `act()` race; a mismatching or failing agent
   * counts as a hangup (noted in the transcript) so a broken test agent cannot stall a call.
   */
  async decide(prompt: CallerPrompt, signal: AbortSignal): Promise<CallerAction> {
    if (this.#state === 'ended') throw new CancelledError('call ended');
    this.add({ kind: 'prompt', prompt });
    const fromAct = new Promise<CallerAction>((resolve) => {
      this.#pending = { prompt, resolve };
    });
    const fromAgent = (async (): Promise<CallerAction | Error> => {
      try {
        return await this.agent(prompt, this);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    })();
    const tagged = Promise.race([
      fromAct.then((action) => ({ action, source: 'act' as const })),
      fromAgent.then((action) => ({ action, source: 'agent' as const })),
    ]);
    let result: { action: CallerAction | Error; source: 'act' | 'agent' };
    try {
      result = await this.#host.lifetime.race(tagged, signal);
    } finally {
      if (this.#pending?.prompt === prompt) this.#pending = undefined;
    }
    if (result.source === 'act') return result.action as CallerAction;
    const action = result.action;
    if (action instanceof Error) return this.#agentFailed(prompt, `agent threw: ${action.message}`);
    try {
      checkAction(this.session, prompt.block, action);
    } catch (err) {
      return this.#agentFailed(prompt, err instanceof SimulatorError ? err.message : String(err));
    }
    this.add({ kind: 'caller', block: prompt.block, action, source: 'agent' });
    return action;
  }

  #agentFailed(prompt: CallerPrompt, detail: string): CallerAction {
    this.add({ kind: 'call', event: 'agent-error', detail });
    const action: CallerAction = { type: 'hangup' };
    this.add({ kind: 'caller', block: prompt.block, action, source: 'agent' });
    return action;
  }

  /** Marks the call over; returns false if it already was. */
  finish(info: EndInfo): boolean {
    if (this.#state === 'ended') return false;
    this.cancelWaitTimer?.();
    this.cancelMaxDuration?.();
    this.running?.controller.abort(new CancelledError('call ended'));
    this.running = undefined;
    this.#pending = undefined;
    this.#endInfo = info;
    this.#state = 'ended';
    this.add({ kind: 'call', event: 'ended', reason: info.reason, ...(info.error !== undefined ? { detail: info.error } : {}) });
    this.#events.emit('state', 'ended');
    this.#events.emit('ended', info);
    this.#resolveEnded(info);
    return true;
  }
}
