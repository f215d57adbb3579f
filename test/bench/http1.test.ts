/**
 * The bench's HTTP/1.1 client (bench/lib/http1.ts), against real servers on
 * loopback: node:http and a raw socket server that frames replies by hand.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Connection, Http1Error, Http1Pool } from '../../bench/lib/http1.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(server: HttpServer | NetServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server that answers every request on a connection with the next of `replies`, as raw bytes. */
async function rawServer(replies: ReadonlyArray<string | ((socket: Socket) => void)>): Promise<{ origin: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    let next = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      // Requests from the client carry content-length; these tests send small bodies in one piece.
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        const reply = replies[next++ % replies.length];
        if (typeof reply === 'function') reply(socket);
        else if (reply !== undefined) socket.write(reply);
      }
    });
  });
  const origin = await listen(server);
  closers.push(async () => {
    for (const s of sockets) s.destroy();
  });
  return { origin, connections: () => connections };
}

describe('Http1Connection', () => {
  it('sends a POST as node:http reads it and reuses the connection for the next request', async () => {
    const seen: Array<{ method?: string; url?: string; host?: string; type?: string; body: string; socketPort?: number }> = [];
    const server = createHttpServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, host: req.headers.host, type: req.headers['content-type'], body, socketPort: req.socket.remotePort });
        res.writeHead(200, { 'content-type': 'text/xml', 'x-seen': String(seen.length) }).end(`<Response>${'é'.repeat(seen.length)}</Response>`);
      });
    });
    const origin = await listen(server);
    const c = new Http1Connection(origin);
    const first = await c.request('POST', '/twilio/voice?x=1', { 'content-type': 'application/x-www-form-urlencoded' }, 'To=%2B1&Digits=1é');
    const second = await c.request('POST', '/twilio/status', {}, '');
    c.close();
    expect(first).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'text/xml', 'x-seen': '1' }), body: '<Response>é</Response>' });
    expect(second.body).toBe('<Response>éé</Response>');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/twilio/voice?x=1', host: new URL(origin).host, type: 'application/x-www-form-urlencoded', body: 'To=%2B1&Digits=1é' });
    expect(seen[1]).toMatchObject({ url: '/twilio/status', body: '' });
    expect(seen[1]?.socketPort).toBe(seen[0]?.socketPort);
  });

  it('reads a chunked reply, including one that arrives a byte at a time', async () => {
    const chunked = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n';
    const { origin } = await rawServer([
      chunked,
      (socket) => {
        let i = 0;
        const drip = (): void => {
          if (i < chunked.length) {
            socket.write(chunked[i++] ?? '');
            setImmediate(drip);
          }
        };
        drip();
      },
    ]);
    const c = new Http1Connection(origin);
    expect((await c.request('GET', '/', {})).body).toBe('hello, world');
    expect((await c.request('GET', '/', {})).body).toBe('hello, world');
    c.close();
  });

  it('reconnects after a reply that says connection: close', async () => {
    const { origin, connections } = await rawServer([
      (socket) => socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 4\r\n\r\nbusy'),
    ]);
    const c = new Http1Connection(origin);
    expect(await c.request('POST', '/', {}, 'a=1')).toMatchObject({ status: 503, body: 'busy' });
    expect(await c.request('POST', '/', {}, 'a=2')).toMatchObject({ status: 503, body: 'busy' });
    c.close();
    expect(connections()).toBe(2);
  });

  it('fails the request, with a code, when the server closes without replying, and recovers on the next', async () => {
    const { origin } = await rawServer([(socket) => socket.destroy(), 'HTTP/1.1 204 No Content\r\n\r\n']);
    const c = new Http1Connection(origin);
    await expect(c.request('POST', '/', {}, 'x')).rejects.toMatchObject({ name: 'Http1Error', code: 'SOCKET_CLOSED' });
    // A new connection starts its replies from the first again: the server closes it too.
    await expect(c.request('POST', '/', {}, 'x')).rejects.toBeInstanceOf(Http1Error);
    c.close();
  });

  it('refuses what it cannot frame: a bad status line, a bad length, bytes after the reply, a second request at once', async () => {
    const cases: Array<[string, string]> = [
      ['SSH-2.0-OpenSSH\r\n\r\n', 'BAD_STATUS_LINE'],
      ['HTTP/1.1 200 OK\r\ncontent-length: -4\r\n\r\n', 'BAD_LENGTH'],
      ['HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end', 'UNDELIMITED_BODY'],
      ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n', 'UNSOLICITED_BYTES'],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', 'BAD_CHUNK'],
    ];
    for (const [reply, code] of cases) {
      const { origin } = await rawServer([reply]);
      const c = new Http1Connection(origin);
      await expect(c.request('GET', '/', {}), code).rejects.toMatchObject({ code });
      c.close();
    }
    const { origin } = await rawServer([(socket) => setTimeout(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'), 20)]);
    const c = new Http1Connection(origin);
    const first = c.request('GET', '/', {});
    await expect(c.request('GET', '/', {})).rejects.toMatchObject({ code: 'BUSY' });
    await expect(first).resolves.toMatchObject({ status: 200, body: '' });
    c.close();
    expect(() => new Http1Connection('https://127.0.0.1:1')).toThrow(Http1Error);
  });

  it('fails a request still waiting when the connection is closed, and opens a new connection for the next', async () => {
    const { origin, connections } = await rawServer([() => undefined, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok']);
    const c = new Http1Connection(origin);
    const waiting = c.request('POST', '/', {}, 'x');
    await new Promise((resolve) => setTimeout(resolve, 20));
    c.close();
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    // The next request opens a new connection (whose server again never replies).
    const again = c.request('POST', '/', {}, 'y');
    await new Promise((resolve) => setTimeout(resolve, 20));
    c.close();
    await expect(again).rejects.toMatchObject({ code: 'CLOSED' });
    expect(connections()).toBe(2);
  });

  it('fails with the socket error when nothing listens', async () => {
    const server = createNetServer();
    const origin = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    closers.pop();
    const c = new Http1Connection(origin);
    await expect(c.request('GET', '/', {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('Http1Pool', () => {
  it('reuses an idle connection, opens another while one is busy, and forgets one idle too long', async () => {
    const ports = new Set<number | undefined>();
    const server = createHttpServer((req, res) => {
      ports.add(req.socket.remotePort);
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-length': '2' }).end('ok'), 5));
    });
    const origin = await listen(server);
    const pool = new Http1Pool(`${origin}/ignored/path`, { maxIdleMs: 50 });
    expect((await pool.request('POST', '/', {}, 'a')).body).toBe('ok');
    expect((await pool.request('POST', '/', {}, 'b')).body).toBe('ok');
    expect(ports.size).toBe(1);
    await Promise.all([pool.request('POST', '/', {}, 'c'), pool.request('POST', '/', {}, 'd')]);
    expect(ports.size).toBe(2);
    expect(pool.idle).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await pool.request('POST', '/', {}, 'e');
    expect(ports.size).toBe(3);
    expect(pool.idle).toBe(1);
    pool.close();
    expect(pool.idle).toBe(0);
  });

  it('closes a connection whose request failed instead of keeping it', async () => {
    const { origin, connections } = await rawServer([(socket) => socket.destroy(), 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n']);
    const pool = new Http1Pool(origin);
    await expect(pool.request('POST', '/', {}, 'x')).rejects.toMatchObject({ code: 'SOCKET_CLOSED' });
    expect(pool.idle).toBe(0);
    await expect(pool.request('POST', '/', {}, 'x')).rejects.toMatchObject({ code: 'SOCKET_CLOSED' });
    expect(connections()).toBe(2);
    pool.close();
  });
});
