/**
 * The simulator's HTTP front: the Hoiio IVR API under `ivr/`, fake recordings under
 * `recordings/`, and the control plane under `sim/`.
 *
 * Every API answer is JSON with `status` and HTTP 200, errors included (the SDKs decide on
 * `status`; contract §1); only an unknown path is a 404 (with a JSON `status` too).
 * Transport faults (502, reset, hang) are applied here, below the API logic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest, record, visibleParams, type ApiCore, type ApiRequest } from './api.js';
import type { ResolvedFaults } from './faults.js';
import type { Lifetime } from './lifetime.js';
import { LoopbackServer } from './loopback-server.js';
import { BLOCK_PATHS, get, type Params } from './params.js';
import type { RecordingStore } from './recordings.js';
import { readLimited } from '../util/read-limited.js';

type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpFrontOptions {
  readonly lifetime: Lifetime;
  readonly core: ApiCore;
  readonly recordings: RecordingStore;
  readonly faults: () => ResolvedFaults;
  readonly control: NodeListener;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Parses `a=1&b=%2B65` strictly: undefined when an escape or the UTF-8 is broken. */
export function parseForm(text: string): Params | undefined {
  const out: Params = {};
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      out[decodeURIComponent(rawKey.replace(/\+/g, ' '))] = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return out;
}

export class HttpFront {
  readonly #o: HttpFrontOptions;
  readonly #server: LoopbackServer;
  #requestIndex = 0;

  constructor(options: HttpFrontOptions) {
    this.#o = options;
    this.#server = new LoopbackServer(
      (req, res) => this.#handle(req, res),
      (res, err) => json(res, 500, { status: 'error_internal_server_error', detail: String(err) }),
    );
  }

  listen(port: number): Promise<number> {
    return this.#server.listen(port);
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path === '/sim' || path.startsWith('/sim/')) {
      await this.#o.control(req, res);
      return;
    }
    if (path.startsWith('/recordings/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const r = this.#o.recordings.serve(path, url.searchParams);
      res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': r.body.length });
      res.end(req.method === 'HEAD' ? undefined : r.body);
      return;
    }
    await this.#api(req, res, url);
  }

  async #api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { core, lifetime } = this.#o;
    const path = url.pathname.slice(1);
    const method = req.method ?? 'GET';
    const block = BLOCK_PATHS[path];
    const query = parseForm(url.search.slice(1));
    if (!block) {
      await drain(req);
      const status = 'error_not_found';
      core.logRequest({ method, path, params: visibleParams(query ?? {}), response: status, httpStatus: 404 });
      core.violation({ kind: 'unknown-path', status, detail: `${method} /${path}` });
      json(res, 404, { status });
      return;
    }
    if (method !== 'GET' && method !== 'POST') {
      await drain(req);
      const status = 'error_invalid_http_method';
      core.logRequest({ method, path, block, params: visibleParams(query ?? {}), response: status, httpStatus: 200 });
      core.violation({ kind: 'http-method', block, status, detail: `${method} /${path}: only GET or POST are allowed` });
      json(res, 200, { status });
      return;
    }

    let params = query;
    if (method === 'POST') {
      const raw = await readBody(req);
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      // Like a servlet container: only a form body is read as parameters (JSON is ignored).
      if (raw !== undefined && (type === '' || type === 'application/x-www-form-urlencoded')) {
        const text = decodeUtf8(raw);
        const body = text === undefined ? undefined : parseForm(text);
        params = query && body ? { ...query, ...body } : undefined;
      } else if (raw === undefined) {
        params = undefined;
      }
    }
    if (!params) {
      const status = 'error_malformed_params';
      core.logRequest({ method, path, block, params: {}, response: status, httpStatus: 200 });
      core.violation({ kind: 'invalid-params', block, status, detail: `${block}: unreadable parameters` });
      json(res, 200, { status });
      return;
    }

    const session = block === 'dial' ? undefined : get(params, 'session');
    const call = session === undefined ? undefined : core.call(session);
    const fault = this.#o.faults().request({
      kind: 'request',
      index: this.#requestIndex++,
      block,
      params: visibleParams(params),
      ...(session !== undefined ? { session } : {}),
      callIndex: call ? call.requestCount++ : 0,
    });
    if (fault?.delayMs) {
      try {
        await lifetime.sleep(fault.delayMs);
      } catch {
        res.destroy();
        return;
      }
    }
    const request: ApiRequest = { block, method: method === 'GET' ? 'GET' : 'POST', path, params, httpStatus: 200 };

    if (fault?.status) {
      // The block did not run: an answer like Hoiio's when it is overloaded or broken.
      record(core, { ...request, fault: 'status' }, fault.status, call, session);
      json(res, 200, { status: fault.status });
      return;
    }

    const transport = fault?.httpStatus ? `http-${fault.httpStatus}` : fault?.reset ? 'reset' : fault?.hang ? 'hang' : undefined;
    if (transport) {
      const httpStatus = fault?.httpStatus ?? 0;
      let start: (() => void) | undefined;
      if (fault?.apply) {
        start = processRequest(core, { ...request, httpStatus, fault: transport }).start;
      } else {
        record(core, { ...request, httpStatus, fault: transport }, transport, call, session);
      }
      if (fault?.httpStatus) {
        const body = fault.body ?? `<html><body><h1>${fault.httpStatus} Bad Gateway</h1></body></html>`;
        res.writeHead(fault.httpStatus, { 'content-type': 'text/html' });
        res.end(body);
      } else if (fault?.reset) {
        req.socket.destroy();
      } else {
        this.#server.hang(res);
      }
      start?.();
      return;
    }

    const outcome = processRequest(core, request);
    const start = outcome.start;
    if (start) {
      let started = false;
      // 'close' also fires when the engine drops the connection: the block runs either way.
      res.on('close', () => {
        if (started) return;
        started = true;
        start();
      });
    }
    json(res, 200, outcome.body);
  }
}

function json(res: ServerResponse, status: number, body: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const read = await readLimited(req, MAX_BODY_BYTES);
  return read.ok ? read.bytes : undefined;
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard
  }
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
