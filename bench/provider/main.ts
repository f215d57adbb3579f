/**
 * The benchmark's fake Hoiio, in its own process: answers every IVR block request
 * at once (`{"status":"success_ok"}`) and, like Hoiio with a scripted caller on the
 * line, POSTs the block's result to its notify_url (form body, signed like Hoiio's
 * `X-Hoiio-Signature`). It checks that every block is the one the flow expects
 * (bench/lib/flow.ts), so the engine and the baseline do the same work.
 *
 * It measures what Hoiio would observe: per-step latency = from sending a
 * notification to receiving the next block request of that call.
 *
 * Control (HTTP, for the load generator): `POST /control/ring?target=<incoming URL>`
 * rings one call and answers when it has ended: `{"ok":true}` or `{"ok":false,"error":…}`.
 * Control (IPC, for the orchestrator): `{cmd:'reset'}` → `{type:'reset'}`;
 * `{cmd:'stats'}` → `{type:'stats', stats}`.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Http1Pool } from '../lib/http1.js';
import { BENCH_NUMBER, CALLER_NUMBER, callerResult, expectedBlocks, type ExpectedBlock } from '../lib/flow.js';
import { parseForm } from '../lib/form.js';

const APP_ID = process.env.BENCH_APP_ID ?? 'bench-app';
const ACCESS_TOKEN = process.env.BENCH_ACCESS_TOKEN ?? 'bench-token';
/** A call that takes longer than this is counted as failed (something is stuck). */
const CALL_TIMEOUT_MS = 30_000;

interface Call {
  readonly session: string;
  readonly txnRef: string;
  readonly expected: readonly ExpectedBlock[];
  /** Blocks received so far. */
  index: number;
  /** When the last notification went out; the next block request closes the step. */
  notifiedAt: number;
  done: (result: { ok: boolean; error?: string }) => void;
  timer: NodeJS.Timeout;
}

export interface ProviderStats {
  readonly steps: number;
  readonly calls: number;
  readonly failed: number;
  readonly errors: Record<string, number>;
  /** Per-step latencies in ms, sorted. */
  readonly latencies: number[];
}

const calls = new Map<string, Call>();
const pools = new Map<string, Http1Pool>();
let latencies: number[] = [];
let steps = 0;
let completed = 0;
let failed = 0;
let errors: Record<string, number> = {};
let sessionCounter = 0;
let baseUrl = '';

function countError(kind: string): void {
  errors[kind] = (errors[kind] ?? 0) + 1;
}

function poolFor(url: URL): Http1Pool {
  let pool = pools.get(url.origin);
  if (pool === undefined) {
    pool = new Http1Pool(url.origin);
    pools.set(url.origin, pool);
  }
  return pool;
}

/** POSTs a notification like Hoiio: form body, signed; resolves with the HTTP status (0 on a transport error). */
async function notify(call: Call | undefined, target: string, fields: Record<string, string>): Promise<number> {
  const url = new URL(target);
  let body = '';
  for (const [k, v] of Object.entries(fields)) body += `${body === '' ? '' : '&'}${k}=${encodeURIComponent(v)}`;
  const signature = createHmac('sha256', ACCESS_TOKEN).update(body).digest('hex');
  if (call !== undefined) call.notifiedAt = performance.now();
  try {
    const res = await poolFor(url).request(
      'POST',
      url.pathname + url.search,
      { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'x-hoiio-signature': signature },
      body,
    );
    return res.status;
  } catch {
    return 0;
  }
}

function finish(call: Call, result: { ok: boolean; error?: string }): void {
  if (!calls.delete(call.session)) return;
  clearTimeout(call.timer);
  if (result.ok) completed++;
  else {
    failed++;
    countError(result.error ?? 'failed');
  }
  call.done(result);
}

