/**
 * `startJambonzSimulator()`: a jambonz feature server (and the REST API in
 * front of it) on the simulated phone network. The network half is shared with
 * every dialect (CallSession and its caller agents, the Lifetime, the `/sim`
 * control plane), and with the TwiML family the shell of a provider that asks
 * the app by webhooks (../webhook-simulator.ts: sending a webhook, answering
 * and ending a call, the REST API's log and faults); this file adds jambonz's
 * side: JSON hooks signed with
 * `Jambonz-Signature`, the verb arrays they answer run by the player (and
 * checked first with @jambonz/verb-specifications, as the feature server
 * does), the `listen` WebSocket a recording streams to, the call status hook
 * at the end, and the REST API for outbound calls and forced hangups
 * (../shared/providers.md §1, §2.2, §3.2, §4.4, §5, §6). Like the other
 * simulators it talks HTTP (and WebSocket) only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHttpUrl } from '../../util/http-url.js';
import { sameSecret } from '../../util/secure-compare.js';
import { SimulatorClosedError } from '../errors.js';
import { sendJson } from '../json-reply.js';
import { forNumber, type PerNumber } from '../per-number.js';
import { CallSession } from '../session.js';
import type { BlockName, CallerAgent, CallState, Direction, EndReason, ForgeOptions, ForgeResult, RingOptions, SimCall, Simulator } from '../types.js';
import { forgeResult, type WebhookResult } from '../webhook-sender.js';
import { WebhookSimulator, type EndDetail, type RestAnswer, type WebhookSimulatorOptions } from '../webhook-simulator.js';
import { streamListen } from './listen.js';
import { DIAL_CALL_STATUS, JambonzPlayer, ringOutbound, type JambonzPlayerHost } from './player.js';
import { routeJambonzRest, type JambonzRestAction } from './rest-api.js';
import { jambonzSigner, type JambonzSigner } from './sign.js';
import { readReply, type Hook, type JambonzVerb, type ListenVerb } from './verbs.js';

/** The account the simulator serves: what REST requests must present, and the secret hooks are signed with. */
export interface JambonzCredentials {
  readonly accountSid: string;
  readonly applicationSid: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
}

export interface JambonzSimulatorOptions extends WebhookSimulatorOptions {
  /** The account; default: a fresh one with random secrets. */
  readonly credentials?: JambonzCredentials;
  /** The application's call hook (the app's `/jambonz/voice`), for a number or for all. */
  readonly callHook?: PerNumber;
  /** The application's call status hook (the app's `/jambonz/status`). */
  readonly statusHook?: PerNumber;
  /** The account's number: `from` where an outbound call names none (jambonz itself requires one). */
  readonly accountNumber?: string;
}

export interface JambonzSimulator extends Simulator {
  readonly credentials: JambonzCredentials;
  /** The REST API's root for the app's JAMBONZ_API_URL (no trailing slash; the client adds `/v1`). */
  readonly apiUrl: string;
  readonly accountNumber: string;
}

/** `JAMBONES_HTTP_TIMEOUT`'s default (§6). */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** The statuses the feature server takes a hook's answer with (§6). */
const ACCEPTED = new Set([200, 202, 204]);

export async function startJambonzSimulator(options: JambonzSimulatorOptions = {}): Promise<JambonzSimulator> {
  const sim = new FeatureServerSimulator(options);
  await sim.listen(options.port ?? 0);
  return sim;
}

/** A fresh account for a simulator started without one (dev, the test bench): nothing real to leak. */
export function newJambonzCredentials(): JambonzCredentials {
  return { accountSid: randomUUID(), applicationSid: randomUUID(), apiKey: randomUUID(), webhookSecret: `wh_secret_${randomBytes(12).toString('hex')}` };
}

interface CallExtras {
  /** The call hook the call started from: relative hooks are resolved against its origin (§3.2). */
  readonly base: string;
  readonly statusHook: Hook | undefined;
  readonly callId: string;
}

class FeatureServerSimulator extends WebhookSimulator implements JambonzSimulator, JambonzPlayerHost {
  readonly credentials: JambonzCredentials;

  readonly #o: JambonzSimulatorOptions;
  readonly #signer: JambonzSigner;
  readonly #extras = new Map<CallSession, CallExtras>();
  readonly #player: JambonzPlayer;

  constructor(o: JambonzSimulatorOptions) {
    super(o, { webhookTimeoutMs: WEBHOOK_TIMEOUT_MS, errorBody: (msg) => ({ msg }) });
    this.#o = o;
    this.credentials = o.credentials ?? newJambonzCredentials();
    this.#signer = jambonzSigner(this.credentials.webhookSecret);
    this.#player = new JambonzPlayer(this);
  }

