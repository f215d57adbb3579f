/**
 * The shell of a simulator whose provider runs each call by requesting the
 * app's webhooks, with a REST API beside them for outbound calls and forced
 * hangups: the TwiML family and jambonz. (Hoiio is the other way round: the
 * app drives each call over REST and is only notified, so it stands on
 * SimulatorBase alone.) What such a provider does the same way, whatever it
 * speaks: the pace its player reads, one loopback server that also serves the
 * `/sim` control plane, one webhook sender, answering and ending a call, and
 * its REST API's request log, violations and request faults. The dialect
 * keeps its wire format: fields, signatures, encodings, verbs, REST routes and
 * error bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { readLimited, type LimitedBody } from '../util/read-limited.js';
import { billedMinutes } from './billing.js';
import { createSimulatorControl } from './control.js';
import { sendJson } from './json-reply.js';
import { LoopbackServer } from './loopback-server.js';
import type { CallHost, CallSession } from './session.js';
import { SimulatorBase, type SimulatorBaseOptions } from './simulator-base.js';
import type { BlockName, DialOutcome, EndInfo, EndReason, HeardPart, SimulatorTiming, Violation } from './types.js';
import { WebhookSender } from './webhook-sender.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookSimulatorOptions extends SimulatorBaseOptions {
  /** Default 0: an ephemeral port on 127.0.0.1. */
  readonly port?: number;
  /** Where a URL the app wrote is actually requested (its public URL mapped to where it listens); a signature covers the URL or body as the app wrote it. */
  readonly reach?: (url: string) => string;
  /** `notifyTimeoutMs` is the webhook timeout (default: the provider's: 15 s on the TwiML family, the feature server's 10 s on jambonz). */
  readonly timing?: Partial<SimulatorTiming>;
}

/** What the shell needs to know of its provider. */
export interface WebhookDialect {
  /** The provider's webhook timeout, where the options set none. */
  readonly webhookTimeoutMs: number;
  /** The provider's JSON error body around a message (`{ message }`, `{ msg }`). */
  errorBody(message: string): Record<string, unknown>;
}

/** What a call's end carries beyond its reason. */
export interface EndDetail {
  readonly dialStatus?: DialOutcome;
  readonly transferStatus?: DialOutcome;
  readonly error?: string;
}

/** A call the shell has just ended: what its status callback reports, for the dialect to word. */
export interface CallEnded {
  /** How the call ended, as a dial's outcome: a call that ran its course is `answered`, one rejected `busy`. */
  readonly outcome: DialOutcome;
  /** How long it was up, in whole seconds: the wall clock or the simulated seconds (recordings, bridged talk), whichever is longer; 0 if never answered. */
  readonly seconds: number;
}

/** Records one REST request in the simulator's request log, with what it was answered. */
export type RequestLogger = (response: string, httpStatus: number, block?: BlockName, session?: string) => void;

/** A REST request the dialect has read and routed: what a request fault is asked about. */
export interface RestRequest {
  readonly block: BlockName;
  /** The call it is about; none for a new call. */
  readonly session?: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The dialect's answer to a REST request; `then` runs once it is out (an outbound call rings only after the app has its id). */
export interface RestAnswer {
  readonly status: number;
  /** JSON; none: an empty body. */
  readonly body?: Record<string, unknown>;
  /** The call the request made, where it made one. */
  readonly session?: string;
  readonly then?: () => void;
}

export abstract class WebhookSimulator extends SimulatorBase implements CallHost {
  // Zero unless a test slows the call down to watch it: the player waits this long for what is said, a silent caller and each simulated second.
  readonly speakMs: number;
  readonly inputTimeoutMs: number;
  readonly secondMs: number;
  protected readonly webhooks: WebhookSender;
  readonly #dialect: WebhookDialect;
  readonly #server: LoopbackServer;
  readonly #control: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
  #requestIndex = 0;

  constructor(options: WebhookSimulatorOptions, dialect: WebhookDialect) {
    super(options);
    this.#dialect = dialect;
    this.speakMs = options.timing?.speakMs ?? 0;
    this.inputTimeoutMs = options.timing?.inputTimeoutMs ?? 0;
    this.secondMs = options.timing?.secondMs ?? 0;
    this.webhooks = new WebhookSender({
      lifetime: this.lifetime,
      work: this.work,
      faults: () => this.faults,
      timeoutMs: options.timing?.notifyTimeoutMs ?? dialect.webhookTimeoutMs,
      ...(options.reach !== undefined ? { reach: options.reach } : {}),
    });
    this.#control = getRequestListener(new Hono().route('/sim', createSimulatorControl(this)).fetch, { overrideGlobalObjects: false });
    this.#server = new LoopbackServer(
      (req, res) => this.#handle(req, res),
      (res, err) => sendJson(res, 500, dialect.errorBody(String(err))),
    );
  }

  /** The REST API's root for the app (no trailing slash). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Ends the call (once) and tells the app's status callback, in the dialect's words. */
  abstract end(call: CallSession, reason: EndReason, detail?: EndDetail): void;

  /** Answers a request that is not the control plane's: the dialect's REST API, and whatever else it serves. */
  protected abstract handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;

  protected serve(port: number): Promise<number> {
    return this.#server.listen(port);
  }

  protected async shutDown(): Promise<void> {
    await this.#server.close();
    await this.webhooks.close();
  }

  // --- CallHost and what the players ask of their simulator ---------------------------------

  callerHangup(call: CallSession): void {
    // An outbound call hung up before it was answered is one its callee declined.
    if (call.direction === 'outbound' && !call.answered) this.end(call, 'dial-failed', { dialStatus: 'busy' });
    else this.end(call, 'caller-hangup');
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.lifetime.sleep(ms, signal);
  }