function json(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const OK = JSON.stringify({ status: 'success_ok' });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handleBlock(req: IncomingMessage, res: ServerResponse, path: string, arrived: number): Promise<void> {
  const params = parseForm(await readBody(req));
  if (params === undefined) return json(res, 200, JSON.stringify({ status: 'error_malformed_params' }));
  if (params.app_id !== APP_ID || params.access_token !== ACCESS_TOKEN) {
    countError('credentials');
    return json(res, 200, JSON.stringify({ status: 'error_invalid_access_token' }));
  }
  const call = calls.get(params.session ?? '');
  if (call === undefined) {
    countError('unknown-session');
    return json(res, 200, JSON.stringify({ status: 'error_invalid_session' }));
  }
  latencies.push(arrived - call.notifiedAt);
  steps++;
  const expected = call.expected[call.index];
  const mismatch =
    expected === undefined
      ? `block ${call.index + 1} after the flow's end`
      : expected.path !== path
        ? `block ${call.index + 1}: expected ${expected.path}, got ${path}`
        : Object.entries(expected.params).find(([k, v]) => params[k] !== v);
  const notifyUrl = params.notify_url;
  json(res, 200, OK);
  if (mismatch !== undefined || notifyUrl === undefined) {
    const detail = typeof mismatch === 'string' ? mismatch : mismatch !== undefined ? `param ${mismatch[0]}=${params[mismatch[0]] ?? ''}` : 'no notify_url';
    finish(call, { ok: false, error: `unexpected-block: ${detail}` });
    return;
  }
  const index = call.index++;
  const fields: Record<string, string> = {
    ...callerResult(index, `${baseUrl}recordings/${call.session}.mp3`),
    session: call.session,
    txn_ref: call.txnRef,
    from: CALLER_NUMBER,
    to: BENCH_NUMBER,
    tag: params.tag ?? '',
  };
  // The block "runs" once its answer has gone out; the bench caller takes no time.
  setImmediate(() => {
    void notify(call, notifyUrl, fields).then((status) => {
      if (status < 200 || status >= 300) finish(call, { ok: false, error: `notification-http-${status}` });
      else if (fields.call_state === 'ended') finish(call, { ok: true });
    });
  });
}

function ring(target: string, res: ServerResponse): void {
  const n = ++sessionCounter;
  const session = `S${n}`;
  const call: Call = {
    session,
    txnRef: `AA-C-${1_000_000 + n}`,
    expected: expectedBlocks(CALLER_NUMBER),
    index: 0,
    notifiedAt: 0,
    done: (result) => json(res, 200, JSON.stringify(result)),
    timer: setTimeout(() => finish(call, { ok: false, error: 'call-timeout' }), CALL_TIMEOUT_MS),
  };
  calls.set(session, call);
  void notify(call, target, {
    call_state: 'ringing',
    ivr_block: 'answer',
    session,
    txn_ref: call.txnRef,
    from: CALLER_NUMBER,
    to: BENCH_NUMBER,
  }).then((status) => {
    if (status < 200 || status >= 300) finish(call, { ok: false, error: `ringing-http-${status}` });
  });
}

const server = createServer((req, res) => {
  const arrived = performance.now();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).slice(1);
  if (path.startsWith('ivr/')) {
    handleBlock(req, res, path, arrived).catch((err: unknown) => {
      countError('provider-exception');
      if (!res.headersSent) json(res, 500, JSON.stringify({ status: 'error_internal_server_error', detail: String(err) }));
    });
    return;
  }
  if (path === 'control/ring' && req.method === 'POST') {
    req.resume();
    const target = new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).get('target');
    if (target === null) return json(res, 400, JSON.stringify({ ok: false, error: 'target missing' }));
    ring(target, res);
    return;
  }
  req.resume();
  json(res, 404, JSON.stringify({ status: 'error_not_found' }));
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 70_000;

function stats(): ProviderStats {
  return { steps, calls: completed, failed, errors, latencies: latencies.sort((a, b) => a - b) };
}

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'reset') {
    latencies = [];
    steps = 0;
    completed = 0;
    failed = 0;
    errors = {};
    process.send?.({ type: 'reset' });
  } else if (message.cmd === 'stats') {
    process.send?.({ type: 'stats', stats: stats() });
  } else if (message.cmd === 'exit') {
    server.closeAllConnections();
    server.close();
    for (const pool of pools.values()) pool.close();
    process.exit(0);
  }
});

server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}/`;
  process.send?.({ type: 'ready', url: baseUrl });
});
