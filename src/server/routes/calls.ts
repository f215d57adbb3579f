import { Hono, type Context } from 'hono';
import type { CallState } from '../../engine/state.js';
import type { Logger } from '../../log/logger.js';
import { CallRequestError, type CallRunner } from '../../runtime/call-runner.js';
import type { ScriptRegistry } from '../../runtime/script-registry.js';
import { refuseWithoutBearer } from '../bearer.js';
import { jsonError } from '../http-error.js';
import { isE164 } from '../../util/e164.js';

export interface CallsRoutesOptions {
  readonly runner: CallRunner;
  readonly scripts: ScriptRegistry;
  readonly log: Logger;
  /** Absent: the API answers 403 to everything (outbound calls disabled). */
  readonly apiToken?: string;
}

/** `GET /calls?active=1` pages: default and largest `limit`. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** Checks `Authorization: Bearer <token>`; a Response when the request must be refused. */
export function requireBearer(c: Context, apiToken: string | undefined): Response | undefined {
  if (apiToken === undefined || apiToken === '') {
    return jsonError(c, 403, 'CS_API_DISABLED', 'the calls API is disabled: set CALLSCRIPT_API_TOKEN to enable it');
  }
  return refuseWithoutBearer(c, apiToken);
}

/**
 * `POST /calls`: place an outbound call running a script once answered.
 * `GET /calls?active=1`: the calls in progress, a page at a time.
 * `GET /calls/<call or session>`: one call (in progress, or ended and still retained) with its transcript.
 * `POST /calls/<call or session>/hangup`: end a call in progress now.
 */
export function callsRoutes(o: CallsRoutesOptions): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const denied = requireBearer(c, o.apiToken);
    if (denied !== undefined) return denied;
    const active = c.req.query('active');
    if (active !== undefined && active !== '1' && active !== 'true') {
      return jsonError(c, 400, 'CS_BAD_REQUEST', 'only calls in progress can be listed (active=1); GET /calls/<session> shows an ended call while it is kept');
    }
    const limitParam = c.req.query('limit');
    const limit = limitParam === undefined ? DEFAULT_LIST_LIMIT : Number(limitParam);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      return jsonError(c, 400, 'CS_BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
    }
    const after = c.req.query('after');
    const calls = await o.runner.store.active({ limit, ...(after !== undefined && after !== '' ? { after } : {}) });
    const last = calls.at(-1);
    return c.json({ calls: calls.map(callSummary), ...(calls.length === limit && last !== undefined ? { next: last.id } : {}) });
  });

  app.get('/:session', async (c) => {
    const denied = requireBearer(c, o.apiToken);
    if (denied !== undefined) return denied;
    const key = c.req.param('session');
    const { store } = o.runner;
    let state = await store.get(key);
    if (state === undefined) {
      const id = await store.findBySession(key);
      if (id !== undefined) state = await store.get(id);
    }
    if (state === undefined) return jsonError(c, 404, 'CS_UNKNOWN_CALL', `no call or session "${key}" in progress or recently ended`);
    const transcript = await store.transcript(state.id);
    return c.json({
      ...callSummary(state),
      pending: state.pending,
      outcome: state.outcome,
      path: state.path,
      variables: state.vars,
      digits: state.digits,
      record_url: state.recordUrl,
      transfer_status: state.transferStatus,
      // Scripts started with `call:` that the call is in, innermost last; http and error-path state.
      ...(state.frames !== undefined ? { called: state.frames.map((f) => ({ script: f.script, version: f.version, return_to: f.returnTo })) } : {}),
      ...(state.httpStatus !== undefined ? { http_status: state.httpStatus } : {}),
      ...(state.errors !== undefined ? { errors: state.errors } : {}),
      transcript: transcript.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    });
  });

  /** `POST /calls/<call or session>/hangup`: a forced hangup over the provider's REST API. */
  app.post('/:session/hangup', async (c) => {
    const denied = requireBearer(c, o.apiToken);
    if (denied !== undefined) return denied;
    const key = c.req.param('session');
    const id = (await o.runner.store.get(key)) !== undefined ? key : await o.runner.store.findBySession(key);
    if (id === undefined) return jsonError(c, 404, 'CS_UNKNOWN_CALL', 'no such call');
    const verdict = await o.runner.hangup(id);
    switch (verdict) {
      case 'sent':
        return c.json({ call: id, hangup: 'requested' }, 202);
      case 'unknown-call':
        return jsonError(c, 404, 'CS_UNKNOWN_CALL', 'no such call');
      case 'ended':
        return jsonError(c, 409, 'CS_CALL_ENDED', 'the call is already over');
      case 'failed':
        return jsonError(c, 502, 'CS_PROVIDER_ERROR', 'the provider did not take the hangup');
    }
  });

  app.post('/', async (c) => {
    const denied = requireBearer(c, o.apiToken);
    if (denied !== undefined) return denied;
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return jsonError(c, 415, 'CS_UNSUPPORTED_MEDIA_TYPE', 'send a JSON body with Content-Type: application/json');
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return jsonError(c, 400, 'CS_BAD_REQUEST', 'the body is not valid JSON');
    }
    const parsed = parseCallRequest(body);
    if (typeof parsed === 'string') return jsonError(c, 400, 'CS_BAD_REQUEST', parsed);

    const script = o.scripts.current(parsed.script);
    if (script === undefined) return jsonError(c, 404, 'CS_UNKNOWN_SCRIPT', `no script named "${parsed.script}"`);
    const undeclared = Object.keys(parsed.vars).filter((k) => !Object.hasOwn(script.vars, k));
    if (undeclared.length > 0) {
      const known = Object.keys(script.vars);
      return jsonError(
        c,
        400,
        'CS_UNKNOWN_VAR',
        `script "${script.name}" does not declare ${undeclared.map((k) => `"${k}"`).join(', ')} in vars` +
          (known.length > 0 ? ` (it declares: ${known.join(', ')})` : ' (it declares no vars)'),
      );
    }
    try {
      const call = await o.runner.outbound(parsed);
      return c.json({ session: call.session, txn_ref: call.providerRef, call: call.id }, 202);
    } catch (err) {
      if (err instanceof CallRequestError) {
        const status = err.code === 'CS_UNKNOWN_SCRIPT' ? 404 : 502;
        return jsonError(c, status, err.code, err.message, err.providerCode !== undefined ? { provider: err.providerCode } : undefined);
      }
      throw err;
    }
  });

  return app;
}

