import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { readLimited, type LimitedBody } from '../util/read-limited.js';

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
  const env: unknown = c.env;
  const incoming = typeof env === 'object' && env !== null && 'incoming' in env ? env.incoming : undefined;
  if (incoming instanceof IncomingMessage) return readIncoming(incoming, maxBytes);
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) return TOO_LARGE;
  const source = c.req.raw.body;
  return textOf(source === null ? EMPTY : await readLimited(source, maxBytes));
}

/**
 * Reads a node server's request body (see `readBody`). A refused body is left
 * unread: the server answers and drains it or closes the connection.
 */
export async function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<BodyText> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return TOO_LARGE;
  return textOf(await readLimited(incoming, maxBytes));
}

const textOf = (read: LimitedBody): BodyText => (read.ok ? { ok: true, text: read.bytes.toString('utf8') } : read);

const TOO_LARGE = { ok: false, reason: 'too-large' } as const;
const EMPTY = { ok: true, bytes: Buffer.alloc(0) } as const;

/** The path of an absolute URL as it was sent (percent-escapes kept, unlike Hono's `c.req.path`), without its query. */
export function rawPath(url: string): string {
  const scheme = url.indexOf('://');
  let start = scheme < 0 ? 0 : scheme + 3;
  while (start < url.length && url[start] !== '/' && url[start] !== '?' && url[start] !== '#') start++;
  if (url[start] !== '/') return '/';
  let end = start;
  while (end < url.length && url[end] !== '?' && url[end] !== '#') end++;
  return url.slice(start, end);
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
