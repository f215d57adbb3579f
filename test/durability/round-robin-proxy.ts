/**
 * A small HTTP load balancer on loopback for the two-server test: it forwards each
 * webhook to one of several servers, alternating per call, and can copy a request
 * to every server at once (concurrent deliveries). Like a real balancer, it sends a
 * request elsewhere only when the chosen server refuses the connection (nothing
 * was delivered); Hoiio itself never retries.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

export interface Delivery {
  readonly key: string;
  readonly count: number;
  readonly path: string;
}

export interface ProxyPolicy {
  /** Which backends get this request: one index, or several to deliver concurrently. */
  route(d: Delivery): number | readonly number[];
}

export interface ForwardRecord {
  readonly key: string;
  readonly path: string;
  readonly backend: number;
  readonly status: number | string;
}

export interface RoundRobinProxy {
  readonly url: string;
  readonly port: number;
  backends: string[];
  policy: ProxyPolicy;
  readonly forwarded: readonly ForwardRecord[];
  close(): Promise<void>;
}

/** Per call: notify URLs by our call id, ringing notifications by their session. */
function callKey(path: string, body: string): string {
  const m = /^\/hoiio\/notify\/([^/]+)\//.exec(path);
  if (m !== null) return m[1]!;
  return `session:${new URLSearchParams(body).get('session') ?? ''}`;
}

export async function startProxy(backends: string[], policy: ProxyPolicy, port = 0): Promise<RoundRobinProxy> {
  const counts = new Map<string, number>();
  const forwarded: ForwardRecord[] = [];
  const dispatcher = new Agent({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });
  const proxy: RoundRobinProxy = {
    url: '',
    port: 0,
    backends,
    policy,
    forwarded,
    close: async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await dispatcher.destroy();
    },
  };

  const forward = async (
    backend: number,
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | { error: string }> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
    }
    try {
      const res = await request(`${proxy.backends[backend]}${req.url ?? '/'}`, {
        method: (req.method ?? 'POST') as 'POST',
        headers,
        body,
        dispatcher,
      });
      const out = Buffer.from(await res.body.arrayBuffer());
      const h: Record<string, string> = {};
      const type = res.headers['content-type'];
      if (typeof type === 'string') h['content-type'] = type;
      return { status: res.statusCode, headers: h, body: out };
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message;
      return { error: code };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const key = callKey(path, body.toString('utf8'));
    const count = counts.get(key) ?? 0;
    counts.set(key, count + 1);
    const route = proxy.policy.route({ key, count, path });
    const targets = typeof route === 'number' ? [route] : [...route];
    const results = await Promise.all(
      targets.map(async (backend) => {
        let result = await forward(backend, req, body);
        forwarded.push({ key, path, backend, status: 'error' in result ? result.error : result.status });
        if ('error' in result && result.error === 'ECONNREFUSED' && targets.length === 1) {
          // The chosen server is down and got nothing: a balancer tries the next one.
          const next = (backend + 1) % proxy.backends.length;
          result = await forward(next, req, body);
          forwarded.push({ key, path, backend: next, status: 'error' in result ? result.error : result.status });
        }
        return result;
      }),
    );
    const answer = results.find((r) => !('error' in r) && r.status < 300) ?? results.find((r) => !('error' in r));
    if (answer === undefined || 'error' in answer) {
      res.writeHead(502).end();
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', () => done()));
  const actual = (server.address() as AddressInfo).port;
  return Object.assign(proxy, { url: `http://127.0.0.1:${actual}`, port: actual });
}
