/**
 * Test helpers: a tiny stand-in for the engine (a loopback HTTP server that records the
 * notifications it receives) and a client for the simulator's API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

export const APP_ID = 'AP-TEST';
export const TOKEN = 'tok-secret';
export const HOIIO_NUMBER = '+6566667777';

export interface Received {
  readonly path: string;
  readonly query: Record<string, string>;
  /** The form body's fields. */
  readonly fields: Record<string, string>;
  /** Query string and body merged, body winning (the engine's rule). */
  readonly merged: Record<string, string>;
  readonly raw: string;
  readonly signature: string | undefined;
  readonly contentType: string | undefined;
}

type Handler = (n: Received, res: ServerResponse) => void | Promise<void>;

/** Records every POST; answers 200 unless a handler answers. */
export class FakeEngine {
  readonly received: Received[] = [];
  handler: Handler | undefined;
  /** Free slot for a test's app logic. */
  handlerNext: ((n: Received) => Promise<void>) | undefined;
  status = 200;
  readonly #server: Server;
  readonly #waiters: { pred: (n: Received) => boolean; resolve: (n: Received) => void }[] = [];
  #port = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      void this.#handle(req, res);
    });
  }

  static async start(): Promise<FakeEngine> {
    const e = new FakeEngine();
    await new Promise<void>((r) => e.#server.listen(0, '127.0.0.1', r));
    e.#port = (e.#server.address() as AddressInfo).port;
    return e;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  /** A notify URL with the engine's own query parameters (kept by Hoiio). */
  notifyUrl(step: string, extra = ''): string {
    return `${this.url}hoiio/notify?step=${step}&t=tok123${extra}`;
  }

  forSession(session: string): Received[] {
    return this.received.filter((n) => n.merged.session === session);
  }

  waitFor(pred: (n: Received) => boolean, timeoutMs = 3000): Promise<Received> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.#waiters.push(w);
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`no matching notification in ${timeoutMs} ms; got ${JSON.stringify(this.received.map((n) => n.fields))}`));
      }, timeoutMs);
      w.resolve = (n) => {
        clearTimeout(t);
        resolve(n);
      };
    });
  }

  /** Waits for the next notification of `session` with call_state `state` (after `after` of them). */
  next(session: string, state: string, after = 0): Promise<Received> {
    let seen = 0;
    return this.waitFor((n) => n.merged.session === session && n.merged.call_state === state && seen++ >= after);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const sig = req.headers['x-hoiio-signature'];
    const query = Object.fromEntries(url.searchParams);
    const fields = Object.fromEntries(new URLSearchParams(raw));
    const n: Received = {
      path: url.pathname,
      query,
      fields,
      merged: { ...query, ...fields },
      raw,
      signature: typeof sig === 'string' ? sig : undefined,
      contentType: req.headers['content-type'],
    };
    this.received.push(n);
    for (const w of [...this.#waiters]) {
      if (w.pred(n)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(n);
      }
    }
    if (this.handler) {
      await this.handler(n, res);
      if (!res.writableEnded) res.writeHead(this.status).end('OK');
      return;
    }
    res.writeHead(this.status).end('OK');
  }
}

export interface ApiAnswer {
  readonly httpStatus: number;
  readonly status: string;
  readonly body: Record<string, string>;
  readonly text: string;
}

/** Calls the simulator's API like the engine: POST form, credentials added unless overridden. */
export async function api(
  sim: Simulator,
  path: string,
  params: Record<string, string>,
  opts: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; credentials?: boolean } = {},
): Promise<ApiAnswer> {
  const all = opts.credentials === false ? params : { app_id: APP_ID, access_token: TOKEN, ...params };
  const form = new URLSearchParams(all).toString();
  const method = opts.method ?? 'POST';
  const url = method === 'GET' ? `${sim.url}${path}?${form}` : `${sim.url}${path}`;
  const res = await request(url, {
    method,
    ...(method === 'GET' ? {} : { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  });
  const text = await res.body.text();
  let body: Record<string, string> = {};
  try {
    body = JSON.parse(text) as Record<string, string>;
  } catch {
    // non-JSON (a fault); status stays ''
  }
  return { httpStatus: res.statusCode, status: body.status ?? '', body, text };
}

export interface Harness {
  readonly sim: Simulator;
  readonly engine: FakeEngine;
  close(): Promise<void>;
}

export async function harness(options: Partial<SimulatorOptions> = {}): Promise<Harness> {
  const engine = await FakeEngine.start();
  const sim = await startSimulator({
    appId: APP_ID,
    accessToken: TOKEN,
    voiceNotifyUrl: `${engine.url}hoiio/voice?app=demo`,
    ...options,
  });
  return {
    sim,
    engine,
    close: async () => {
      await sim.close();
      await engine.close();
    },
  };
}

/** Rings a call and waits for its ringing notification; returns the session. */
export async function ringAndWait(h: Harness, options: Partial<Parameters<Simulator['ring']>[0]> = {}): Promise<string> {
  const call = h.sim.ring({ to: HOIIO_NUMBER, from: '+6591110000', ...options });
  await h.engine.next(call.session, 'ringing');
  return call.session;
}

/** Sends a block and waits for the notification of `state` it causes. */
export async function block(
  h: Harness,
  session: string,
  path: string,
  params: Record<string, string>,
  state = 'ongoing',
): Promise<Received> {
  const before = h.engine.forSession(session).length;
  const answer = await api(h.sim, path, { session, ...params });
  if (answer.status !== 'success_ok') throw new Error(`${path}: ${answer.status}`);
  return h.engine.waitFor(
    (n) => n.fields.session === session && n.fields.call_state === state && h.engine.forSession(session).indexOf(n) >= before,
  );
}
