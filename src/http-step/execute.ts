/**
 * Carries out an http step's request with undici, for the runner: the request the
 * interpreter rendered goes out (environment-variable headers filled in here, at
 * request time), and what comes back becomes an `http.result` event — never an
 * exception. A request never outlives its timeout (the whole answer, body
 * included), answers are read up to a size limit, and only the `save` values of a
 * 2xx JSON answer travel on.
 */
import { Agent, errors as undiciErrors, request } from 'undici';
import type { CallEvent } from '../engine/events.js';
import { extractValues } from '../engine/json-path.js';
import type { HttpRequest } from '../engine/transition.js';
import { redactText, redactUrl } from '../log/redact.js';
import { errorCode } from '../util/error-code.js';
import { isHttpScheme } from '../util/http-url.js';

export type HttpResult = Omit<Extract<CallEvent, { type: 'http.result' }>, 'type' | 'seq'>;

/** Largest answer read (bytes); a larger one is a failure (`too-large`). */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

export interface HttpExecutorOptions {
  readonly maxResponseBytes?: number;
  /** Where `{ env: NAME }` header values come from (default: process.env). */
  readonly env?: (name: string) => string | undefined;
}

class Timeout extends Error {
  constructor(readonly ms: number) {
    super(`no complete answer within ${ms} ms`);
    this.name = 'Timeout';
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = errorCode(err);
  return code !== undefined ? `${code}: ${err.message}` : err.message;
}

export class HttpExecutor {
  private readonly agent: Agent;
  private readonly maxBytes: number;
  private readonly env: (name: string) => string | undefined;

  constructor(o: HttpExecutorOptions = {}) {
    this.maxBytes = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.env = o.env ?? ((name) => process.env[name]);
    // undici enforces the limit while it parses (as for the providers' REST clients), so the body can be read with `text()`.
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 64, maxResponseSize: this.maxBytes });
  }

  /**
   * `env` (a call's own, e.g. a test file's) is consulted before the executor's. A
   * failure's message is logged and may quote the URL or what a server echoed back:
   * it leaves without the URL's query values and userinfo and the env header values.
   */
  async execute(req: HttpRequest, env?: (name: string) => string | undefined): Promise<HttpResult> {
    const secrets: string[] = [];
    const result = await this.attempt(req, env, secrets);
    return result.message === undefined ? result : { ...result, message: redactText(result.message, { urls: [req.url], secrets }) };
  }

  /** Adds each env header value it sends to `secrets`. */
  private async attempt(req: HttpRequest, env: ((name: string) => string | undefined) | undefined, secrets: string[]): Promise<HttpResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return { failure: 'bad-request', message: `not a valid URL: ${JSON.stringify(redactUrl(req.url).slice(0, 200))}`, ms: elapsed() };
    }
    if (!isHttpScheme(url)) {
      return { failure: 'bad-request', message: `only http and https URLs can be requested, not ${url.protocol}`, ms: elapsed() };
    }
    const headers: Record<string, string> = { 'user-agent': 'callscript', accept: 'application/json' };
    for (const [name, value] of req.headers) {
      if (typeof value === 'string') {
        headers[name.toLowerCase()] = value;
        continue;
      }
      const resolved = env?.(value.env) ?? this.env(value.env);
      if (resolved === undefined) {
        return { failure: 'bad-request', message: `header ${name}: environment variable ${value.env} is not set`, ms: elapsed() };
      }
      headers[name.toLowerCase()] = resolved;
      secrets.push(resolved);
    }
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Timeout(req.timeoutMs)), req.timeoutMs);
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        signal: controller.signal,
        dispatcher: this.agent,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const status = res.statusCode;
      let text: string;
      try {
        text = await res.body.text();
      } catch (err) {
        if (!(err instanceof undiciErrors.ResponseExceededMaxSizeError)) throw err;
        return { status, failure: 'too-large', message: `the answer is larger than ${this.maxBytes} bytes`, ms: elapsed() };
      }
      if (status < 200 || status >= 300 || req.save.length === 0) return { status, ms: elapsed() };
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        return { status, failure: 'malformed', message: `the answer is not JSON: ${err instanceof Error ? err.message : String(err)}`, ms: elapsed() };
      }
      return { status, values: extractValues(json, req.save), ms: elapsed() };
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason instanceof Timeout) {
        return { failure: 'timeout', message: controller.signal.reason.message, ms: elapsed() };
      }
      const code = errorCode(err);
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        return { failure: 'timeout', message: `no complete answer within ${req.timeoutMs} ms`, ms: elapsed() };
      }
      return { failure: 'network', message: describe(err), ms: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
