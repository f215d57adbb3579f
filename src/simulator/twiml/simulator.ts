/**
 * `startTwimlSimulator()`: a TwiML provider (Twilio, Telnyx TeXML or
 * SignalWire) on the simulated phone network. The network half is shared with
 * every dialect (CallSession and its caller agents, the Lifetime, recordings,
 * the `/sim` control plane), and with jambonz the shell of a provider that asks
 * the app by webhooks (../webhook-simulator.ts: sending a webhook, answering
 * and ending a call, the REST API's log and faults); this file adds the
 * dialect: signed webhooks that fetch TwiML (player.ts), the REST API for
 * outbound calls, forced hangups and call recordings (rest-api.ts), and the
 * status callback at the end of a call. Like the Hoiio simulator it talks
 * HTTP only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isE164 } from '../../util/e164.js';
import { isHttpUrl } from '../../util/http-url.js';
import { InvalidRingError, SimulatorClosedError } from '../errors.js';
import { sendJson } from '../json-reply.js';
import { forNumber, type PerNumber } from '../per-number.js';
import { RecordingStore } from '../recordings.js';
import { CallSession } from '../session.js';
import type { BlockName, CallerAgent, CallState, Direction, EndReason, ForgeOptions, ForgeResult, RingOptions, SimCall, Simulator } from '../types.js';
import { forgeResult, type WebhookResult } from '../webhook-sender.js';
import { WebhookSimulator, type EndDetail, type RestAnswer, type WebhookSimulatorOptions } from '../webhook-simulator.js';
import { accountOf, DIALECT_SPECS, newCredentials, restAuthorization, signerOf, wrongSignerOf, type TwimlCredentials, type TwimlDialectSpec, type TwimlProvider } from './dialects.js';
import { heardOf } from './heard.js';
import { DIAL_CALL_STATUS, ringOutbound, TwimlPlayer, type PlayerHost } from './player.js';
import { restFields, routeRest, type RestAction } from './rest-api.js';
import type { TwimlSigner } from './sign.js';
import { parseTwimlReply, type TwimlElement } from './xml.js';
import type { WebhookAnswer } from './app-errors.js';

export interface TwimlSimulatorOptions extends WebhookSimulatorOptions {
  readonly provider: TwimlProvider;
  /** The account; default: a fresh one with random secrets. */
  readonly credentials?: TwimlCredentials;
  /** The number's voice URL (the app's `/{provider}/voice`). */
  readonly voiceUrl?: PerNumber;
  /** The number's status callback (the app's `/{provider}/status`). */
  readonly statusUrl?: PerNumber;
  /** How the number's voice URL is requested (a number may be set to GET); default POST, as the providers default. */
  readonly voiceMethod?: 'GET' | 'POST';
  /** The number's fallback URL: requested once, with ErrorCode and ErrorUrl, when the app's answer cannot be run. */
  readonly fallbackUrl?: PerNumber;
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

class TwimlProviderSimulator extends WebhookSimulator implements TwimlSimulator, PlayerHost {
  readonly provider: TwimlProvider;
  readonly credentials: TwimlCredentials;
  readonly actionOnEmptyResult: boolean;

  readonly #o: TwimlSimulatorOptions;
  readonly #spec: TwimlDialectSpec;
  readonly #signer: TwimlSigner;
  readonly #extras = new Map<CallSession, CallExtras>();
  readonly #recordings: RecordingStore;
  readonly #player: TwimlPlayer;
  #callNumber = 0;

  constructor(o: TwimlSimulatorOptions) {
    const spec = DIALECT_SPECS[o.provider];
    super(o, { webhookTimeoutMs: spec.webhookTimeoutMs, errorBody: (message) => ({ message }) });
    this.#o = o;
    this.provider = o.provider;
    this.credentials = o.credentials ?? newCredentials(o.provider);
    if (this.credentials.provider !== o.provider) throw new InvalidRingError(`credentials for ${this.credentials.provider} given to the ${o.provider} simulator`);
    this.#spec = spec;
    this.#signer = signerOf(this.credentials);
    this.actionOnEmptyResult = spec.actionOnEmptyResult;
    this.#recordings = new RecordingStore(() => this.url, this.clock);
    this.#player = new TwimlPlayer(this);
  }