  answer(call: CallSession): void {
    if (call.answered || call.state === 'ended') return;
    call.answeredAt = this.clock();
    call.add({ kind: 'call', event: 'answered' });
    call.setState('busy');
  }

  /**
   * The part of end() every dialect shares: the call is finished with its
   * billing, unless it had ended already (then undefined, and the app is told
   * nothing twice). `monitorRecordUrl` cuts a recording still running at the
   * end time, since the dialect keeps its recordings.
   */
  protected finishCall(call: CallSession, reason: EndReason, detail: EndDetail, monitorRecordUrl?: (at: number) => string | undefined): CallEnded | undefined {
    if (call.state === 'ended') return undefined;
    const at = this.clock();
    const monitor = monitorRecordUrl?.(at);
    const info: EndInfo = {
      reason,
      at,
      answered: call.answered,
      durationMinutes: billedMinutes(call.answeredAt, at, call.simulatedSeconds),
      ...(detail.dialStatus !== undefined ? { dialStatus: detail.dialStatus } : {}),
      ...(detail.transferStatus !== undefined ? { transferStatus: detail.transferStatus } : {}),
      ...(monitor !== undefined ? { monitorRecordUrl: monitor } : {}),
      ...(detail.error !== undefined ? { error: detail.error } : {}),
    };
    if (!call.finish(info)) return undefined;
    const outcome: DialOutcome = reason === 'dial-failed' ? (detail.dialStatus ?? 'failed') : reason === 'rejected' ? 'busy' : 'answered';
    const seconds = call.answeredAt === undefined ? 0 : Math.max(Math.round((at - call.answeredAt) / 1000), Math.round(call.simulatedSeconds));
    return { outcome, seconds };
  }

  /** Shows an inbound call ringing, then asks the app on a later turn, as every simulator rings: tools set a call up first. */
  protected ringThen(call: CallSession, firstWebhook: () => Promise<void>): void {
    call.add({ kind: 'call', event: 'ringing' });
    setImmediate(() => {
      if (!this.closed) void firstWebhook();
    });
  }

  /** An outbound call the app placed over REST: its transcript opens with the Dial block an engine would have sent. */
  protected dialled(call: CallSession): void {
    call.add({ kind: 'block', block: 'dial', method: 'POST', params: { dest: call.to, caller_id: call.from }, response: 'accepted' });
  }

  /** The app ended the call over REST: a hangup block (forced, or with what the new instructions say), and an end the engine knows it caused. */
  protected hungUpByApp(call: CallSession, params: Record<string, string>, heard: readonly HeardPart[] = []): void {
    call.add({ kind: 'block', block: 'hangup', method: 'POST', params, response: 'accepted', ...(heard.length > 0 ? { heard: [...heard] } : {}) });
    call.endKnownToEngine = true;
    this.end(call, 'script-hangup');
  }

  // --- HTTP in: the control plane, then the dialect's REST API --------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/sim' || url.pathname.startsWith('/sim/')) {
      await this.#control(req, res);
      return;
    }
    await this.handleApi(req, res, url);
  }

  /** A REST request's body, up to the size every simulator accepts. */
  protected readBody(req: IncomingMessage): Promise<LimitedBody> {
    return readLimited(req, MAX_BODY_BYTES);
  }

  protected requestLogger(method: string, path: string, params: Readonly<Record<string, string>>): RequestLogger {
    return (response, httpStatus, block, session) => {
      this.requestLog.push({
        seq: this.nextSeq(),
        at: this.clock(),
        method,
        path,
        params,
        response,
        httpStatus,
        ...(block !== undefined ? { block } : {}),
        ...(session !== undefined ? { session } : {}),
      });
    };
  }

  /** The app used the REST API in a way the provider refuses. */
  protected violation(kind: Violation['kind'], detail: string, status: string): void {
    const v: Violation = { seq: this.nextSeq(), at: this.clock(), kind, status, detail };
    this.violationLog.push(v);
    this.events.emit('violation', v);
  }

  /**
   * Answers a REST request the dialect has accepted: the fault plan is asked
   * first and may delay it, answer an error (`status` is answered as a 500:
   * these APIs have no status field), reset the connection or never answer;
   * a faulted request does nothing. Otherwise `run` acts and its answer goes out.
   */
  protected async answerRest(req: IncomingMessage, res: ServerResponse, request: RestRequest, log: RequestLogger, run: () => RestAnswer): Promise<void> {
    const { block, session, params } = request;
    const target = session !== undefined ? this.sessions.get(session) : undefined;
    const fault = this.faults.request({ kind: 'request', index: this.#requestIndex++, block, params, ...(session !== undefined ? { session } : {}), callIndex: target !== undefined ? target.requestCount++ : 0 });
    if (fault?.delayMs !== undefined && fault.delayMs > 0) await this.lifetime.sleep(fault.delayMs);
    const faultStatus = fault?.httpStatus ?? (fault?.status !== undefined ? 500 : undefined);
    if (faultStatus !== undefined) {
      log(`http-${faultStatus}`, faultStatus, block, session);
      sendJson(res, faultStatus, this.#dialect.errorBody(fault?.body ?? fault?.status ?? 'simulated failure'));
      return;
    }
    if (fault?.reset === true) {
      log('reset', 0, block, session);
      req.socket.destroy();
      return;
    }
    if (fault?.hang === true) {
      log('hang', 0, block, session);
      this.#server.hang(res);
      return;
    }
    const answer = run();
    log(String(answer.status), answer.status, block, answer.session ?? session);
    if (answer.body === undefined) res.writeHead(answer.status).end();
    else sendJson(res, answer.status, answer.body);
    answer.then?.();
  }
}
