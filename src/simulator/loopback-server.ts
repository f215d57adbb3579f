/**
 * The HTTP server a simulator answers on, whatever the API it plays: bound to
 * 127.0.0.1 only (a simulator is never meant to be reached from outside), and
 * closed at once, responses a `hang` fault holds open and idle keep-alive
 * connections included, so that close() does not wait for clients.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export class LoopbackServer {
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();

  /** `failed` answers a request whose handler threw, when an answer can still be written; otherwise its socket is dropped. */
  constructor(handle: RequestHandler, failed: (res: ServerResponse, err: unknown) => void) {
    this.#server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) failed(res, err);
        else res.destroy();
      });
    });
    // Long enough that clients keep their connections: undici subtracts a 2 s safety
    // margin from the server's keep-alive hint, so a 1 s timeout meant a new connection
    // per request. close() ends idle keep-alive sockets itself.
    this.#server.keepAliveTimeout = 30_000;
  }

  /** Listens on `port` (0: any free one); resolves with the port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** Leaves `res` unanswered (a `hang` fault) until the client gives up or the server closes. */
  hang(res: ServerResponse): void {
    this.#hanging.add(res);
    res.on('close', () => this.#hanging.delete(res));
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}
