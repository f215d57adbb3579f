/**
 * The TwiML family's webhooks, mounted at `/<provider>`: the number's voice
 * URL (a ringing call), each block's URL (what a verb reported; the answer is
 * the next block), and the status callback (the call is over). Every request
 * is read within the body limit, parsed strictly, and authenticated against the
 * URL built from the configured public URL before anything changes.
 */
import { UNKNOWN_NUMBER_MESSAGE } from '../../engine/messages.js';
import { said } from '../../engine/parts.js';
import type { Reply } from '../../runtime/call-runner.js';
import { isFormOrEmpty } from '../../server/read-body.js';
import { errorAnswer, xmlAnswer, type WebhookAnswer, type WebhookRequest } from '../../server/webhook.js';
import type { AdapterContext, AdapterRoutes, RefusalReason } from '../port.js';
import { refuseStep, replyToStep, stepAddress } from '../reply-step.js';
import { webhookBody } from '../webhook-body.js';
import type { TwimlVerifier } from './config.js';
import type { TwimlDialect } from './dialect.js';
import { field, parseForm } from './form.js';
import { TwimlRenderer, emptyReply, hangupReply } from './render.js';
import { endStatus, FINAL_STATUSES, reportOf } from './report.js';
import { verifyHmacSignature, verifyTelnyxSignature, verifyTwilioSignature, type FormFields, type SignatureVerdict } from './signature.js';
import { CONTINUATIONS, stepUrl, type Continuation } from './urls.js';

/** What the routes need of the REST client. */
export interface TwimlRestHooks {
  /** Starts recording a call (a `monitor` block). */
  startRecording(callSid: string): Promise<void>;
  /** Telnyx: the account SID an authenticated webhook named. */
  learnAccount(account: string): void;
}

export interface TwimlRoutesOptions {
  readonly dialect: TwimlDialect;
  readonly verifier: TwimlVerifier;
  readonly rest: TwimlRestHooks;
  /** Seconds since the epoch, for Telnyx's timestamp window (a test clock in tests). */
  readonly nowSeconds?: () => number;
}

/**
 * Calls whose recording this process started, at most this many at once: a call is forgotten at its
 * final status callback; one whose callback never came is forgotten with all the others when the
 * table fills (a retried monitor webhook of a call in progress then might start a second recording).
 */
const STARTED_KEPT = 10_000;

