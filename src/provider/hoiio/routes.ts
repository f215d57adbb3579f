import type { Logger } from '../../log/logger.js';
import { isFormOrEmpty } from '../../server/read-body.js';
import { errorAnswer, textAnswer, type WebhookAnswer, type WebhookRequest } from '../../server/webhook.js';
import type { AdapterRoutes, AdapterRuntime, RefusalReason } from '../port.js';
import { hoiioEvent, parseHoiioNotification } from './notification.js';
import { checkHoiioSignature, type SignatureMode } from './signature.js';
import { webhookBody } from '../webhook-body.js';

export interface HoiioRoutesOptions {
  readonly runner: AdapterRuntime;
  readonly log: Logger;
  readonly accessToken: string;
  readonly signatureMode: SignatureMode;
  /** Largest body accepted (bytes); larger ones get 413. */
  readonly maxBodyBytes: number;
  /** Told about every notification answered with an error, by reason (for metrics). */
  readonly onRefused?: (reason: RefusalReason) => void;
}

export type { RefusalReason };

/** Builds the notify URL for block `seq` of call `id`: the token binds the URL to that call. */
export function hoiioNotifyUrl(publicUrl: string, id: string, seq: number, token: string): string {
  return `${publicUrl}/hoiio/notify/${id}/${seq}?t=${token}`;
}

/**
 * Hoiio's webhooks: the Voice Notify URL for ringing calls, and the per-block
 * notify URLs. Every answer is fast; the next block is sent from the call's queue.
 */
export function hoiioRoutes(o: HoiioRoutesOptions): AdapterRoutes {
  const { log, runner } = o;
  const refused = (reason: RefusalReason): void => o.onRefused?.(reason);

  /** Reads and authenticates a notification's fields; a Response when it must be refused. */
  const read = async (req: WebhookRequest, route: string) => {
    const read = await webhookBody(req, o.maxBodyBytes, { log, refused });
    if ('refusal' in read) return { refused: read.refusal };
    const body = read.text;
    if (!isFormOrEmpty(req.header('content-type'), body)) {
      log.warn({ route, contentType: req.header('content-type') }, 'notification.refused');
      refused('unsupported-media-type');
      return { refused: errorAnswer(415, 'CS_UNSUPPORTED_MEDIA_TYPE', 'notifications must be application/x-www-form-urlencoded') };
    }
    const verdict = checkHoiioSignature(o.signatureMode, req.header('x-hoiio-signature'), body, o.accessToken);
    if (verdict === 'invalid' || verdict === 'missing') {
      if (o.signatureMode === 'enforce') {
        log.warn({ route, reason: `signature-${verdict}` }, 'notification.refused');
        refused(verdict === 'invalid' ? 'signature-invalid' : 'signature-missing');
        return { refused: errorAnswer(401, 'CS_BAD_SIGNATURE', `X-Hoiio-Signature ${verdict}`) };
      }
      log.warn({ route, signature: verdict }, 'notification.signature');
    }
    return { notification: parseHoiioNotification(req.query, body), signed: verdict === 'valid' };
  };

  const incoming = async (req: WebhookRequest, scriptName: string | undefined): Promise<WebhookAnswer> => {
    const r = await read(req, 'incoming');
    if (r.refused !== undefined) return r.refused;
    const n = r.notification;
    if (n.callState === 'ended') {
      // Goes to the per-block URLs for calls we answered; here it is a call abandoned while
      // ringing. The Voice Notify URL carries no token, so only a valid signature lets it stop
      // a ringing notification that arrives after it (otherwise anyone could block calls).
      log.info({ session: n.session, signed: r.signed }, 'notification.ended_at_incoming');
      if (r.signed && n.session !== '') runner.endedWhileRinging(n.session);
      return textAnswer('OK');
    }
    if (n.callState !== 'ringing' && n.callState !== '') {
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', `unexpected call_state "${n.callState}" at the Voice Notify URL`);
    }
    if (n.session === '' || n.to === '') {
      log.warn({ route: 'incoming', session: n.session, to: n.to }, 'notification.refused');
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', 'a ringing notification needs session and to');
    }
    const result = await runner.inbound({ session: n.session, providerRef: n.txnRef, from: n.from, to: n.to }, scriptName);
    if (result.result === 'unknown-script') {
      refused('unknown-script');
      return errorAnswer(404, 'CS_UNKNOWN_SCRIPT', `no script named "${scriptName ?? ''}"`);
    }
    return textAnswer('OK');
  };

  const notify = async (req: WebhookRequest): Promise<WebhookAnswer> => {
    const id = req.param('id');
    const seq = Number(req.param('seq'));
    const token = req.queryParam('t') ?? '';
    if (!Number.isSafeInteger(seq) || seq < 1) {
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', 'bad block sequence in the URL');
    }
    const r = await read(req, 'notify');
    if (r.refused !== undefined) return r.refused;
    const n = r.notification;
    const event = hoiioEvent(n, seq);
    if (event === undefined) {
      log.warn({ call: id, session: n.session, callState: n.callState }, 'notification.refused');
      refused('bad-notification');
      return errorAnswer(400, 'CS_BAD_NOTIFICATION', `call_state must be ongoing or ended, got "${n.callState}"`);
    }
    const verdict = await runner.notify(id, token, event, n.session);
    switch (verdict) {
      case 'accepted':
        return textAnswer('OK');
      case 'unknown-call':
        log.warn({ call: id, session: n.session, reason: 'unknown-call' }, 'notification.refused');
        refused('unknown-call');
        return errorAnswer(404, 'CS_UNKNOWN_CALL', 'no such call');
      case 'bad-token':
      case 'session-mismatch':
        log.warn({ call: id, session: n.session, reason: verdict }, 'notification.refused');
        refused(verdict);
        return errorAnswer(403, 'CS_FORBIDDEN', 'this notification does not belong to that call');
      case 'busy':
        refused('busy');
        return errorAnswer(503, 'CS_BUSY', 'the call stayed locked by another server for too long; the notification was not applied');
      case 'error':
        refused('error');
        return errorAnswer(503, 'CS_INTERNAL', 'the notification could not be handled');
    }
  };

  return {
    webhooks: [
      { path: '/incoming', handle: (req) => incoming(req, undefined) },
      { path: '/incoming/:script', handle: (req) => incoming(req, req.param('script')) },
      { path: '/notify/:id/:seq', handle: notify },
    ],
  };
}
