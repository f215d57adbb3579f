/**
 * `startSimulator()`: assembles the parts (HTTP front, runner, notifier, recordings, control
 * plane) into one Hoiio stand-in and owns its calls, request log and violations.
 */
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { ApiCore } from './api.js';
import { scriptedCaller } from './caller.js';
import { createSimulatorControl } from './control.js';
import { Emitter } from './emitter.js';
import { InvalidRingError, NoVoiceNotifyUrlError, SimulatorClosedError, WaitTimeoutError } from './errors.js';
import { resolveFaults, type ResolvedFaults } from './faults.js';
import { Lifetime } from './lifetime.js';
import { Notifier } from './notifier.js';
import { isE164 } from '../util/e164.js';
import { get, isNotifyUrl, type Params } from './params.js';
import { RecordingStore } from './recordings.js';
import { Runner } from './runner.js';
import { HttpFront } from './server.js';
import { CallSession, type CallHost } from './session.js';
import type {
  CallerAgent,
  CallState,
  Direction,
  FaultPlan,
  ForgeOptions,
  ForgeResult,
  RequestLogEntry,
  RingOptions,
  SimCall,
  Simulator,
  SimulatorEvents,
  SimulatorOptions,
  SimulatorTiming,
  Violation,
} from './types.js';

export const DEFAULT_TIMING: SimulatorTiming = {
  speakMs: 0,
  inputTimeoutMs: 0,
  secondMs: 0,
  ringTimeoutMs: 60_000,
  idleTimeoutMs: 120_000,
  notifyTimeoutMs: 10_000,
  reorderHoldMs: 200,
};

const DEFAULT_CALLER_NUMBER = '+6591234567';
const DEFAULT_ACCOUNT_NUMBER = '+6560000000';
const HOIIO_CONCURRENT_CALLS = 8;

