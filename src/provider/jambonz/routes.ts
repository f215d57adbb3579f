/**
 * jambonz's hooks, mounted at `/jambonz`: the application's call hook (a
 * ringing call), each block's URL (what a verb reported; the answer is the next
 * block, as a verb array) and the call status hook (the call is over). Every
 * request is read within the body limit, parsed strictly and its
 * `Jambonz-Signature` checked over the raw body before anything changes.
 * Recording adds the WebSocket a `listen` verb streams audio to, and the
 * finished recordings, served by their unguessable names.
 */
import type { Hono } from 'hono';
import { UNKNOWN_NUMBER_MESSAGE } from '../../engine/messages.js';
import { said } from '../../engine/parts.js';
import type { Reply } from '../../runtime/call-runner.js';
import { jsonError } from '../../server/http-error.js';
import { errorAnswer, jsonAnswer, type WebhookAnswer, type WebhookRequest } from '../../server/webhook.js';
import type { AdapterContext, AdapterRoutes, RefusalReason } from '../port.js';
import { refuseStep, replyToStep, stepAddress } from '../reply-step.js';
import { webhookBody } from '../webhook-body.js';
import { isJson, parsePayload, text, type Payload } from './payload.js';
import { JambonzRenderer, hangupVerbs, renderParts, type Verb } from './render.js';
import { endStatus, FINAL_STATUSES, reportOf } from './report.js';
import { listenRoute } from './listen.js';
import type { RecordingStore } from './recordings.js';
import { verifyJambonzSignature } from './signature.js';
import { CONTINUATIONS, recordingUrl, stepUrl, type Continuation } from './urls.js';

export interface JambonzRoutesOptions {
  readonly webhookSecret: string;
  /** The speech vendor of scripts' voices. */
  readonly ttsVendor: string;
  readonly recordings: RecordingStore;
  /** Seconds since the epoch, for the signature's timestamp window (a test clock in tests). */
  readonly nowSeconds?: () => number;
}

/** How long a recording's actionHook waits for its audio stream to close (they travel on separate connections). */
const RECORDING_SETTLE_MS = 3000;