/** What `GET /calls` lists per call. Never the call's notify token. */
function callSummary(s: CallState) {
  return {
    call: s.id,
    session: s.session,
    txn_ref: s.providerRef,
    script: s.script,
    version: s.version,
    direction: s.direction,
    from: s.from,
    to: s.to,
    status: s.status,
    step: s.step,
    steps: s.steps,
    started_at: new Date(s.startedAt).toISOString(),
    updated_at: new Date(s.updatedAt).toISOString(),
  };
}

interface CallRequest {
  readonly script: string;
  readonly to: string;
  readonly from?: string;
  readonly vars: Record<string, string>;
}

/** The request, or what is wrong with it. */
function parseCallRequest(body: unknown): CallRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  const allowed = new Set(['script', 'to', 'from', 'vars']);
  const extra = Object.keys(b).filter((k) => !allowed.has(k));
  if (extra.length > 0) return `unknown field ${extra.map((k) => `"${k}"`).join(', ')} (expected script, to, from, vars)`;
  if (typeof b.script !== 'string' || b.script === '') return '"script" must be the name of a script';
  if (typeof b.to !== 'string' || !isE164(b.to)) return '"to" must be an E.164 phone number string such as "+6591234567"';
  if (b.from !== undefined && (typeof b.from !== 'string' || !(isE164(b.from) || b.from === 'private'))) {
    return '"from" must be an E.164 phone number string or "private"';
  }
  const vars: Record<string, string> = Object.create(null) as Record<string, string>;
  if (b.vars !== undefined) {
    if (typeof b.vars !== 'object' || b.vars === null || Array.isArray(b.vars)) return '"vars" must be an object';
    for (const [k, v] of Object.entries(b.vars)) {
      if (typeof v === 'string') vars[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') vars[k] = String(v);
      else return `vars.${k} must be a string, number or boolean`;
      if (vars[k]!.length > 1000) return `vars.${k} is longer than 1000 characters`;
    }
  }
  return { script: b.script, to: b.to, ...(typeof b.from === 'string' ? { from: b.from } : {}), vars };
}
