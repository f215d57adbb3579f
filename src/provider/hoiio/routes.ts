import { Hono, type Context } from 'hono';
import type { Logger } from '../../log/logger.js';
import type { CallRunner } from '../../runtime/call-runner.js';
import { jsonError } from '../../server/http-error.js';
import { isFormOrEmpty, rawQuery, readBody } from '../../server/read-body.js';
import type { RefusalReason } from '../port.js';
import { hoiioEvent, parseHoiioNotification } from './notification.js';
import { checkHoiioSignature, type SignatureMode } from './signature.js';

export interface HoiioRoutesOptions {
  readonly runner: CallRunner;
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
export function hoiioRoutes(o: HoiioRoutesOptions): Hono {
  const app = new Hono();
  const { log, runner } = o;
  const refused = (reason: RefusalReason): void => o.onRefused?.(reason);

  /** Reads and authenticates a notification's fields; a Response when it must be refused. */
  const read = async (c: Context, route: string) => {
    const read = await readBody(c, o.maxBodyBytes);
    if (!read.ok) {
      refused(read.reason);
      if (read.reason === 'aborted') return { refused: jsonError(c, 400, 'CS_BAD_REQUEST', 'the request body was cut short') };
      log.warn({ path: c.req.path, limit: o.maxBodyBytes }, 'request.too_large');
      return { refused: jsonError(c, 413, 'CS_BODY_TOO_LARGE', `request bodies are limited to ${o.maxBodyBytes} bytes`) };
    }
    const body = read.text;
    if (!isFormOrEmpty(c.req.header('content-type'), body)) {
      log.warn({ route, contentType: c.req.header('content-type') }, 'notification.refused');
      refused('unsupported-media-type');
      return { refused: jsonError(c, 415, 'CS_UNSUPPORTED_MEDIA_TYPE', 'notifications must be application/x-www-form-urlencoded') };
    }
    const verdict = checkHoiioSignature(o.signatureMode, c.req.header('x-hoiio-signature'), body, o.accessToken);
    if (verdict === 'invalid' || verdict === 'missing') {
      if (o.signatureMode === 'enforce') {
        log.warn({ route, reason: `signature-${verdict}` }, 'notification.refused');
        refused(verdict === 'invalid' ? 'signature-invalid' : 'signature-missing');
        return { refused: jsonError(c, 401, 'CS_BAD_SIGNATURE', `X-Hoiio-Signature ${verdict}`) };
      }
      log.warn({ route, signature: verdict }, 'notification.signature');
    }
    return { notification: parseHoiioNotification(rawQuery(c.req.url), body), signed: verdict === 'valid' };
  };

  const incoming = async (c: Context, scriptName: string | undefined) => {
    const r = await read(c, 'incoming');
    if (r.refused !== undefined) return r.refused;
    const n = r.notification;
    if (n.callState === 'ended') {
      // Goes to the per-block URLs for calls we answered; here it is a call abandoned while
      // ringing. The Voice Notify URL carries no token, so only a valid signature lets it stop
      // a ringing notification that arrives after it (otherwise anyone could block calls).
      log.info({ session: n.session, signed: r.signed }, 'notification.ended_at_incoming');
      if (r.signed && n.session !== '') runner.endedWhileRinging(n.session);
      return c.text('OK');
    }
    if (n.callState !== 'ringing' && n.callState !== '') {
      refused('bad-notification');
      return jsonError(c, 400, 'CS_BAD_NOTIFICATION', `unexpected call_state "${n.callState}" at the Voice Notify URL`);
    }
    if (n.session === '' || n.to === '') {
      log.warn({ route: 'incoming', session: n.session, to: n.to }, 'notification.refused');
      refused('bad-notification');
      return jsonError(c, 400, 'CS_BAD_NOTIFICATION', 'a ringing notification needs session and to');
    }
    const result = await runner.inbound({ session: n.session, providerRef: n.txnRef, from: n.from, to: n.to }, scriptName);
    if (result.result === 'unknown-script') {
      refused('unknown-script');
      return jsonError(c, 404, 'CS_UNKNOWN_SCRIPT', `no script named "${scriptName ?? ''}"`);
    }
    return c.text('OK');
  };

  app.post('/incoming', (c) => incoming(c, undefined));
  app.post('/incoming/:script', (c) => incoming(c, c.req.param('script')));

  app.post('/notify/:id/:seq', async (c) => {
    const id = c.req.param('id');
    const seq = Number(c.req.param('seq'));
    const token = c.req.query('t') ?? '';
    if (!Number.isSafeInteger(seq) || seq < 1) {
      refused('bad-notification');
      return jsonError(c, 400, 'CS_BAD_NOTIFICATION', 'bad block sequence in the URL');
    }
    const r = await read(c, 'notify');
    if (r.refused !== undefined) return r.refused;
    const n = r.notification;
    const event = hoiioEvent(n, seq);
    if (event === undefined) {
      log.warn({ call: id, session: n.session, callState: n.callState }, 'notification.refused');
      refused('bad-notification');
      return jsonError(c, 400, 'CS_BAD_NOTIFICATION', `call_state must be ongoing or ended, got "${n.callState}"`);
    }
    const verdict = await runner.notify(id, token, event, n.session);
    switch (verdict) {
      case 'accepted':
        return c.text('OK');
      case 'unknown-call':
        log.warn({ call: id, session: n.session, reason: 'unknown-call' }, 'notification.refused');
        refused('unknown-call');
        return jsonError(c, 404, 'CS_UNKNOWN_CALL', 'no such call');
      case 'bad-token':
      case 'session-mismatch':
        log.warn({ call: id, session: n.session, reason: verdict }, 'notification.refused');
        refused(verdict);
        return jsonError(c, 403, 'CS_FORBIDDEN', 'this notification does not belong to that call');
      case 'busy':
        refused('busy');
        return jsonError(c, 503, 'CS_BUSY', 'the call stayed locked by another server for too long; the notification was not applied');
      case 'error':
        refused('error');
        return jsonError(c, 503, 'CS_INTERNAL', 'the notification could not be handled');
    }
  });

  return app;
}
