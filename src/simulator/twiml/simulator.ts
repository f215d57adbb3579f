/**
 * `startTwimlSimulator()`: a TwiML provider (Twilio, Telnyx TeXML or
 * SignalWire) on the simulated phone network. The network half is shared with
 * every dialect (CallSession and its caller agents, the Lifetime, recordings,
 * the `/sim` control plane); this file adds the dialect: signed webhooks that
 * fetch TwiML (player.ts), the REST API for outbound calls, forced hangups and
 * call recordings (rest-api.ts), and the status callback at the end of a call.
 * Like the Hoiio simulator it talks HTTP only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { Agent, request } from 'undici';
import { isE164 } from '../../util/e164.js';
import { errorCode } from '../../util/error-code.js';
import { isHttpUrl } from '../../util/http-url.js';
import { readLimited } from '../../util/read-limited.js';
import { billedMinutes } from '../billing.js';
import { createSimulatorControl } from '../control.js';
import { InvalidRingError, SimulatorClosedError } from '../errors.js';
import { LoopbackServer } from '../loopback-server.js';
import { forNumber } from '../per-number.js';
import { RecordingStore } from '../recordings.js';
import { CallSession, type CallHost } from '../session.js';
import { SimulatorBase } from '../simulator-base.js';
import type {
  BlockName,
  CallerAgent,
  CallState,
  DialOutcome,
  Direction,
  EndInfo,
  EndReason,
  FaultPlan,
  ForgeOptions,
  NotificationEntry,
  ForgeResult,
  RingOptions,
  SimCall,
  Simulator,
  SimulatorTiming,
  Violation,
} from '../types.js';
import { accountOf, DIALECT_SPECS, newCredentials, restAuthorization, signerOf, wrongSignerOf, type TwimlCredentials, type TwimlDialectSpec, type TwimlProvider } from './dialects.js';
import { heardOf } from './heard.js';
import { DIAL_CALL_STATUS, ringOutbound, TwimlPlayer, type PlayerHost } from './player.js';
import { restFields, routeRest, type RestAction } from './rest-api.js';
import type { TwimlSigner } from './sign.js';
import { parseTwimlReply, type TwimlElement } from './xml.js';
import type { WebhookAnswer } from './app-errors.js';

/** Transport errors that mean the app could not be reached at all (Twilio's 11205 rather than 11200). */
const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export interface TwimlSimulatorOptions {
  readonly provider: TwimlProvider;
  /** The account; default: a fresh one with random secrets. */
  readonly credentials?: TwimlCredentials;
  /** Default 0: an ephemeral port on 127.0.0.1. */
  readonly port?: number;
  /** The number's voice URL (the app's `/{provider}/voice`). */
  readonly voiceUrl?: string | ((to: string) => string | undefined);
  /** The number's status callback (the app's `/{provider}/status`). */
  readonly statusUrl?: string | ((to: string) => string | undefined);
  /** How the number's voice URL is requested (a number may be set to GET); default POST, as the providers default. */
  readonly voiceMethod?: 'GET' | 'POST';
  /** The number's fallback URL: requested once, with ErrorCode and ErrorUrl, when the app's answer cannot be run. */
  readonly fallbackUrl?: string | ((to: string) => string | undefined);
  /** Where a URL the app wrote is actually requested (its public URL mapped to where it listens); signatures cover the URL as written. */
  readonly reach?: (url: string) => string;
  readonly defaultCaller?: CallerAgent;
  readonly outboundCaller?: CallerAgent;
  readonly outboundCallers?: Readonly<Record<string, CallerAgent>>;
  readonly faults?: FaultPlan;
  /** `notifyTimeoutMs` is the webhook timeout (default: the provider's, 15 s). */
  readonly timing?: Partial<SimulatorTiming>;
  readonly clock?: () => number;
  /** The account's number: shown as `from` where the app gives none. */
  readonly accountNumber?: string;
}

