/**
 * A provider's webhook, independent of the HTTP framework: what the handler
 * reads of the request and the answer it gives. The adapters write their
 * webhooks against this; two bindings serve them: the node server's own
 * dispatch (`webhook-node.ts`, in production: a webhook skips the Fetch
 * Request, Hono's context and Response objects, about 15 % of a call's CPU on
 * the TwiML round, docs/performance.md) and Hono (`webhook-hono.ts`, for
 * `app.request()` in tests and any other runtime).
 */
import { decodeFormValue } from '../util/form-value.js';
import type { BodyText } from './read-body.js';
import type { ErrorBody } from './http-error.js';

export interface WebhookRequest {
  /** The request's path from the server's root, without the query string (e.g. `/twilio/step/c1/3`). */
  readonly path: string;
  /** The raw query string, without `?` ('' when there is none). */
  readonly query: string;
  /** A header's value (`name` in lower case); undefined when absent. */
  header(name: string): string | undefined;
  /** A parameter of the route's path (`:id`); '' when the route has none by that name. */
  param(name: string): string;
  /** The first value of a query parameter, decoded; undefined when absent. */
  queryParam(name: string): string | undefined;
  /** The body as UTF-8 text, refused past `maxBytes`. Read once. */
  body(maxBytes: number): Promise<BodyText>;
}

export interface WebhookAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export type WebhookHandler = (req: WebhookRequest) => Promise<WebhookAnswer> | WebhookAnswer;

/** One POST route of an adapter, its path relative to the adapter's mount point (`/step/:id/:seq`). */
export interface WebhookRoute {
  readonly path: string;
  readonly handle: WebhookHandler;
}

const XML = 'text/xml; charset=utf-8';
const JSON_TYPE = 'application/json';
const TEXT = 'text/plain; charset=UTF-8';

export const xmlAnswer = (body: string, status = 200): WebhookAnswer => ({ status, contentType: XML, body });
export const jsonAnswer = (value: unknown, status = 200): WebhookAnswer => ({ status, contentType: JSON_TYPE, body: JSON.stringify(value) });
export const textAnswer = (body: string, status = 200): WebhookAnswer => ({ status, contentType: TEXT, body });

/** The API's error shape (`http-error.ts`), as a webhook's answer. */
export function errorAnswer(status: number, code: string, message: string): WebhookAnswer {
  const body: ErrorBody = { error: { code, message } };
  return jsonAnswer(body, status);
}

/**
 * The first value of `name` in a raw query string, decoded as a form value
 * (`+` is a space); undefined when absent or when its escapes are broken.
 */
export function queryValue(query: string, name: string): string | undefined {
  return queryValues(query, [name])[0];
}

/**
 * The first value of each of `names` in one pass over a raw query string (what a block
 * URL's handler reads, `t`, `k` and `a`, on every webhook); each decoded as `queryValue`'s.
 */
export function queryValues<const N extends readonly string[]>(query: string, names: N): { [K in keyof N]: string | undefined } {
  const raw: Array<string | undefined> = names.map(() => undefined);
  let left = names.length;
  let at = 0;
  while (left > 0 && at < query.length) {
    let stop = query.indexOf('&', at);
    if (stop < 0) stop = query.length;
    let keyEnd = at;
    while (keyEnd < stop && query.charCodeAt(keyEnd) !== 0x3d) keyEnd++;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (raw[i] === undefined && keyEnd - at === name.length && query.startsWith(name, at)) {
        raw[i] = keyEnd === stop ? '' : query.slice(keyEnd + 1, stop);
        left--;
        break;
      }
    }
    at = stop + 1;
  }
  return raw.map((value) => (value === undefined ? undefined : decodeFormValue(value))) as { [K in keyof N]: string | undefined };
}