export function twimlRoutes(context: AdapterContext, o: TwimlRoutesOptions): AdapterRoutes {
  const { runner, log } = context;
  const name = o.dialect.name;
  const renderer = new TwimlRenderer(o.dialect);
  const nowSeconds = o.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  /**
   * CallSid → the last monitor block whose recording was started, so a retried webhook does not
   * start a second one. Kept per call in progress, not as a list of recent keys: a 10,000-key list
   * cost about 2.5 µs a call in lookups of cold keys (docs/performance.md, "The tenth look").
   */
  const started = new Map<string, number>();
  const refused = (reason: RefusalReason): void => context.onRefused?.(reason);

  const verify = (req: WebhookRequest, body: string, fields: FormFields): SignatureVerdict => {
    const v = o.verifier;
    if (v.scheme === 'telnyx') {
      return verifyTelnyxSignature(v.publicKey, req.header('telnyx-signature-ed25519'), req.header('telnyx-timestamp'), body, nowSeconds());
    }
    // The URL the provider requested is the one we gave it: the public URL, never Host or X-Forwarded-*.
    const url = `${context.publicUrl()}${req.path}${req.query !== '' ? `?${req.query}` : ''}`;
    if (v.scheme === 'twilio') {
      return verifyTwilioSignature({ authToken: v.key, sharedKey: v.sharedKey }, req.header('x-twilio-signature'), req.header('x-twilio-webhooks-signature-settings'), url, fields);
    }
    return verifyHmacSignature('signalwire', v.key, req.header('x-signalwire-signature') ?? req.header('x-twilio-signature'), url, fields);
  };

  /** The request's fields once read, parsed and authenticated; otherwise the error answer. */
  const read = async (req: WebhookRequest, route: string): Promise<{ fields: FormFields } | { refusal: WebhookAnswer }> => {
    const body = await webhookBody(req, context.maxBodyBytes, { log, refused });
    if ('refusal' in body) return body;
    if (!isFormOrEmpty(req.header('content-type'), body.text)) {
      refused('unsupported-media-type');
      return { refusal: errorAnswer(415, 'CS_UNSUPPORTED_MEDIA_TYPE', 'webhooks must be application/x-www-form-urlencoded') };
    }
    const fields = parseForm(body.text);
    if (fields === undefined) {
      log.warn({ provider: name, route }, 'notification.malformed');
      refused('bad-notification');
      return { refusal: errorAnswer(400, 'CS_BAD_NOTIFICATION', 'the form body is malformed') };
    }
    const verdict = verify(req, body.text, fields);
    if (verdict !== 'valid') {
      log.warn({ provider: name, route, reason: `signature-${verdict}` }, 'notification.refused');
      refused(verdict === 'missing' ? 'signature-missing' : 'signature-invalid');
      return { refusal: errorAnswer(403, 'CS_BAD_SIGNATURE', `the ${o.dialect.title} signature is ${verdict}`) };
    }
    if (o.verifier.scheme === 'telnyx') o.rest.learnAccount(field(fields, 'AccountSid'));
    if (field(fields, 'CallSid') === '') {
      refused('bad-notification');
      return { refusal: errorAnswer(400, 'CS_BAD_NOTIFICATION', 'a webhook needs CallSid') };
    }
    return { fields };
  };

  /** Starts the call recording a monitor block asks for, once per block in this process; a failure is logged, the call goes on. */
  const startRecording = async (id: string, seq: number, callSid: string): Promise<void> => {
    const last = started.get(callSid);
    if (last !== undefined && last >= seq) return;
    if (started.size >= STARTED_KEPT) started.clear();
    started.set(callSid, seq);
    try {
      await o.rest.startRecording(callSid);
      log.debug({ call: id, session: callSid, seq }, 'monitor.started');
    } catch (err) {
      log.error({ call: id, session: callSid, err: err instanceof Error ? err.message : String(err) }, 'provider.error');
    }
  };

  const answer = async (reply: Reply, callSid: string): Promise<WebhookAnswer> => {
    if (reply.type === 'none') return xmlAnswer(hangupReply());
    const step = stepUrl(context.publicUrl(), name, reply.id, reply.seq, reply.token);
    if (reply.type === 'hold') return xmlAnswer(renderer.hold(step));
    if (reply.block.kind === 'monitor') await startRecording(reply.id, reply.seq, callSid);
    return xmlAnswer(renderer.block(reply.block, step));
  };

  const voice = async (req: WebhookRequest): Promise<WebhookAnswer> => {
    const r = await read(req, 'voice');
    if ('refusal' in r) return r.refusal;
    const callSid = field(r.fields, 'CallSid');
    const to = field(r.fields, 'To');
    if (to === '') {
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', 'a ringing call needs To');
    }
    // TwiML calls have no second reference besides CallSid.
    const { result, reply } = await runner.inboundReply({ session: callSid, providerRef: '', from: field(r.fields, 'From'), to });
    if (result.result === 'unknown-number') return xmlAnswer(hangupReply(said(UNKNOWN_NUMBER_MESSAGE)));
    return answer(reply, callSid);
  };

  const step = async (req: WebhookRequest): Promise<WebhookAnswer> => {
    const at = stepAddress(req, CONTINUATIONS);
    if (at === undefined) {
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', 'not a block URL this server wrote');
    }
    const r = await read(req, 'step');
    if ('refusal' in r) return r.refusal;
    const callSid = field(r.fields, 'CallSid');
    const outcome = await replyToStep(runner, at, reportOf(at.k as Continuation | undefined, at.attempt, at.seq, r.fields), callSid);
    if (outcome.type === 'next-attempt') {
      return xmlAnswer(renderer.block(outcome.gather, stepUrl(context.publicUrl(), name, at.id, at.seq, at.token), outcome.attempt));
    }
    // A call that is over gets `none` from the runner (its outbox is not replayed), answered with a hangup.
    if (outcome.result.verdict === 'accepted') return answer(outcome.result.reply, callSid);
    return refuseStep(outcome.result.verdict, at, callSid, { log, refused, hangup: () => xmlAnswer(hangupReply()) });
  };

  const status = async (req: WebhookRequest): Promise<WebhookAnswer> => {
    const r = await read(req, 'status');
    if ('refusal' in r) return r.refusal;
    const callSid = field(r.fields, 'CallSid');
    const status = field(r.fields, 'CallStatus');
    if (FINAL_STATUSES.has(status)) {
      started.delete(callSid);
      const ended = await runner.callEnded(callSid, endStatus(status));
      // A call the callback ended has its call.ended line at info already; one it did not know is worth a line.
      if (ended === 'ended') log.debug({ session: callSid, status, result: ended }, 'notification.status');
      else log.info({ session: callSid, status, result: ended }, 'notification.status');
    }
    return xmlAnswer(emptyReply());
  };

  return {
    webhooks: [
      { path: '/voice', handle: voice },
      { path: '/step/:id/:seq', handle: step },
      { path: '/status', handle: status },
    ],
  };
}
