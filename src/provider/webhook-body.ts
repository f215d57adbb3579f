/**
 * What every adapter does first with a webhook: read its body within the
 * server's limit, or refuse it (cut short: 400; too large: 413), counted under
 * the reason and the size refusal logged.
 */
import type { Logger } from '../log/logger.js';
import { errorAnswer, type WebhookAnswer, type WebhookRequest } from '../server/webhook.js';
import type { RefusalReason } from './port.js';

export async function webhookBody(
  req: WebhookRequest,
  maxBytes: number,
  o: { readonly log: Logger; readonly refused: (reason: RefusalReason) => void },
): Promise<{ readonly text: string } | { readonly refusal: WebhookAnswer }> {
  const body = await req.body(maxBytes);
  if (body.ok) return { text: body.text };
  o.refused(body.reason);
  if (body.reason === 'aborted') return { refusal: errorAnswer(400, 'CS_BAD_REQUEST', 'the request body was cut short') };
  o.log.warn({ path: req.path, limit: maxBytes }, 'request.too_large');
  return { refusal: errorAnswer(413, 'CS_BODY_TOO_LARGE', `request bodies are limited to ${maxBytes} bytes`) };
}
