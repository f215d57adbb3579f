/**
 * A keep-alive HTTP/1.1 client over one socket, one request at a time, for load
 * generators that must cost less than the servers they measure.
 *
 * Why not undici: on two CPUs the load generator shares the machine with the
 * server under test, and undici's request machinery (its streams, its
 * per-request objects, llhttp in wasm) cost about as much CPU per call as the
 * servers did. A server that waits for its next request spends part of each
 * wait waking up for it, so the bench measured the load generator's pace as
 * much as the server's work (docs/performance.md, "The twelfth look"). This
 * client writes each request as one string and reads the reply by its
 * Content-Length (or chunks): what wrk and autocannon do. It is not a general
 * client: no redirects, no pipelining, no Expect, no trailers.
 */
import { connect, type Socket } from 'node:net';

export interface Http1Reply {
  readonly status: number;
  /** Lower-cased header names; a repeated header keeps its last value. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class Http1Error extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'Http1Error';
    this.code = code;
  }
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

interface Pending {
  readonly resolve: (reply: Http1Reply) => void;
  readonly reject: (err: Error) => void;
}

/** What a reply's head says about its body. */
interface Head {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly bodyStart: number;
  /** Bytes of body; undefined for chunked. */
  readonly length: number | undefined;
  readonly close: boolean;
}

function parseHead(buf: Buffer, end: number): Head {
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (m === null) throw new Http1Error('BAD_STATUS_LINE', `not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Http1Error('BAD_HEADER', `not a header line: ${JSON.stringify(line)}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const chunked = /\bchunked\b/i.test(headers['transfer-encoding'] ?? '');
  const declared = headers['content-length'];
  const length = chunked ? undefined : declared === undefined ? 0 : Number(declared);
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) throw new Http1Error('BAD_LENGTH', `content-length ${JSON.stringify(declared)}`);
  if (!chunked && declared === undefined && (headers.connection ?? '').toLowerCase() === 'close') {
    // A body delimited by the connection closing: not something the servers under test send.
    throw new Http1Error('UNDELIMITED_BODY', 'a reply without content-length or chunks');
  }
  return { status: Number(m[1]), headers, bodyStart: end + HEAD_END.length, length, close: (headers.connection ?? '').toLowerCase() === 'close' };
}

/** The body of a chunked reply from `start`, and where it ends; undefined while incomplete. */
function dechunk(buf: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(buf.toString('latin1', at, eol).split(';')[0] ?? '', 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new Http1Error('BAD_CHUNK', 'a chunk size that is not hex');
    if (size === 0) {
      // No trailers from the servers under test: the last chunk is followed by an empty line.
      const last = buf.indexOf(CRLF, eol + 2);
      if (last < 0) return undefined;
      return { body: Buffer.concat(parts), end: last + 2 };
    }
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** One keep-alive connection to one origin; `request` waits for the reply before the next may start. */
export class Http1Connection {
  readonly #host: string;
  readonly #port: number;
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: Pending | undefined;

  constructor(origin: string) {
    const url = new URL(origin);
    if (url.protocol !== 'http:') throw new Http1Error('UNSUPPORTED_PROTOCOL', `${url.protocol} (only http:)`);
    this.#host = url.hostname;
    this.#port = Number(url.port || 80);
  }

  /** Sends one request; the path includes its query. Headers must not include host or content-length. */
  request(method: string, path: string, headers: Readonly<Record<string, string>>, body = ''): Promise<Http1Reply> {
    if (this.#pending !== undefined) return Promise.reject(new Http1Error('BUSY', 'one request at a time per connection'));
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.#host}:${this.#port}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    const socket = this.#socket ?? this.#open();
    return new Promise<Http1Reply>((resolve, reject) => {
      this.#pending = { resolve, reject };
      socket.write(`${head}\r\n${body}`);
    });
  }

  /** Closes the connection; a request still waiting for its reply fails with CLOSED. */
  close(): void {
    if (this.#socket !== undefined) this.#drop(this.#socket);
    this.#fail(new Http1Error('CLOSED', 'the connection was closed before the reply'));
  }

  #drop(socket: Socket): void {
    if (this.#socket === socket) this.#socket = undefined;
    socket.destroy();
  }

  #open(): Socket {
    const socket = connect({ host: this.#host, port: this.#port, noDelay: true });
    this.#socket = socket;
    this.#buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    const gone = (err?: Error): void => {
      // A socket this connection already let go of has no request of its own to fail.
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#fail(err ?? new Http1Error('SOCKET_CLOSED', 'the server closed the connection before replying'));
    };
    socket.on('error', gone);
    socket.on('close', () => gone());
    return socket;
  }

  #fail(err: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(err);
  }

  #onData(socket: Socket, chunk: Buffer): void {
    if (this.#pending === undefined) {
      this.#drop(socket);
      return;
    }
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const buf = this.#buffer;
    const headEnd = buf.indexOf(HEAD_END);
    if (headEnd < 0) return;
    let head: Head;
    let body: Buffer;
    let end: number;
    try {
      head = parseHead(buf, headEnd);
      if (head.length === undefined) {
        const chunks = dechunk(buf, head.bodyStart);
        if (chunks === undefined) return;
        ({ body, end } = chunks);
      } else {
        end = head.bodyStart + head.length;
        if (buf.length < end) return;
        body = buf.subarray(head.bodyStart, end);
      }
    } catch (err) {
      this.#drop(socket);
      this.#fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (buf.length > end) {
      this.#drop(socket);
      this.#fail(new Http1Error('UNSOLICITED_BYTES', 'bytes after the reply, with no request outstanding'));
      return;
    }
    this.#buffer = Buffer.alloc(0);
    if (head.close) this.#drop(socket);
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve({ status: head.status, headers: head.headers, body: body.toString('utf8') });
  }
}

/**
 * Keep-alive connections to one origin, one request on each at a time, as many as are busy at
 * once. A connection idle for longer than `maxIdleMs` is closed rather than reused: the server may
 * be closing it (Node's servers time idle connections out after 5 s) just as a request is written.
 */
export class Http1Pool {
  readonly #origin: string;
  readonly #maxIdleMs: number;
  #idle: Array<{ connection: Http1Connection; since: number }> = [];

  constructor(origin: string, options: { readonly maxIdleMs?: number } = {}) {
    this.#origin = new URL(origin).origin;
    this.#maxIdleMs = options.maxIdleMs ?? 1_000;
  }

  async request(method: string, path: string, headers: Readonly<Record<string, string>>, body = ''): Promise<Http1Reply> {
    const connection = this.#take();
    try {
      const reply = await connection.request(method, path, headers, body);
      this.#idle.push({ connection, since: performance.now() });
      return reply;
    } catch (err) {
      connection.close();
      throw err;
    }
  }

  /** How many connections wait for their next request. */
  get idle(): number {
    return this.#idle.length;
  }

  close(): void {
    for (const { connection } of this.#idle) connection.close();
    this.#idle = [];
  }

  #take(): Http1Connection {
    const now = performance.now();
    for (let entry = this.#idle.pop(); entry !== undefined; entry = this.#idle.pop()) {
      if (now - entry.since <= this.#maxIdleMs) return entry.connection;
      entry.connection.close();
    }
    return new Http1Connection(this.#origin);
  }
}