export function jambonzRoutes(context: AdapterContext, o: JambonzRoutesOptions): AdapterRoutes {
  const { runner, log } = context;
  const renderer = new JambonzRenderer(o.ttsVendor);
  const nowSeconds = o.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const refused = (reason: RefusalReason): void => context.onRefused?.(reason);
  const verbs = (list: readonly Verb[]): WebhookAnswer => jsonAnswer(list);

  /** The request's payload once read, parsed and authenticated; otherwise the error answer. */
  const read = async (req: WebhookRequest, route: string): Promise<{ payload: Payload } | { refusal: WebhookAnswer }> => {
    const body = await webhookBody(req, context.maxBodyBytes, { log, refused });
    if ('refusal' in body) return body;
    if (!isJson(req.header('content-type'))) {
      refused('unsupported-media-type');
      return { refusal: errorAnswer(415, 'CS_UNSUPPORTED_MEDIA_TYPE', 'jambonz hooks must be application/json (set the hooks to POST)') };
    }
    const payload = parsePayload(body.text);
    if (payload === undefined) {
      log.warn({ provider: 'jambonz', route }, 'notification.malformed');
      refused('bad-notification');
      return { refusal: errorAnswer(400, 'CS_BAD_NOTIFICATION', 'the body is not one JSON object') };
    }
    const verdict = verifyJambonzSignature(o.webhookSecret, req.header('jambonz-signature'), body.text, nowSeconds());
    if (verdict !== 'valid') {
      log.warn({ provider: 'jambonz', route, reason: `signature-${verdict}` }, 'notification.refused');
      refused(verdict === 'missing' ? 'signature-missing' : 'signature-invalid');
      return { refusal: errorAnswer(403, 'CS_BAD_SIGNATURE', `the Jambonz-Signature is ${verdict}`) };
    }
    if (text(payload, 'call_sid') === '') {
      refused('bad-notification');
      return { refusal: errorAnswer(400, 'CS_BAD_NOTIFICATION', 'a hook needs call_sid') };
    }
    return { payload };
  };

  const answer = (reply: Reply): WebhookAnswer => {
    // `[]` would let jambonz go on with the verbs left from the last answer: a call with nothing to run is ended.
    if (reply.type === 'none') return verbs(hangupVerbs());
    const step = stepUrl(context.publicUrl(), reply.id, reply.seq, reply.token);
    if (reply.type === 'hold') return verbs(renderer.hold(step));
    return verbs(renderer.block(reply.block, step));
  };

  const voice = async (req: WebhookRequest): Promise<WebhookAnswer> => {
    const r = await read(req, 'voice');
    if ('refusal' in r) return r.refusal;
    const callSid = text(r.payload, 'call_sid');
    const to = text(r.payload, 'to');
    if (to === '') {
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', 'a ringing call needs to');
    }
    // jambonz's call_sid is the only handle its REST API takes.
    const { result, reply } = await runner.inboundReply({ session: callSid, providerRef: '', from: text(r.payload, 'from'), to });
    if (result.result === 'unknown-number') return verbs(hangupVerbs(renderParts(said(UNKNOWN_NUMBER_MESSAGE), o.ttsVendor)));
    return answer(reply);
  };

  const step = async (req: WebhookRequest): Promise<WebhookAnswer> => {
    const at = stepAddress(req, CONTINUATIONS);
    if (at === undefined) {
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', 'not a block URL this server wrote');
    }
    const r = await read(req, 'step');
    if ('refusal' in r) return r.refusal;
    const callSid = text(r.payload, 'call_sid');
    let recorded: string | undefined;
    if (at.k === 'record') {
      const name = o.recordings.nameFor(at.id, at.seq);
      if (await o.recordings.ready(name, RECORDING_SETTLE_MS)) recorded = recordingUrl(context.publicUrl(), name);
    }
    const outcome = await replyToStep(runner, at, reportOf(at.k as Continuation | undefined, at.attempt, at.seq, r.payload, recorded), callSid);
    if (outcome.type === 'next-attempt') {
      return verbs(renderer.block(outcome.gather, stepUrl(context.publicUrl(), at.id, at.seq, at.token), outcome.attempt));
    }
    // A call that is over gets `none` from the runner (its outbox is not replayed), answered with a hangup.
    if (outcome.result.verdict === 'accepted') return answer(outcome.result.reply);
    return refuseStep(outcome.result.verdict, at, callSid, { log, refused, hangup: () => verbs(hangupVerbs()) });
  };

  /** The WebSocket a record block streams to, and the recordings: Hono serves these. */
  const more = (app: Hono): void => {
    app.get('/listen/:id/:seq', listenRoute(runner.store, o.recordings, log));
    app.get('/recordings/:name', async (c) => {
      const wav = await o.recordings.read(c.req.param('name'));
      if (wav === undefined) return jsonError(c, 404, 'CS_NOT_FOUND', 'no such recording');
      return c.body(new Uint8Array(wav), 200, { 'content-type': 'audio/wav', 'cache-control': 'private, max-age=86400' });
    });
  };

  const status = async (req: WebhookRequest): Promise<WebhookAnswer> => {
    const r = await read(req, 'status');
    if ('refusal' in r) return r.refusal;
    const callSid = text(r.payload, 'call_sid');
    const status = text(r.payload, 'call_status');
    if (FINAL_STATUSES.has(status)) {
      const ended = await runner.callEnded(callSid, endStatus(status));
      // A call the callback ended has its call.ended line at info already; one it did not know is worth a line.
      if (ended === 'ended') log.debug({ session: callSid, status, result: ended }, 'notification.status');
      else log.info({ session: callSid, status, result: ended }, 'notification.status');
    }
    // jambonz runs no verbs from a status hook's answer; `[]` says so.
    return verbs([]);
  };

  return {
    webhooks: [
      { path: '/voice', handle: voice },
      { path: '/step/:id/:seq', handle: step },
      { path: '/status', handle: status },
    ],
    more,
  };
}
