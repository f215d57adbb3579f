import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export type BodyText =
  | { readonly ok: true; readonly text: string }
  /** `too-large`: over the limit (413); `aborted`: the client went away mid-body. */
  | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

/**
 * Reads a request body as UTF-8 text, refusing more than `maxBytes` (by its
 * Content-Length before reading, or as it streams in).
 *
 * On the node server it reads the `IncomingMessage` directly: going through
 * `c.req.text()` or the body-limit middleware (`c.req.raw.body`) makes
 * @hono/node-server build a full Fetch Request per request (AbortSignal, web
 * streams), which was the largest single cost of a webhook (docs/performance.md).
 * Elsewhere (`app.request()` in tests) it reads the Fetch body.
 */
export async function readBody(c: Context, maxBytes: number): Promise<BodyText> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) return { ok: false, reason: 'too-large' };
  const env: unknown = c.env;
  const incoming = typeof env === 'object' && env !== null && 'incoming' in env ? env.incoming : undefined;
  if (incoming instanceof IncomingMessage) return readIncoming(incoming, maxBytes);
  const body = c.req.raw.body;
  if (body === null) return { ok: true, text: '' };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }
  return { ok: true, text: Buffer.concat(chunks, size).toString('utf8') };
}

function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<BodyText> {
  if (incoming.readableEnded) return Promise.resolve({ ok: true, text: '' });
  return new Promise<BodyText>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyText): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onAbort);
      incoming.off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      // The rest is drained (or the socket closed) by @hono/node-server once the answer is sent.
      if (size > maxBytes) done({ ok: false, reason: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      const first = chunks[0];
      done({ ok: true, text: chunks.length === 1 && first !== undefined ? first.toString('utf8') : Buffer.concat(chunks, size).toString('utf8') });
    };
    const onAbort = (): void => done({ ok: false, reason: 'aborted' });
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onAbort);
    incoming.once('close', onAbort);
  });
}

/** The raw query string (without `?`), read without building a URL object on the hot path. */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
}

const FORM = 'application/x-www-form-urlencoded';

/** Notifications are form-encoded; an empty body (fields in the query string) needs no type. */
export function isFormOrEmpty(contentType: string | undefined, body: string): boolean {
  if (body === '') return true;
  if (contentType === undefined) return false;
  return contentType.toLowerCase().startsWith(FORM);
}
