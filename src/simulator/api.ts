/**
 * Judges one IVR API request like Hoiio: credentials, session, parameters, then the
 * session's state. Records the request in the call's transcript and the request log, and
 * records a violation when the engine broke the protocol.
 *
 * Order of checks (Hoiio's is undocumented): credentials → session missing/unknown/ended →
 * after an end block → parameters → busy/held/not-held/monitor running.
 */
import { heardParts } from './markup.js';
import { checkBlockParams, checkCredentials, get, type Params } from './params.js';
import type { Accepted, Runner } from './runner.js';
import type { CallSession } from './session.js';
import type { BlockName, RequestLogEntry, Violation, ViolationKind } from './types.js';

export interface ApiCore {
  readonly appId: string;
  readonly accessToken: string;
  readonly runner: Runner;
  readonly concurrentCallLimit: number;
  call(session: string): CallSession | undefined;
  activeCalls(): number;
  createOutboundCall(params: Params): CallSession;
  logRequest(entry: Omit<RequestLogEntry, 'seq' | 'at'>): void;
  violation(v: Omit<Violation, 'seq' | 'at'>): void;
}

export interface ApiRequest {
  readonly block: BlockName;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly params: Params;
  /** How the answer will reach the engine (a transport fault may replace it). */
  readonly httpStatus: number;
  readonly fault?: string;
}

export interface ApiOutcome {
  readonly status: string;
  readonly body: Record<string, string>;
  readonly start?: () => void;
}

/** The params as the transcript shows them: credentials removed. */
export function visibleParams(params: Params): Params {
  const { app_id: _a, access_token: _t, ...rest } = params;
  return rest;
}

export function processRequest(core: ApiCore, req: ApiRequest): ApiOutcome {
  const { block, params } = req;
  const sessionId = get(params, 'session');
  const call = block === 'dial' || sessionId === undefined ? undefined : core.call(sessionId);

  const fail = (status: string, kind: ViolationKind | undefined, detail: string): ApiOutcome => {
    record(core, req, status, call, sessionId);
    if (kind) {
      core.violation({
        kind,
        block,
        status,
        detail,
        ...(sessionId !== undefined && block !== 'dial' ? { session: sessionId } : {}),
      });
    }
    return { status, body: { status } };
  };

  const credentials = checkCredentials(params, core.appId, core.accessToken);
  if (credentials) return fail(credentials, 'auth', `${block}: ${credentials}`);

  if (block === 'dial') {
    const bad = checkBlockParams('dial', params);
    if (bad) return fail(bad, 'invalid-params', `dial: ${bad}`);
    if (core.activeCalls() >= core.concurrentCallLimit) {
      // Capacity, not a protocol mistake: no violation.
      return fail('error_concurrent_call_limit_reached', undefined, '');
    }
    const created = core.createOutboundCall(params);
    const accepted = core.runner.acceptDial(created, params);
    record(core, req, 'success_ok', created, created.session);
    return {
      status: 'success_ok',
      body: { status: 'success_ok', txn_ref: created.txnRef, session: created.session },
      start: accepted.start,
    };
  }

  if (sessionId === undefined) return fail('error_session_param_missing', 'invalid-session', `${block} without session`);
  if (!call) return fail('error_invalid_session', 'invalid-session', `${block} for unknown session ${sessionId}`);

  const forced = block === 'hangup' && get(params, 'force') === 'enabled';
  if (call.state === 'ended') {
    // Not the engine's fault while it could not know yet (caller hung up, `ended` not delivered).
    const kind = call.endKnownToEngine ? 'after-end' : undefined;
    return fail('error_session_ended', kind, `${block} after the call ended (${call.endInfo?.reason ?? '?'})`);
  }
  if (call.endBlock && !forced) {
    return fail('error_session_ended', 'after-end-block', `${block} after an end block (${call.lastBlock ?? '?'})`);
  }

  const bad = checkBlockParams(block, params);
  if (bad) return fail(bad, 'invalid-params', `${block}: ${bad}`);

  if (!forced) {
    if (call.state === 'busy') {
      return fail('error_session_not_ready', 'not-ready', `${block} while ${call.running?.block ?? 'a block'} was still running`);
    }
    if (call.state === 'held' && block !== 'unhold') {
      return fail('error_session_not_ready', 'on-hold', `${block} while on hold`);
    }
    if (block === 'unhold' && call.state !== 'held') {
      return fail('error_session_not_on_hold', 'not-on-hold', 'unhold while not on hold');
    }
    if (block === 'monitor' && call.monitor) {
      return fail('error_monitor_in_progress', 'monitor-in-progress', 'monitor while monitor is running');
    }
  }

  const room = block === 'transfer' ? core.runner.roomFor(params) : undefined;
  // Recorded before accept() so the block precedes the events it causes in the transcript.
  record(core, req, 'success_ok', call, sessionId, room);
  const accepted: Accepted = core.runner.accept(call, block, params);
  const body: Record<string, string> = { status: 'success_ok' };
  if (room !== undefined) body.room = room;
  return { status: 'success_ok', body, start: accepted.start };
}

/** Adds the request to the log and, when the session is known, to the call's transcript. */
export function record(
  core: ApiCore,
  req: ApiRequest,
  response: string,
  call: CallSession | undefined,
  session: string | undefined,
  room?: string,
): void {
  core.logRequest({
    method: req.method,
    path: req.path,
    block: req.block,
    params: visibleParams(req.params),
    response,
    httpStatus: req.httpStatus,
    ...(session !== undefined ? { session } : {}),
    ...(req.fault !== undefined ? { fault: req.fault } : {}),
  });
  if (!call) return;
  const msg = req.params.msg;
  const heard = msg !== undefined && msg !== '' ? heardParts(msg) : [];
  call.add({
    kind: 'block',
    block: req.block,
    method: req.method,
    params: visibleParams(req.params),
    response,
    ...(req.fault !== undefined ? { fault: req.fault } : {}),
    ...(room !== undefined ? { room } : {}),
    ...(heard.length > 0 ? { heard } : {}),
  });
}
