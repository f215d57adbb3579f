/**
 * `startSimulator()`: assembles the parts (HTTP front, runner, notifier, recordings, control
 * plane) into one Hoiio stand-in; what every simulator does alike (its calls, request log and
 * violations, events, close) comes from SimulatorBase.
 */
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { ApiCore } from './api.js';
import { createSimulatorControl } from './control.js';
import { SimulatorClosedError } from './errors.js';
import { Notifier } from './notifier.js';
import { get, isNotifyUrl, type Params } from './params.js';
import { RecordingStore } from './recordings.js';
import { Runner } from './runner.js';
import { HttpFront } from './server.js';
import { CallSession, type CallHost } from './session.js';
import { SimulatorBase } from './simulator-base.js';
import type {
  CallerAgent,
  CallState,
  Direction,
  ForgeOptions,
  ForgeResult,
  RequestLogEntry,
  RingOptions,
  SimCall,
  Simulator,
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

const HOIIO_CONCURRENT_CALLS = 8;

/** Starts a simulator listening on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const sim = new HoiioSimulator(options);
  await sim.listen(options.port ?? 0);
  return sim;
}

class HoiioSimulator extends SimulatorBase implements Simulator, ApiCore, CallHost {
  readonly appId: string;
  readonly accessToken: string;
  readonly concurrentCallLimit: number;
  readonly runner: Runner;

  readonly #options: SimulatorOptions;
  readonly #notifier: Notifier;
  readonly #recordings: RecordingStore;
  readonly #http: HttpFront;
  #callNumber = 0;

  constructor(options: SimulatorOptions) {
    super(options);
    this.#options = options;
    this.appId = options.appId;
    this.accessToken = options.accessToken;
    this.concurrentCallLimit = options.concurrentCallLimit ?? HOIIO_CONCURRENT_CALLS;
    const timing: SimulatorTiming = { ...DEFAULT_TIMING, ...options.timing };
    this.#recordings = new RecordingStore(() => this.url, this.clock);
    this.#notifier = new Notifier({
      lifetime: this.lifetime,
      accessToken: options.accessToken,
      sign: options.signNotifications ?? true,
      encoding: options.notificationEncoding ?? 'body',
      timeoutMs: timing.notifyTimeoutMs,
      reorderHoldMs: timing.reorderHoldMs,
      fault: (ctx) => this.faults.notification(ctx),
      work: this.work,
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
      faults: () => this.faults,
      control: getRequestListener(root.fetch, { overrideGlobalObjects: false }),
    });
  }

  ring(options: RingOptions): SimCall {
    const { from, url, caller } = this.checkRing(options, this.#options.voiceNotifyUrl, (u) => (isNotifyUrl(u) ? undefined : `the Voice Notify URL must be http(s): ${u}`));
    const call = this.#newCall('inbound', from, options.to, caller, 'ringing');
    this.runner.ring(call, url);
    return call;
  }

  forge(
    session: string,
    fields: Readonly<Record<string, string>>,
    url: string,
    options?: ForgeOptions,
  ): Promise<ForgeResult> {
    if (this.closed) return Promise.reject(new SimulatorClosedError());
    return this.#notifier.forge(this.sessions.get(session), url, { session, ...fields }, options);
  }

  protected serve(port: number): Promise<number> {
    return this.#http.listen(port);
  }

  protected async shutDown(): Promise<void> {
    await this.#notifier.close();
    await this.#http.close();
  }

  // --- ApiCore / CallHost ----------------------------------------------------------------

  call(session: string): CallSession | undefined {
    return this.sessions.get(session);
  }

  activeCalls(): number {
    let n = 0;
    for (const call of this.sessions.values()) if (call.state !== 'ended') n++;
    return n;
  }

  createOutboundCall(params: Params): CallSession {
    const dest = get(params, 'dest') ?? '';
    const from = get(params, 'caller_id') ?? this.accountNumber;
    return this.#newCall('outbound', from, dest, this.calleeFor(dest), 'busy');
  }

  logRequest(entry: Omit<RequestLogEntry, 'seq' | 'at'>): void {
    this.requestLog.push({ ...entry, seq: this.nextSeq(), at: this.clock() });
  }

  violation(v: Omit<Violation, 'seq' | 'at'>): void {
    const full: Violation = { ...v, seq: this.nextSeq(), at: this.clock() };
    this.violationLog.push(full);
    this.events.emit('violation', full);
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
    return this.addCall(call);
  }
}