  ring(options: RingOptions): SimCall {
    const { from, url, caller } = this.checkRing(options, this.#o.callHook, (u) => (isHttpUrl(u) ? undefined : `the call hook must be an http(s) URL: ${u}`));
    const status = forNumber(this.#o.statusHook, options.to);
    const call = this.#newCall('inbound', from, options.to, caller, 'ringing', url, status !== undefined ? { url: status, method: 'POST' } : undefined);
    this.ringThen(call, () => this.#player.play(call, { url, method: 'POST' }));
    return call;
  }

  async forge(session: string, fields: Readonly<Record<string, string>>, url: string, options: ForgeOptions = {}): Promise<ForgeResult> {
    if (this.closed) throw new SimulatorClosedError();
    const call = this.sessions.get(session);
    const payload = { ...(call !== undefined ? this.#callInfo(call) : { call_sid: session, account_sid: this.credentials.accountSid }), ...fields };
    const mode = options.signature ?? 'none';
    const signer = mode === 'valid' ? this.#signer : mode === 'invalid' ? jambonzSigner(`not-${this.credentials.webhookSecret}`) : undefined;
    return forgeResult(await this.#post(call, { url, method: 'POST' }, payload, signer, true));
  }

  // --- JambonzPlayerHost ---------------------------------------------------------------------

  end(call: CallSession, reason: EndReason, detail: EndDetail = {}): void {
    const ended = this.finishCall(call, reason, detail);
    if (ended === undefined) return;
    const status = DIAL_CALL_STATUS[ended.outcome];
    const hook = this.#extras.get(call)?.statusHook;
    if (hook === undefined || this.closed) return;
    const final: Record<string, unknown> = {
      ...this.#callInfo(call),
      call_status: status,
      sip_status: status === 'completed' ? 200 : status === 'busy' ? 486 : status === 'no-answer' ? 487 : 503,
      call_termination_by: reason === 'caller-hangup' ? 'caller' : 'jambonz',
      // Only a completed call carries its duration (the feature server asserts as much).
      ...(status === 'completed' ? { duration: ended.seconds } : {}),
    };
    void this.#post(call, this.#resolve(call, hook), final, this.#signer, false);
  }

  async hook(call: CallSession, hook: Hook, results: Readonly<Record<string, unknown>>): Promise<{ verbs: readonly JambonzVerb[] } | { error: string }> {
    const target = this.#resolve(call, hook);
    const result = await this.#post(call, target, { ...this.#callInfo(call), ...results }, this.#signer, false);
    if ('error' in result) return { error: result.error };
    if (!ACCEPTED.has(result.status)) return { error: `HTTP ${result.status} from ${target.url}: ${result.text.slice(0, 200)}` };
    // The feature server reads an answer only when it says it is JSON; anything else is no instructions.
    // A Content-Type sent more than once is no JSON type either.
    const contentType = typeof result.contentType === 'string' ? result.contentType : '';
    if (!contentType.includes('application/json') || result.text.trim() === '') return { verbs: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.text);
    } catch {
      return { error: `the answer from ${target.url} says application/json but is not JSON: ${result.text.slice(0, 200)}` };
    }
    const reply = readReply(parsed);
    if (!reply.ok) return { error: `the answer from ${target.url} fails jambonz's verb validation: ${reply.error}` };
    return { verbs: reply.verbs };
  }

  async stream(call: CallSession, verb: ListenVerb, seconds: number, signal: AbortSignal): Promise<{ error?: string }> {
    const extras = this.#extras.get(call);
    let url: string;
    try {
      // A listen URL is a WebSocket URL; reached like any other URL the app wrote.
      const absolute = new URL(verb.url, (extras?.base ?? '').replace(/^http/i, 'ws'));
      const asHttp = absolute.href.replace(/^ws/i, 'http');
      url = (this.#o.reach?.(asHttp) ?? asHttp).replace(/^http/i, 'ws');
    } catch {
      return { error: `the listen verb's url is not a URL: ${verb.url}` };
    }
    const metadata: Record<string, unknown> = { sampleRate: verb.sampleRate, mixType: verb.mixType, ...camel(this.#callInfo(call)), ...(verb.metadata ?? {}) };
    const result = await streamListen({
      url,
      metadata,
      sampleRate: verb.sampleRate,
      channels: verb.mixType === 'stereo' ? 2 : 1,
      seconds,
      secondMs: this.secondMs,
      sleep: (ms) => this.lifetime.sleep(ms, signal),
      signal,
    });
    return 'error' in result ? { error: result.error } : {};
  }

  // --- HTTP out ----------------------------------------------------------------------------

  /** What every hook of the call carries (§2.2: the base fields, snake_case). */
  #callInfo(call: CallSession): Record<string, unknown> {
    const extras = this.#extras.get(call);
    const answered = call.answered;
    return {
      call_sid: call.session,
      account_sid: this.credentials.accountSid,
      application_sid: this.credentials.applicationSid,
      direction: call.direction,
      from: call.from,
      to: call.to,
      call_id: extras?.callId ?? call.session,
      call_status: answered ? 'in-progress' : 'trying',
      sip_status: answered ? 200 : 100,
      sip_reason: answered ? 'OK' : 'Trying',
      trace_id: call.txnRef,
    };
  }

  /** A relative hook is resolved against the origin of the call's first hook, not its path (§3.2). */
  #resolve(call: CallSession, hook: Hook): Hook {
    if (isHttpUrl(hook.url)) return hook;
    const base = this.#extras.get(call)?.base;
    try {
      return { url: new URL(hook.url, base !== undefined ? new URL(base).origin : undefined).href, method: hook.method };
    } catch {
      return hook;
    }
  }

  /** A signed JSON request to the app, sent as every webhook is (webhook-sender.ts). */
  #post(call: CallSession | undefined, hook: Hook, payload: Readonly<Record<string, unknown>>, signer: JambonzSigner | undefined, forged: boolean): Promise<WebhookResult> {
    return this.webhooks.send(call, {
      url: hook.url,
      fields: flat(payload),
      forged,
      wire: () => {
        // The feature server signs JSON.stringify(payload) and posts those very bytes; a GET carries no body but is signed all the same.
        const body = JSON.stringify(payload);
        const headers: Record<string, string> = { ...(signer?.(body) ?? {}), ...(hook.method === 'POST' ? { 'content-type': 'application/json' } : {}) };
        const signature = headers['Jambonz-Signature'];
        return { url: hook.url, method: hook.method, headers, ...(hook.method === 'POST' ? { body } : {}), ...(signature !== undefined ? { signature } : {}) };
      },
    });
  }

  // --- HTTP in: REST ---------------------------------------------------------------------------

  protected async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const read = await this.readBody(req);
    let body: unknown;
    let params: Record<string, string> = {};
    if (read.ok) {
      const text = read.bytes.toString('utf8');
      try {
        body = text === '' ? {} : JSON.parse(text);
        if (typeof body === 'object' && body !== null && !Array.isArray(body)) params = flat(body as Record<string, unknown>);
      } catch {
        body = undefined;
      }
    }
    const log = this.requestLogger(method, path, params);
    if (!read.ok) {
      log(read.reason, read.reason === 'too-large' ? 413 : 400);
      if (read.reason === 'too-large') sendJson(res, 413, { msg: 'the request body is too large' });
      else res.destroy();
      return;
    }
    if (!sameSecret(req.headers.authorization ?? '', `Bearer ${this.credentials.apiKey}`)) {
      log('unauthorized', 401);
      this.violation('auth', `${method} ${path}: wrong or missing API key`, '401');
      sendJson(res, 401, { msg: 'invalid or missing api key' });
      return;
    }
    const route = routeJambonzRest(this.credentials.accountSid, method, path, body);
    if (!route.ok) {
      log('refused', route.status);
      this.violation(route.status === 404 ? 'unknown-path' : route.status === 405 ? 'http-method' : 'invalid-params', `${method} ${path}: ${route.message}`, String(route.status));
      sendJson(res, route.status, { msg: route.message });
      return;
    }
    const action = route.action;
    const block: BlockName = action.kind === 'create-call' ? 'dial' : 'hangup';
    const session = action.kind === 'create-call' ? undefined : action.callSid;
    await this.answerRest(req, res, { block, params, ...(session !== undefined ? { session } : {}) }, log, () => this.#rest(action));
  }

  #rest(action: JambonzRestAction): RestAnswer {
    switch (action.kind) {
      case 'create-call': {
        const call = this.#newCall('outbound', action.from, action.to, this.calleeFor(action.to), 'busy', action.callHook.url, action.statusHook);
        this.dialled(call);
        // The callee is rung once the answer is out: the app learns the call's sid before any hook, as with the real API.
        return { status: 201, body: { sid: call.session }, session: call.session, then: () => setImmediate(() => void ringOutbound(this.#player, this, call, action.callHook)) };
      }
      case 'end-call': {
        const call = this.sessions.get(action.callSid);
        if (call === undefined) return { status: 404, body: { msg: `call ${action.callSid} not found` } };
        if (call.state !== 'ended') this.hungUpByApp(call, { force: 'enabled' });
        return { status: 202 };
      }
    }
  }

  #newCall(direction: Direction, from: string, to: string, agent: CallerAgent, state: CallState, base: string, statusHook: Hook | undefined): CallSession {
    // jambonz's call_sid is a UUID; its SIP Call-ID another.
    const sid = randomUUID();
    const call = new CallSession(this, { session: sid, txnRef: randomUUID(), direction, from, to, agent, state });
    this.#extras.set(call, { base, statusHook, callId: randomUUID() });
    return this.addCall(call);
  }
}

/** A payload as the transcript's string fields (nested values as JSON). */
function flat(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** The call's information as the listen metadata carries it: camelCase (the feature server's own names). */
function camel(info: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(info).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), v]));
}
