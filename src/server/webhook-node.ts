/**
 * The node server's dispatch of a provider's webhooks, ahead of Hono: a POST
 * under the adapter's mount point that matches one of its routes goes straight
 * to the handler, with the request read from the `IncomingMessage` and the
 * answer written to the `ServerResponse`. Everything else (the API, health,
 * metrics, WebSocket upgrades, a webhook path no route matches) goes to Hono.
 *
 * Why: the webhooks are the hot path, and each one through @hono/node-server
 * builds a Fetch Request, a Hono context and a Response, and routes through
 * every route of the app: about 11 µs of a webhook's CPU on a loopback bench,
 * 15 % of a call on the TwiML round (docs/performance.md). The handlers are the
 * same either way (`webhook.ts`); tests drive them through Hono too.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import { readIncoming, type BodyText } from './read-body.js';
import { errorAnswer, queryValue, type WebhookAnswer, type WebhookRequest, type WebhookRoute } from './webhook.js';

/** Handles `req` when it is one of the routes' webhooks (and returns true); false leaves it to the caller. */
export type NodeWebhookDispatch = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * `http.createServer` for @hono/node-server's `serve({ createServer })`: requests
 * `dispatch` takes go to the webhooks, the rest to Hono's listener.
 */
export function serverWithWebhooks(dispatch: NodeWebhookDispatch): typeof createServer {
  const create = (options: ServerOptions, hono?: RequestListener): Server =>
    createServer(options, (req, res) => {
      if (!dispatch(req, res)) void hono?.(req, res);
    });
  return create as typeof createServer;
}

interface Compiled {
  /** Literal segments, or undefined where the pattern has a parameter. */
  readonly literals: ReadonlyArray<string | undefined>;
  /** Parameter names by segment index. */
  readonly names: ReadonlyArray<string | undefined>;
  readonly route: WebhookRoute;
}

/**
 * Dispatches POSTs to `${mount}${route.path}`. Paths match segment by segment,
 * as Hono matches them: `:name` takes one non-empty segment, decoded.
 */
export function nodeWebhooks(mount: string, routes: readonly WebhookRoute[], log: Logger): NodeWebhookDispatch {
  const prefix = `${mount}/`;
  const compiled: Compiled[] = routes.map((route) => {
    const parts = route.path.replace(/^\//, '').split('/');
    return {
      literals: parts.map((p) => (p.startsWith(':') ? undefined : p)),
      names: parts.map((p) => (p.startsWith(':') ? p.slice(1) : undefined)),
      route,
    };
  });

  const match = (segments: readonly string[]): { route: WebhookRoute; params: ReadonlyMap<string, string> } | undefined => {
    for (const c of compiled) {
      if (c.literals.length !== segments.length) continue;
      let params: Map<string, string> | undefined;
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const segment = segments[i] ?? '';
        const literal = c.literals[i];
        if (literal !== undefined) ok = segment === literal;
        else if (segment === '') ok = false;
        else (params ??= new Map()).set(c.names[i] ?? '', decodeSegment(segment));
      }
      if (ok) return { route: c.route, params: params ?? NO_PARAMS };
    }
    return undefined;
  };

  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || !url.startsWith(prefix)) return false;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const found = match(segmentsOf(path, prefix.length));
    if (found === undefined) return false;
    const request = new NodeWebhookRequest(req, path, q < 0 ? '' : url.slice(q + 1), found.params);
    const respond = (answer: WebhookAnswer): void => {
      try {
        send(req, res, answer);
      } catch (err) {
        // An answer Node refuses to write (a header it rejects): the connection goes, the server stays.
        log.error({ err, path, method: 'POST' }, 'request.failed');
        res.destroy();
      }
    };
    const fail = (err: unknown): void => {
      log.error({ err, path, method: 'POST' }, 'request.failed');
      respond(errorAnswer(500, 'CS_INTERNAL', 'internal error'));
    };
    try {
      const answered = found.route.handle(request);
      if (answered instanceof Promise) answered.then(respond, fail);
      else respond(answered);
    } catch (err) {
      fail(err);
    }
    return true;
  };
}

const NO_PARAMS: ReadonlyMap<string, string> = new Map();

/** `path.slice(from).split('/')`, without the runtime call a split makes (a webhook's path is never a string V8 caches splits for). */
export function segmentsOf(path: string, from: number): string[] {
  const out: string[] = [];
  let at = from;
  for (;;) {
    const slash = path.indexOf('/', at);
    if (slash < 0) {
      out.push(path.slice(at));
      return out;
    }
    out.push(path.slice(at, slash));
    at = slash + 1;
  }
}

/** A webhook read from Node's request (a class, not closures: one object per webhook on the hot path). */
class NodeWebhookRequest implements WebhookRequest {
  constructor(
    private readonly req: IncomingMessage,
    readonly path: string,
    readonly query: string,
    private readonly params: ReadonlyMap<string, string>,
  ) {}

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  param(name: string): string {
    return this.params.get(name) ?? '';
  }

  queryParam(name: string): string | undefined {
    return queryValue(this.query, name);
  }

  body(maxBytes: number): Promise<BodyText> {
    return readIncoming(this.req, maxBytes);
  }
}

function send(req: IncomingMessage, res: ServerResponse, answer: WebhookAnswer): void {
  if (res.destroyed || res.headersSent) return;
  const headers = ['content-type', answer.contentType, 'content-length', String(Buffer.byteLength(answer.body))];
  // A body left unread (refused by its size) is not drained: the connection closes after the answer.
  if (!req.complete) headers.push('connection', 'close');
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