  ring(options: RingOptions): SimCall {
    const { from, url, caller } = this.checkRing(options, this.#o.voiceUrl, (u) => (isHttpUrl(u) ? undefined : `the voice URL must be http(s): ${u}`));
    const call = this.#newCall('inbound', from, options.to, caller, 'ringing', forNumber(this.#o.statusUrl, options.to));
    this.ringThen(call, () => this.#player.play(call, { url, fields: { CallStatus: 'ringing' }, method: this.#o.voiceMethod ?? 'POST' }));
    return call;
  }

  async forge(session: string, fields: Readonly<Record<string, string>>, url: string, options: ForgeOptions = {}): Promise<ForgeResult> {
    if (this.closed) throw new SimulatorClosedError();
    const call = this.sessions.get(session);
    const all = { ...(call !== undefined ? this.#baseFields(call) : { CallSid: session, AccountSid: accountOf(this.credentials) }), ...fields };
    const mode = options.signature ?? 'none';
    const signer = mode === 'valid' ? this.#signer : mode === 'invalid' ? wrongSignerOf(this.credentials) : undefined;
    return forgeResult(await this.#post(call, url, all, signer, true));
  }

  // --- PlayerHost ----------------------------------------------------------------------------

  recordingsStarted(call: CallSession): number {
    return this.#extras.get(call)?.recordings ?? 0;
  }

  recording(call: CallSession, seconds: number): { url: string; sid: string } {
    const url = this.#recordings.create(call.session, seconds);
    return { url, sid: `RE${/rec-(\d+)/.exec(url)?.[1] ?? '0'}` };
  }

  end(call: CallSession, reason: EndReason, detail: EndDetail = {}): void {
    const extras = this.#extras.get(call);
    const monitorStartedAt = extras?.monitorStartedAt;
    // A recording started over REST runs to the end of the call: its length is known only now.
    const monitorRecordUrl =
      monitorStartedAt === undefined
        ? undefined
        : (at: number): string => {
            const wall = this.secondMs > 0 ? (at - monitorStartedAt) / this.secondMs : 0;
            return this.#recordings.create(call.session, Math.max(wall, call.simulatedSeconds - (extras?.monitorSecondsAtStart ?? 0)));
          };
    const ended = this.finishCall(call, reason, detail, monitorRecordUrl);
    if (ended === undefined) return;
    const url = extras?.statusUrl;
    if (url !== undefined && !this.closed) {
      void this.#post(call, url, { ...this.#baseFields(call), CallStatus: DIAL_CALL_STATUS[ended.outcome], CallDuration: String(ended.seconds) }, this.#signer, false);
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
    const type = result.contentType;
    return { status: result.status, contentType: (typeof type === 'string' ? type : type?.[0]) ?? '', text: result.text };
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

  /** A signed form POST (or GET) to the app, sent as every webhook is (webhook-sender.ts). */
  #post(call: CallSession | undefined, url: string, fields: Record<string, string>, signer: TwimlSigner | undefined, forged: boolean, method: 'GET' | 'POST' = 'POST'): Promise<WebhookResult> {
    return this.webhooks.send(call, {
      url,
      fields,
      forged,
      wire: () => {
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
        return { url: target, method, headers, ...(method === 'POST' ? { body } : {}), ...(signature !== undefined ? { signature } : {}) };
      },
    });
  }

  // --- HTTP in: recordings, REST ----------------------------------------------------------

  protected async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (path.startsWith('/recordings/')) {
      const r = this.#recordings.serve(path, url.searchParams);
      res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': r.body.length });
      res.end(req.method === 'HEAD' ? undefined : r.body);
      return;
    }
    const method = req.method ?? 'GET';
    const read = await this.readBody(req);
    const fields = read.ok ? restFields(req.headers['content-type'] ?? '', read.bytes.toString('utf8')) : undefined;
    const log = this.requestLogger(method, path, fields ?? {});
    if (!read.ok) {
      log('too-large', 413);
      sendJson(res, 413, { message: 'the request body is too large' });
      return;
    }
    if ((req.headers.authorization ?? '') !== restAuthorization(this.credentials)) {
      log('unauthorized', 401);
      this.violation('auth', `${method} ${path}: wrong or missing credentials`, '401');
      sendJson(res, 401, { code: 20003, message: 'Authenticate' });
      return;
    }
    if (method !== 'POST' || fields === undefined) {
      log('bad-request', method !== 'POST' ? 405 : 400);
      this.violation(method !== 'POST' ? 'http-method' : 'invalid-params', `${method} ${path}`, method !== 'POST' ? '405' : '400');
      sendJson(res, method !== 'POST' ? 405 : 400, { message: method !== 'POST' ? 'only POST is simulated' : 'the body cannot be read' });
      return;
    }
    const route = routeRest(this.#spec, accountOf(this.credentials), path, fields);
    if (!route.ok) {
      log('not-found', route.status);
      this.violation('unknown-path', `${method} ${path}`, String(route.status));
      sendJson(res, route.status, { code: 20404, message: route.message });
      return;
    }
    const action = route.action;
    const block: BlockName = action.kind === 'create-call' ? 'dial' : action.kind === 'start-recording' ? 'monitor' : 'hangup';
    const session = action.kind === 'create-call' ? undefined : action.callSid;
    await this.answerRest(req, res, { block, params: fields, ...(session !== undefined ? { session } : {}) }, log, () => this.#rest(action));
  }

  #rest(action: RestAction): RestAnswer {
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
        this.dialled(call);
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
          this.hungUpByApp(call, { force: 'enabled' });
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
          this.hungUpByApp(call, {}, heard);
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

  #newCall(direction: Direction, from: string, to: string, agent: CallerAgent, state: CallState, statusUrl: string | undefined): CallSession {
    const sid = this.#spec.newCallSid(++this.#callNumber);
    const call = new CallSession(this, { session: sid, txnRef: sid, direction, from, to, agent, state });
    this.#extras.set(call, { statusUrl, direction: direction === 'inbound' ? 'inbound' : 'outbound-api', recordings: 0 });
    return this.addCall(call);
  }
}