/** Starts a simulator listening on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const sim = new HoiioSimulator(options);
  await sim.listen(options.port ?? 0);
  return sim;
}

class HoiioSimulator implements Simulator, ApiCore, CallHost {
  readonly appId: string;
  readonly accessToken: string;
  readonly concurrentCallLimit: number;
  readonly lifetime = new Lifetime();
  readonly runner: Runner;
  readonly clock: () => number;

  readonly #options: SimulatorOptions;
  readonly #calls = new Map<string, CallSession>();
  readonly #violations: Violation[] = [];
  readonly #requests: RequestLogEntry[] = [];
  readonly #events = new Emitter<SimulatorEvents>();
  readonly #notifier: Notifier;
  readonly #recordings: RecordingStore;
  readonly #http: HttpFront;
  #faults: ResolvedFaults;
  #defaultCaller: CallerAgent;
  #outboundCaller: CallerAgent | undefined;
  #seq = 0;
  #callNumber = 0;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(options: SimulatorOptions) {
    this.#options = options;
    this.appId = options.appId;
    this.accessToken = options.accessToken;
    this.concurrentCallLimit = options.concurrentCallLimit ?? HOIIO_CONCURRENT_CALLS;
    this.clock = options.clock ?? Date.now;
    this.#faults = resolveFaults(options.faults);
    this.#defaultCaller = options.defaultCaller ?? scriptedCaller();
    this.#outboundCaller = options.outboundCaller;
    const timing: SimulatorTiming = { ...DEFAULT_TIMING, ...options.timing };
    this.#recordings = new RecordingStore(() => this.url, this.clock);
    this.#notifier = new Notifier({
      lifetime: this.lifetime,
      accessToken: options.accessToken,
      sign: options.signNotifications ?? true,
      encoding: options.notificationEncoding ?? 'body',
      timeoutMs: timing.notifyTimeoutMs,
      reorderHoldMs: timing.reorderHoldMs,
      fault: (ctx) => this.#faults.notification(ctx),
    });
    this.runner = new Runner({
      lifetime: this.lifetime,
      clock: this.clock,
      timing,
      notifier: this.#notifier,
      recordings: this.#recordings,
      ratePerMinute: options.ratePerMinute ?? 0.05,
    });
    const root = new Hono().route('/sim', createSimulatorControl(this));
    this.#http = new HttpFront({
      lifetime: this.lifetime,
      core: this,
      recordings: this.#recordings,
      faults: () => this.#faults,
      control: getRequestListener(root.fetch, { overrideGlobalObjects: false }),
    });
  }

  async listen(port: number): Promise<void> {
    this.#port = await this.#http.listen(port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  get port(): number {
    return this.#port;
  }

  get calls(): ReadonlyMap<string, SimCall> {
    return this.#calls;
  }

  get violations(): readonly Violation[] {
    return this.#violations;
  }

  get requests(): readonly RequestLogEntry[] {
    return this.#requests;
  }

  get closed(): boolean {
    return this.lifetime.closed;
  }

  ring(options: RingOptions): SimCall {
    if (this.closed) throw new SimulatorClosedError();
    if (!isE164(options.to)) throw new InvalidRingError(`"to" must be an E.164 number, got ${JSON.stringify(options.to)}`);
    const from = options.from ?? DEFAULT_CALLER_NUMBER;
    if (from === '') throw new InvalidRingError('"from" must not be empty');
    const voice = this.#options.voiceNotifyUrl;
    const url = options.notifyUrl ?? (typeof voice === 'function' ? voice(options.to) : voice);
    if (url === undefined) throw new NoVoiceNotifyUrlError(options.to);
    if (!isNotifyUrl(url)) throw new InvalidRingError(`the Voice Notify URL must be http(s): ${url}`);
    const call = this.#newCall('inbound', from, options.to, options.caller ?? this.#defaultCaller, 'ringing');
    this.runner.ring(call, url);
    return call;
  }

  onDial(fn: (call: SimCall) => void): () => void {
    return this.#events.on('call', (call) => {
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
    return this.#events.on(event, fn);
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

  forge(
    session: string,
    fields: Readonly<Record<string, string>>,
    url: string,
    options?: ForgeOptions,
  ): Promise<ForgeResult> {
    if (this.closed) return Promise.reject(new SimulatorClosedError());
    return this.#notifier.forge(this.#calls.get(session), url, { session, ...fields }, options);
  }

  settled(): Promise<void> {
    return this.#notifier.settled();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const at = this.clock();
    for (const call of this.#calls.values()) {
      call.finish({ reason: 'simulator-closed', at, answered: call.answered, durationMinutes: 0 });
    }
    this.#events.emit('close', undefined);
    this.lifetime.close();
    await this.#notifier.close();
    await this.#http.close();
    this.#events.clear();
  }

  // --- ApiCore / CallHost ----------------------------------------------------------------

  call(session: string): CallSession | undefined {
    return this.#calls.get(session);
  }

  activeCalls(): number {
    let n = 0;
    for (const call of this.#calls.values()) if (call.state !== 'ended') n++;
    return n;
  }

  createOutboundCall(params: Params): CallSession {
    const dest = get(params, 'dest') ?? '';
    const from = get(params, 'caller_id') ?? this.#options.accountNumber ?? DEFAULT_ACCOUNT_NUMBER;
    const agent = this.#options.outboundCallers?.[dest] ?? this.#outboundCaller ?? scriptedCaller();
    return this.#newCall('outbound', from, dest, agent, 'busy');
  }

  logRequest(entry: Omit<RequestLogEntry, 'seq' | 'at'>): void {
    this.#requests.push({ ...entry, seq: this.nextSeq(), at: this.clock() });
  }

  violation(v: Omit<Violation, 'seq' | 'at'>): void {
    const full: Violation = { ...v, seq: this.nextSeq(), at: this.clock() };
    this.#violations.push(full);
    this.#events.emit('violation', full);
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  callerHangup(call: CallSession): void {
    this.runner.callerHangup(call);
  }

  #newCall(direction: Direction, from: string, to: string, agent: CallerAgent, state: CallState): CallSession {
    const n = ++this.#callNumber;
    const call = new CallSession(this, {
      session: `S${n}`,
      txnRef: `AA-C-${1000000 + n}`,
      direction,
      from,
      to,
      agent,
      state,
    });
    this.#calls.set(call.session, call);
    this.#events.emit('call', call);
    return call;
  }
}
