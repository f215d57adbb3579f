/**
 * What every provider simulator does the same way, whatever dialect it speaks:
 * it owns its calls and logs, listens on a loopback port, tells subscribers of
 * each call, takes the fault plan and callers a test swaps mid-run, counts the
 * work behind settled(), checks a ring before its dialect places it, and on
 * close() ends every call before its servers stop. A dialect (Hoiio, TwiML,
 * jambonz) adds how a call is rung and what its HTTP server answers.
 */
import { isE164 } from '../util/e164.js';
import { scriptedCaller } from './caller.js';
import { Emitter } from './emitter.js';
import { InvalidRingError, NoVoiceNotifyUrlError, SimulatorClosedError, WaitTimeoutError } from './errors.js';
import { resolveFaults, type ResolvedFaults } from './faults.js';
import { Lifetime } from './lifetime.js';
import { forNumber, type PerNumber } from './per-number.js';
import type { CallSession } from './session.js';
import type { CallerAgent, FaultPlan, ForgeOptions, ForgeResult, RequestLogEntry, RingOptions, SimCall, Simulator, SimulatorEvents, Violation } from './types.js';
import { WorkCounter } from './work-counter.js';

const DEFAULT_CALLER_NUMBER = '+6591234567';
const DEFAULT_ACCOUNT_NUMBER = '+6560000000';

/** The options every dialect's simulator takes under the same names. */
export interface SimulatorBaseOptions {
  readonly defaultCaller?: CallerAgent;
  readonly outboundCaller?: CallerAgent;
  readonly outboundCallers?: Readonly<Record<string, CallerAgent>>;
  readonly faults?: FaultPlan;
  readonly clock?: () => number;
  readonly accountNumber?: string;
}

/** An inbound call that passed the checks: who calls, the URL the provider requests first, and who is on the line. */
export interface CheckedRing {
  readonly from: string;
  readonly url: string;
  readonly caller: CallerAgent;
}

export abstract class SimulatorBase implements Simulator {
  readonly lifetime = new Lifetime();
  readonly clock: () => number;
  /** The account's number: an outbound call's `from` where the app gives none. */
  readonly accountNumber: string;
  protected readonly sessions = new Map<string, CallSession>();
  protected readonly violationLog: Violation[] = [];
  protected readonly requestLog: RequestLogEntry[] = [];
  protected readonly events = new Emitter<SimulatorEvents>();
  /** What settled() waits for: a dialect counts each webhook or notification from start to answer. */
  protected readonly work = new WorkCounter();
  readonly #options: SimulatorBaseOptions;
  #faults: ResolvedFaults;
  #defaultCaller: CallerAgent;
  #outboundCaller: CallerAgent | undefined;
  #seq = 0;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(options: SimulatorBaseOptions) {
    this.#options = options;
    this.clock = options.clock ?? Date.now;
    this.accountNumber = options.accountNumber ?? DEFAULT_ACCOUNT_NUMBER;
    this.#faults = resolveFaults(options.faults);
    this.#defaultCaller = options.defaultCaller ?? scriptedCaller();
    this.#outboundCaller = options.outboundCaller;
  }

  abstract ring(options: RingOptions): SimCall;
  abstract forge(session: string, fields: Readonly<Record<string, string>>, url: string, options?: ForgeOptions): Promise<ForgeResult>;
  /** Starts the dialect's HTTP server on `port` (0: any free one); resolves with the port. */
  protected abstract serve(port: number): Promise<number>;
  /** Stops the dialect's HTTP in and out; called once, after every call has ended and the lifetime has closed. */
  protected abstract shutDown(): Promise<void>;

  async listen(port: number): Promise<void> {
    this.#port = await this.serve(port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  get port(): number {
    return this.#port;
  }

  get calls(): ReadonlyMap<string, SimCall> {
    return this.sessions;
  }

  get violations(): readonly Violation[] {
    return this.violationLog;
  }

  get requests(): readonly RequestLogEntry[] {
    return this.requestLog;
  }

  get closed(): boolean {
    return this.lifetime.closed;
  }

  onDial(fn: (call: SimCall) => void): () => void {
    return this.events.on('call', (call) => {
      if (call.direction === 'outbound') fn(call);
    });
  }

  nextDial(timeoutMs = 5000): Promise<SimCall> {
    return new Promise((resolve, reject) => {
      const off = this.onDial((call) => {
        off();
        cancel();
        resolve(call);
      });
      const cancel = this.lifetime.timer(timeoutMs, () => {
        off();
        reject(new WaitTimeoutError('a Dial', timeoutMs));
      });
    });
  }

  on<K extends keyof SimulatorEvents>(event: K, fn: (value: SimulatorEvents[K]) => void): () => void {
    return this.events.on(event, fn);
  }

  setFaults(plan: FaultPlan | undefined): void {
    this.#faults = resolveFaults(plan);
  }

  setDefaultCaller(agent: CallerAgent): void {
    this.#defaultCaller = agent;
  }

  setOutboundCaller(agent?: CallerAgent): void {
    this.#outboundCaller = agent ?? this.#options.outboundCaller;
  }

  settled(): Promise<void> {
    return this.work.settled();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  /** The fault plan in force now: read at each request or notification, since a test may swap it mid-call. */
  protected get faults(): ResolvedFaults {
    return this.#faults;
  }

  /** The last number nextSeq() gave. */
  protected get lastSeq(): number {
    return this.#seq;
  }

  /**
   * The checks every ring passes before its dialect places it, in the same
   * order for every provider: an open simulator, an E.164 number dialled, a
   * caller's number, and a URL for that number (the ring's own, else the
   * configured one) that `urlProblem` finds nothing wrong with.
   */
  protected checkRing(options: RingOptions, configured: PerNumber | undefined, urlProblem: (url: string) => string | undefined): CheckedRing {
    if (this.closed) throw new SimulatorClosedError();
    if (!isE164(options.to)) throw new InvalidRingError(`"to" must be an E.164 number, got ${JSON.stringify(options.to)}`);
    const from = options.from ?? DEFAULT_CALLER_NUMBER;
    if (from === '') throw new InvalidRingError('"from" must not be empty');
    const url = options.notifyUrl ?? forNumber(configured, options.to);
    if (url === undefined) throw new NoVoiceNotifyUrlError(options.to);
    const problem = urlProblem(url);
    if (problem !== undefined) throw new InvalidRingError(problem);
    return { from, url, caller: options.caller ?? this.#defaultCaller };
  }

  /** Who answers an outbound call to `to`: its own callee, else the one set now, else one who answers. */
  protected calleeFor(to: string): CallerAgent {
    return this.#options.outboundCallers?.[to] ?? this.#outboundCaller ?? scriptedCaller();
  }

  /** Adds a new call, once the dialect has what it needs to run it: subscribers (onDial, nextDial) may act on it at once. */
  protected addCall(call: CallSession): CallSession {
    this.sessions.set(call.session, call);
    this.events.emit('call', call);
    return call;
  }

  async #close(): Promise<void> {
    const at = this.clock();
    for (const call of this.sessions.values()) call.finish({ reason: 'simulator-closed', at, answered: call.answered, durationMinutes: 0 });
    this.events.emit('close', undefined);
    this.lifetime.close();
    await this.shutDown();
    // Work the close aborted may never report back; nobody may be left waiting on settled().
    this.work.clear();
    this.events.clear();
  }
}
