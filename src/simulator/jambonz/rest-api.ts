/**
 * jambonz's REST API as the simulator answers it (what the app's
 * `JAMBONZ_API_URL` or `--provider-api-url` points at), the two requests an
 * app running calls makes (../shared/providers.md §5): `POST
 * /v1/Accounts/{sid}/Calls` places an outbound call (JSON: `from`, `to:
 * {type: "phone", number}`, `call_hook`, and `call_status_hook`, required
 * beside a `call_hook`; 201 `{sid}`), and `PUT /v1/Accounts/{sid}/Calls/{call_sid}`
 * with `call_status: "completed"` (or `no-answer`) ends a call (202).
 */
import { isE164 } from '../../util/e164.js';
import { isHttpUrl } from '../../util/http-url.js';
import type { Hook } from './verbs.js';

export type JambonzRestAction =
  | { readonly kind: 'create-call'; readonly from: string; readonly to: string; readonly callHook: Hook; readonly statusHook: Hook; readonly timeout?: number }
  | { readonly kind: 'end-call'; readonly callSid: string; readonly status: 'completed' | 'no-answer' };

export type JambonzRestRoute = { readonly ok: true; readonly action: JambonzRestAction } | { readonly ok: false; readonly status: number; readonly message: string };

/** Which action a request is, for the account `account`; a refusal carries jambonz's status and a message. */
export function routeJambonzRest(account: string, method: string, path: string, body: unknown): JambonzRestRoute {
  const m = /^\/v1\/Accounts\/([^/]+)\/Calls(?:\/([^/]+))?$/.exec(path);
  if (m === null) return { ok: false, status: 404, message: `no such resource: ${path}` };
  if (decodeURIComponent(m[1] ?? '') !== account) return { ok: false, status: 404, message: `no account ${m[1] ?? ''} here` };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, status: 400, message: 'the body must be one JSON object' };
  const b = body as Readonly<Record<string, unknown>>;
  const callSid = m[2];
  if (callSid === undefined) {
    if (method !== 'POST') return { ok: false, status: 405, message: `${method} is not allowed on Calls` };
    return createCall(b);
  }
  if (method !== 'PUT') return { ok: false, status: 405, message: `${method} is not simulated on a call` };
  const status = b.call_status;
  if (status !== 'completed' && status !== 'no-answer') {
    return { ok: false, status: 400, message: 'the simulator updates a call with call_status "completed" or "no-answer" only' };
  }
  return { ok: true, action: { kind: 'end-call', callSid: decodeURIComponent(callSid), status } };
}

function createCall(b: Readonly<Record<string, unknown>>): JambonzRestRoute {
  const to = typeof b.to === 'object' && b.to !== null ? (b.to as Readonly<Record<string, unknown>>) : undefined;
  const number = typeof to?.number === 'string' ? to.number : '';
  if (to?.type !== 'phone' || !isE164(number)) return { ok: false, status: 400, message: 'to must be {"type": "phone", "number": "<E.164>"}' };
  const from = typeof b.from === 'string' ? b.from : '';
  if (from === '') return { ok: false, status: 400, message: 'from is required' };
  if (b.application_sid !== undefined && b.call_hook === undefined) {
    return { ok: false, status: 400, message: 'the simulator has no applications: give call_hook and call_status_hook' };
  }
  const callHook = absoluteHook(b.call_hook);
  if (callHook === undefined) return { ok: false, status: 400, message: 'call_hook must be an absolute http(s) URL or {url, method}' };
  // Required whenever call_hook is given.
  const statusHook = absoluteHook(b.call_status_hook);
  if (statusHook === undefined) return { ok: false, status: 400, message: 'call_status_hook is required with call_hook, as an absolute http(s) URL' };
  const timeout = typeof b.timeout === 'number' && b.timeout > 0 ? b.timeout : undefined;
  return { ok: true, action: { kind: 'create-call', from, to: number, callHook, statusHook, ...(timeout !== undefined ? { timeout } : {}) } };
}

function absoluteHook(value: unknown): Hook | undefined {
  if (typeof value === 'string') return isHttpUrl(value) ? { url: value, method: 'POST' } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Readonly<Record<string, unknown>>;
  if (typeof o.url !== 'string' || !isHttpUrl(o.url)) return undefined;
  return { url: o.url, method: typeof o.method === 'string' && o.method.toUpperCase() === 'GET' ? 'GET' : 'POST' };
}
