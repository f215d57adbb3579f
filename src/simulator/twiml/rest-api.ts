/**
 * The provider's REST API as the simulator answers it (what the app's
 * `--provider-api-url` points at): outbound calls (`Calls`), updates of a call
 * (`Status=completed`: a forced hangup; `Twiml`/`Texml`: new instructions, a
 * goodbye), and call recordings (`monitor`). It accepts the dialect's paths
 * and encodings (Twilio and SignalWire: form, `.json` resources; Telnyx: JSON
 * under `/texml`, call resources without a suffix) and checks the account's
 * credentials as the provider does.
 */
import type { TwimlDialectSpec } from './dialects.js';

export type RestAction =
  | { readonly kind: 'create-call'; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'update-call'; readonly callSid: string; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'start-recording'; readonly callSid: string; readonly fields: Readonly<Record<string, string>> };

export type RestRoute = { readonly ok: true; readonly action: RestAction } | { readonly ok: false; readonly status: number; readonly message: string };

/** Reads a body as the dialect encodes it: a form, or (Telnyx) JSON with PascalCase keys. */
export function restFields(contentType: string, body: string): Record<string, string> | undefined {
  if (contentType.toLowerCase().startsWith('application/json')) {
    let value: unknown;
    try {
      value = body === '' ? {} : JSON.parse(body);
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  try {
    return Object.fromEntries(new URLSearchParams(body));
  } catch {
    return undefined;
  }
}

/** Which REST action a POST to `path` is, for the account `account`. */
export function routeRest(spec: TwimlDialectSpec, account: string, path: string, fields: Readonly<Record<string, string>>): RestRoute {
  const base = `${spec.restPrefix}/Accounts/${encodeURIComponent(account)}/Calls`;
  const accountPart = new RegExp(`^${escapeRegExp(spec.restPrefix)}/Accounts/([^/]+)/`).exec(path);
  if (accountPart !== null && decodeURIComponent(accountPart[1] ?? '') !== account) {
    return { ok: false, status: 404, message: `no account ${accountPart[1] ?? ''} here` };
  }
  const suffix = spec.jsonSuffix ? '.json' : '';
  if (path === `${base}${suffix}` || path === `${base}.json`) return { ok: true, action: { kind: 'create-call', fields } };
  if (path.startsWith(`${base}/`)) {
    const rest = path.slice(base.length + 1);
    const recording = /^([^/]+)\/Recordings\.json$/.exec(rest);
    if (recording !== null) return { ok: true, action: { kind: 'start-recording', callSid: decodeURIComponent(recording[1] ?? ''), fields } };
    const call = spec.jsonSuffix ? /^([^/]+)\.json$/.exec(rest) : /^([^/]+?)(?:\.json)?$/.exec(rest);
    if (call !== null) return { ok: true, action: { kind: 'update-call', callSid: decodeURIComponent(call[1] ?? ''), fields } };
  }
  return { ok: false, status: 404, message: `The requested resource ${path} was not found` };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
