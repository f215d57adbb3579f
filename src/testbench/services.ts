/**
 * Canned HTTP services for script tests: a test file declares services (routes →
 * status, JSON or raw body, headers, delay), the runner starts each as a real HTTP
 * server on 127.0.0.1 and the file's `vars` point the script at it
 * (`crm_url: "{{services.crm}}"`). An `http` step under test then talks to a real
 * server over loopback, with real timeouts and real malformed answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readLimited } from '../util/read-limited.js';

/** What a canned service reads of a request; a script's http step sends far less. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface CannedResponse {
  readonly status: number;
  /** Sent as JSON (content-type application/json). */
  readonly json?: unknown;
  /** Sent as is (e.g. to test malformed JSON). */
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Seconds to wait before answering (e.g. past an http step's timeout). */
  readonly delay?: number;
}

export interface CannedRoute {
  readonly method: string;
  /** Path segments; `*` matches any one segment. */
  readonly segments: readonly string[];
  /** As written, for messages: `GET /customers/*`. */
  readonly key: string;
  readonly response: CannedResponse;
}

export interface ServiceSpec {
  readonly name: string;
  readonly routes: readonly CannedRoute[];
}

export interface ServiceRequest {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|\*)\s+(\/\S*)$/;

/** `"GET /customers/*"` → method and path segments, or undefined. */
export function parseRouteKey(key: string): { method: string; segments: string[] } | undefined {
  const m = ROUTE_KEY.exec(key.trim());
  if (!m) return undefined;
  return { method: m[1] ?? '*', segments: splitPath(m[2] ?? '/') };
}

function splitPath(path: string): string[] {
  const pathname = path.split('?')[0] ?? '';
  return pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function matches(route: CannedRoute, method: string, segments: readonly string[]): boolean {
  if (route.method !== '*' && route.method !== method) return false;
  if (route.segments.length !== segments.length) return false;
  return route.segments.every((s, i) => s === '*' || s === segments[i]);
}

export class CannedServices {
  readonly requests: ServiceRequest[] = [];
  private readonly servers: Server[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Service name → base URL (`http://127.0.0.1:<port>`). */
  readonly urls = new Map<string, string>();

  static async start(specs: readonly ServiceSpec[]): Promise<CannedServices> {
    const services = new CannedServices();
    try {
      for (const spec of specs) await services.add(spec);
    } catch (err) {
      await services.close();
      throw err;
    }
    return services;
  }

  private async add(spec: ServiceSpec): Promise<void> {
    const server = createServer((req, res) => this.handle(spec, req, res));
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.urls.set(spec.name, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  private handle(spec: ServiceSpec, req: IncomingMessage, res: ServerResponse): void {
    void readLimited(req, MAX_REQUEST_BYTES).then((read) => {
      if (!read.ok) {
        if (read.reason === 'too-large') {
          res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `request body over ${MAX_REQUEST_BYTES} bytes` }));
        }
        return;
      }
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      this.requests.push({ service: spec.name, method, path, body: read.bytes.toString('utf8') });
      const route = spec.routes.find((r) => matches(r, method, splitPath(path)));
      const response: CannedResponse = route?.response ?? { status: 404, json: { error: `no canned route for ${method} ${path}` } };
      const send = (): void => {
        const headers: Record<string, string> = { ...(response.json !== undefined ? { 'content-type': 'application/json' } : {}), ...response.headers };
        res.writeHead(response.status, headers);
        res.end(response.json !== undefined ? JSON.stringify(response.json) : (response.body ?? ''));
      };
      if (response.delay !== undefined && response.delay > 0) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) send();
        }, response.delay * 1000);
        this.timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          this.timers.delete(timer);
        });
      } else {
        send();
      }
    });
  }

  /** `{{services.crm}}` in a value → the service's base URL. */
  expand(value: string): string {
    return value.replace(/\{\{\s*services\.([A-Za-z0-9_-]+)\s*\}\}/g, (whole, name: string) => this.urls.get(name) ?? whole);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }
}

/** Names of the services a value refers to as `{{services.<name>}}`. */
export function serviceRefs(value: string): string[] {
  return [...value.matchAll(/\{\{\s*services\.([A-Za-z0-9_-]+)\s*\}\}/g)].map((m) => m[1] ?? '');
}