export interface TwimlSimulator extends Simulator {
  readonly provider: TwimlProvider;
  readonly credentials: TwimlCredentials;
  /** The REST API's root for the app's `--provider-api-url` (no trailing slash). */
  readonly apiUrl: string;
  /** The number the simulator gives an outbound call when the app names none. */
  readonly accountNumber: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startTwimlSimulator(options: TwimlSimulatorOptions): Promise<TwimlSimulator> {
  const sim = new TwimlProviderSimulator(options);
  await sim.listen(options.port ?? 0);
  return sim;
}

interface CallExtras {
  readonly statusUrl: string | undefined;
  readonly direction: 'inbound' | 'outbound-api';
  recordings: number;
  monitorStartedAt?: number;
  monitorSecondsAtStart?: number;
}

class TwimlProviderSimulator extends SimulatorBase implements TwimlSimulator, CallHost, PlayerHost {
  readonly provider: TwimlProvider;
  readonly credentials: TwimlCredentials;
  readonly actionOnEmptyResult: boolean;
  readonly speakMs: number;
  readonly inputTimeoutMs: number;
  readonly secondMs: number;

  readonly #o: TwimlSimulatorOptions;
  readonly #spec: TwimlDialectSpec;
  readonly #signer: TwimlSigner;
  readonly #webhookTimeoutMs: number;
  readonly #extras = new Map<CallSession, CallExtras>();
  readonly #recordings: RecordingStore;
  readonly #player: TwimlPlayer;
  readonly #dispatcher = new Agent({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });
  readonly #server: LoopbackServer;
  readonly #control: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
  #callNumber = 0;
  #requestIndex = 0;
  #notificationIndex = 0;
  #notificationId = 0;

  constructor(o: TwimlSimulatorOptions) {
    super(o);
    this.#o = o;
    this.provider = o.provider;
    this.credentials = o.credentials ?? newCredentials(o.provider);
    if (this.credentials.provider !== o.provider) throw new InvalidRingError(`credentials for ${this.credentials.provider} given to the ${o.provider} simulator`);
    this.#spec = DIALECT_SPECS[o.provider];
    this.#signer = signerOf(this.credentials);
    this.actionOnEmptyResult = this.#spec.actionOnEmptyResult;
    this.speakMs = o.timing?.speakMs ?? 0;
    this.inputTimeoutMs = o.timing?.inputTimeoutMs ?? 0;
    this.secondMs = o.timing?.secondMs ?? 0;
    this.#webhookTimeoutMs = o.timing?.notifyTimeoutMs ?? this.#spec.webhookTimeoutMs;
    this.#recordings = new RecordingStore(() => this.url, this.clock);
    this.#player = new TwimlPlayer(this);
    this.#control = getRequestListener(new Hono().route('/sim', createSimulatorControl(this)).fetch, { overrideGlobalObjects: false });
    this.#server = new LoopbackServer(
      (req, res) => this.#handle(req, res),
      (res, err) => json(res, 500, { message: String(err) }),
    );
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  ring(options: RingOptions): SimCall {
    const { from, url, caller } = this.checkRing(options, this.#o.voiceUrl, (u) => (isHttpUrl(u) ? undefined : `the voice URL must be http(s): ${u}`));
    const call = this.#newCall('inbound', from, options.to, caller, 'ringing', forNumber(this.#o.statusUrl, options.to));
    call.add({ kind: 'call', event: 'ringing' });
    // The first webhook goes out on a later turn, as the Hoiio simulator's ringing notification does: tools set a call up first.
    setImmediate(() => {
      if (!this.closed) void this.#player.play(call, { url, fields: { CallStatus: 'ringing' }, method: this.#o.voiceMethod ?? 'POST' });
    });
    return call;
  }

  async forge(session: string, fields: Readonly<Record<string, string>>, url: string, options: ForgeOptions = {}): Promise<ForgeResult> {
    if (this.closed) throw new SimulatorClosedError();
    const call = this.sessions.get(session);
    const all = { ...(call !== undefined ? this.#baseFields(call) : { CallSid: session, AccountSid: accountOf(this.credentials) }), ...fields };
    const mode = options.signature ?? 'none';
    const signer = mode === 'valid' ? this.#signer : mode === 'invalid' ? wrongSignerOf(this.credentials) : undefined;
    const result = await this.#post(call, url, all, signer, true);
    return 'error' in result ? { error: result.error, body: '' } : { status: result.status, body: result.text };
  }

  protected serve(port: number): Promise<number> {
    return this.#server.listen(port);
  }

  protected async shutDown(): Promise<void> {
    await this.#server.close();
    await this.#dispatcher.destroy().catch(() => undefined);
  }

  // --- CallHost / PlayerHost -------------------------------------------------------------

  callerHangup(call: CallSession): void {
    if (call.direction === 'outbound' && !call.answered) this.end(call, 'dial-failed', { dialStatus: 'busy' });
    else this.end(call, 'caller-hangup');
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.lifetime.sleep(ms, signal);
  }

  recordingsStarted(call: CallSession): number {
    return this.#extras.get(call)?.recordings ?? 0;
  }

  recording(call: CallSession, seconds: number): { url: string; sid: string } {
    const url = this.#recordings.create(call.session, seconds);
    return { url, sid: `RE${/rec-(\d+)/.exec(url)?.[1] ?? '0'}` };
  }

  answer(call: CallSession): void {
    if (call.answered || call.state === 'ended') return;
    call.answeredAt = this.clock();
    call.add({ kind: 'call', event: 'answered' });
    call.setState('busy');
  }

  end(call: CallSession, reason: EndReason, detail: { dialStatus?: DialOutcome; transferStatus?: DialOutcome; error?: string } = {}): void {
    if (call.state === 'ended') return;
    const at = this.clock();
    const extras = this.#extras.get(call);
    let monitorRecordUrl: string | undefined;
    if (extras?.monitorStartedAt !== undefined) {
      const wall = this.secondMs > 0 ? (at - extras.monitorStartedAt) / this.secondMs : 0;
      monitorRecordUrl = this.#recordings.create(call.session, Math.max(wall, call.simulatedSeconds - (extras.monitorSecondsAtStart ?? 0)));
    }
    const info: EndInfo = {
      reason,
      at,
      answered: call.answered,
      durationMinutes: billedMinutes(call.answeredAt, at, call.simulatedSeconds),
      ...(detail.dialStatus !== undefined ? { dialStatus: detail.dialStatus } : {}),
      ...(detail.transferStatus !== undefined ? { transferStatus: detail.transferStatus } : {}),
      ...(monitorRecordUrl !== undefined ? { monitorRecordUrl } : {}),
      ...(detail.error !== undefined ? { error: detail.error } : {}),
    };
    if (!call.finish(info)) return;
    const status = reason === 'dial-failed' ? DIAL_CALL_STATUS[detail.dialStatus ?? 'failed'] : reason === 'rejected' ? 'busy' : 'completed';
    const url = extras?.statusUrl;
    if (url !== undefined && !this.closed) {
      const seconds = call.answeredAt === undefined ? 0 : Math.max(Math.round((at - call.answeredAt) / 1000), Math.round(call.simulatedSeconds));
      void this.#post(call, url, { ...this.#baseFields(call), CallStatus: status, CallDuration: String(seconds) }, this.#signer, false);
    }
  }

  get applicationErrorMessage(): string {
    return this.#spec.applicationErrorMessage;
  }

  fallbackUrl(call: CallSession): string | undefined {
    return forNumber(this.#o.fallbackUrl, call.direction === 'inbound' ? call.to : call.from);
  }

  async webhook(call: CallSession, url: string, fields: Record<string, string>, method: 'GET' | 'POST'): Promise<WebhookAnswer> {
    const result = await this.#post(call, url, { ...this.#baseFields(call), ...fields }, this.#signer, false, method);
    if ('error' in result) return { failure: result.failure, detail: result.error };
    return { status: result.status, contentType: result.contentType, text: result.text };
  }

  // --- HTTP out ----------------------------------------------------------------------------

  #baseFields(call: CallSession): Record<string, string> {
    const extras = this.#extras.get(call);
    return {
      CallSid: call.session,
      AccountSid: accountOf(this.credentials),
      From: call.from,
      To: call.to,
      Direction: extras?.direction ?? 'inbound',
      ...this.#spec.extraFields(call.session),
    };
  }

  /** A signed form POST to the app, recorded in the call's transcript; a fault plan may delay or drop it. */
  async #post(
    call: CallSession | undefined,
    url: string,
    fields: Record<string, string>,
    signer: TwimlSigner | undefined,
    forged: boolean,
    method: 'GET' | 'POST' = 'POST',
  ): Promise<{ status: number; contentType: string; text: string } | { error: string; failure: 'timeout' | 'unreachable' | 'other' }> {
    this.work.begin();
    try {
      const fault = call !== undefined && !forged ? this.faults.notification({ kind: 'notification', index: this.#notificationIndex++, session: call.session, callIndex: call.notificationCount++, url, fields }) : undefined;
      if (fault?.delayMs !== undefined && fault.delayMs > 0) await this.lifetime.sleep(fault.delayMs);
      const entries = Object.entries(fields);
      const form = new URLSearchParams(entries).toString();
      // GET: the fields travel in the query, and the signature covers that whole URL with no body.
      const target = method === 'GET' ? `${url}${url.includes('?') ? '&' : '?'}${form}` : url;
      const body = method === 'GET' ? '' : form;
      const headers: Record<string, string> = {
        ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(signer?.(target, body, method === 'GET' ? [] : entries) ?? {}),
      };
      const signature = headers['X-Twilio-Signature'] ?? headers['X-SignalWire-Signature'] ?? headers['telnyx-signature-ed25519'];
      const id = ++this.#notificationId;
      const entry: NotificationEntry | undefined = call?.add({ kind: 'notification', id, url, fields: { ...fields }, copy: 0, forged, ...(signature !== undefined ? { signature } : {}) });
      const started = performance.now();
      const finish = (result: { status?: number; error?: string }): void => {
        if (call === undefined || entry === undefined) return;
        const done = { ...result, ms: Math.round(performance.now() - started) };
        entry.result = done;
        call.add({ kind: 'delivery', notificationId: id, result: done });
      };
      if (fault?.drop === true) {
        finish({ error: 'dropped' });
        return { error: 'dropped', failure: 'other' };
      }
      const ac = new AbortController();
      let timedOut = false;
      const cancel = this.lifetime.timer(this.#webhookTimeoutMs, () => {
        timedOut = true;
        ac.abort(new Error('timeout'));
      });
      const onClose = (): void => ac.abort(new Error('closed'));
      this.lifetime.signal.addEventListener('abort', onClose, { once: true });
      try {
        const res = await request(this.#o.reach?.(target) ?? target, { method, headers, ...(method === 'POST' ? { body } : {}), dispatcher: this.#dispatcher, signal: ac.signal });
        const text = await res.body.text();
        finish({ status: res.statusCode });
        const type = res.headers['content-type'];
        return { status: res.statusCode, contentType: (Array.isArray(type) ? type[0] : type) ?? '', text };
      } catch (err) {
        const error = timedOut ? 'timeout' : this.closed ? 'closed' : failureName(err);
        finish({ error });
        const failure = timedOut ? 'timeout' : UNREACHABLE.has(error) ? 'unreachable' : 'other';
        return { error: timedOut ? `no answer from ${url} within ${this.#webhookTimeoutMs} ms` : `${url}: ${error}`, failure };
      } finally {
        cancel();
        this.lifetime.signal.removeEventListener('abort', onClose);
      }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err), failure: 'other' };
    } finally {
      this.work.done();
    }
  }

  // --- HTTP in: control plane, recordings, REST --------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path === '/sim' || path.startsWith('/sim/')) {
      await this.#control(req, res);
      return;
    }
    if (path.startsWith('/recordings/')) {
      const r = this.#recordings.serve(path, url.searchParams);
      res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': r.body.length });
      res.end(req.method === 'HEAD' ? undefined : r.body);
      return;
    }
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const fields = raw === undefined ? undefined : restFields(req.headers['content-type'] ?? '', raw);
    const log = (response: string, httpStatus: number, block?: BlockName, session?: string): void => {
      this.requestLog.push({
        seq: this.nextSeq(),
        at: this.clock(),
        method,
        path,
        params: fields ?? {},
        response,
        httpStatus,
        ...(block !== undefined ? { block } : {}),
        ...(session !== undefined ? { session } : {}),
      });
    };
    if (raw === undefined) {
      log('too-large', 413);
      json(res, 413, { message: 'the request body is too large' });
      return;
    }
    if ((req.headers.authorization ?? '') !== restAuthorization(this.credentials)) {
      log('unauthorized', 401);
      this.#violation('auth', `${method} ${path}: wrong or missing credentials`, '401');
      json(res, 401, { code: 20003, message: 'Authenticate' });
      return;
    }
    if (method !== 'POST' || fields === undefined) {
      log('bad-request', method !== 'POST' ? 405 : 400);
      this.#violation(method !== 'POST' ? 'http-method' : 'invalid-params', `${method} ${path}`, method !== 'POST' ? '405' : '400');
      json(res, method !== 'POST' ? 405 : 400, { message: method !== 'POST' ? 'only POST is simulated' : 'the body cannot be read' });
      return;
    }
    const route = routeRest(this.#spec, accountOf(this.credentials), path, fields);
    if (!route.ok) {
      log('not-found', route.status);
      this.#violation('unknown-path', `${method} ${path}`, String(route.status));
      json(res, route.status, { code: 20404, message: route.message });
      return;
    }
    const action = route.action;
    const block: BlockName = action.kind === 'create-call' ? 'dial' : action.kind === 'start-recording' ? 'monitor' : 'hangup';
    const session = action.kind === 'create-call' ? undefined : action.callSid;
    const target = session !== undefined ? this.sessions.get(session) : undefined;
    const fault = this.faults.request({ kind: 'request', index: this.#requestIndex++, block, params: fields, ...(session !== undefined ? { session } : {}), callIndex: target !== undefined ? target.requestCount++ : 0 });
    if (fault?.delayMs !== undefined && fault.delayMs > 0) await this.lifetime.sleep(fault.delayMs);
    const faultStatus = fault?.httpStatus ?? (fault?.status !== undefined ? 500 : undefined);
    if (faultStatus !== undefined) {
      log(`http-${faultStatus}`, faultStatus, block, session);
      json(res, faultStatus, { message: fault?.body ?? fault?.status ?? 'simulated failure' });
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
    const answer = this.#rest(action);
    log(String(answer.status), answer.status, block, answer.session ?? session);
    json(res, answer.status, answer.body);
    answer.then?.();
  }

  #rest(action: RestAction): { status: number; body: Record<string, unknown>; session?: string; then?: () => void } {
    switch (action.kind) {
      case 'create-call': {
        const to = action.fields.To ?? '';
        const from = action.fields.From ?? '';
        const url = action.fields.Url ?? '';
        if (!isE164(to)) return { status: 400, body: { code: 21217, message: `To ${JSON.stringify(to)} is not a valid phone number` } };
        if (from === '') return { status: 400, body: { code: 21603, message: 'A From phone number is required' } };
        if (!isHttpUrl(url) && action.fields.Twiml === undefined && action.fields.Texml === undefined) {
          return { status: 400, body: { code: 21205, message: 'Url is not a valid URL' } };
        }
        const statusUrl = action.fields.StatusCallback !== undefined && action.fields.StatusCallback !== '' ? action.fields.StatusCallback : forNumber(this.#o.statusUrl, to);
        const call = this.#newCall('outbound', from, to, this.calleeFor(to), 'busy', statusUrl);
        call.add({ kind: 'block', block: 'dial', method: 'POST', params: { dest: to, caller_id: from }, response: 'accepted' });
        const sid = call.session;
        const body =
          this.provider === 'telnyx'
            ? { call_sid: sid, account_sid: accountOf(this.credentials), from, to, status: 'queued' }
            : { sid, account_sid: accountOf(this.credentials), from, to, status: 'queued', direction: 'outbound-api' };
        // The callee is rung once the answer is out: the app learns the SID before any webhook, as with the real API.
        return { status: 201, body, session: sid, then: () => setImmediate(() => void ringOutbound(this.#player, this, call, url)) };
      }
      case 'update-call': {
        const call = this.sessions.get(action.callSid);
        if (call === undefined) return { status: 404, body: { code: 20404, message: `The requested resource Call ${action.callSid} was not found` } };
        if (call.state === 'ended') return { status: 200, body: { sid: call.session, status: 'completed' } };
        const status = action.fields.Status;
        const twiml = action.fields.Twiml ?? action.fields.Texml;
        if (status === 'completed' || status === 'canceled') {
          call.add({ kind: 'block', block: 'hangup', method: 'POST', params: { force: 'enabled' }, response: 'accepted' });
          call.endKnownToEngine = true;
          this.end(call, 'script-hangup');
          return { status: 200, body: { sid: call.session, status: 'completed' } };
        }
        if (twiml !== undefined) {
          let reply: TwimlElement;
          try {
            reply = parseTwimlReply(twiml);
          } catch (err) {
            return { status: 400, body: { code: 21220, message: `Invalid TwiML: ${err instanceof Error ? err.message : String(err)}` } };
          }
          // New instructions replace the call's; callscript sends only a goodbye and <Hangup/>, which is what is run here.
          const heard = reply.children.flatMap((v) => (typeof v === 'string' ? [] : [heardOf(v)])).filter((p) => p !== undefined);
          call.add({ kind: 'block', block: 'hangup', method: 'POST', params: {}, response: 'accepted', ...(heard.length > 0 ? { heard } : {}) });
          call.endKnownToEngine = true;
          this.end(call, 'script-hangup');
          return { status: 200, body: { sid: call.session, status: 'completed' } };
        }
        return { status: 400, body: { code: 21220, message: 'nothing to update: give Status=completed or new instructions' } };
      }
      case 'start-recording': {
        const call = this.sessions.get(action.callSid);
        if (call === undefined) return { status: 404, body: { code: 20404, message: `The requested resource Call ${action.callSid} was not found` } };
        if (call.state === 'ended') return { status: 400, body: { code: 21220, message: 'Call is not in-progress' } };
        const extras = this.#extras.get(call);
        if (extras !== undefined) {
          extras.recordings++;
          extras.monitorStartedAt ??= this.clock();
          extras.monitorSecondsAtStart ??= call.simulatedSeconds;
        }
        return { status: 201, body: { sid: `RE${String(this.lastSeq).padStart(32, '0')}`, call_sid: call.session, status: 'in-progress' } };
      }
    }
  }

  #violation(kind: Violation['kind'], detail: string, status: string): void {
    const v: Violation = { seq: this.nextSeq(), at: this.clock(), kind, status, detail };
    this.violationLog.push(v);
    this.events.emit('violation', v);
  }

  #newCall(direction: Direction, from: string, to: string, agent: CallerAgent, state: CallState, statusUrl: string | undefined): CallSession {
    const sid = this.#spec.newCallSid(++this.#callNumber);
    const call = new CallSession(this, { session: sid, txnRef: sid, direction, from, to, agent, state });
    this.#extras.set(call, { statusUrl, direction: direction === 'inbound' ? 'inbound' : 'outbound-api', recordings: 0 });
    return this.addCall(call);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const body = await readLimited(req, MAX_BODY_BYTES);
  return body.ok ? body.bytes.toString('utf8') : undefined;
}

function failureName(err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.message : String(err));
}
