/**
 * readLimited, the one body reader with a size limit: on a real HTTP request on
 * loopback (a Node stream, as the webhook servers and the simulator get it) and
 * on Fetch bodies (web streams, as `app.request()` gives them).
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLimited, type LimitedBody } from '../../src/util/read-limited.js';

describe('readLimited on a Node request stream', () => {
  let server: Server;
  let port = 0;
  let limit = 16;
  const results: Array<(r: LimitedBody) => void> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      void readLimited(req, limit).then((r) => {
        results.shift()?.(r);
        if (!res.destroyed) res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends `chunks` as a chunked POST (no Content-Length), each written on its own; `abort` destroys the request after them. */
  function send(chunks: readonly Buffer[], abort = false): Promise<LimitedBody> {
    const result = new Promise<LimitedBody>((resolve) => results.push(resolve));
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' });
    req.on('error', () => undefined);
    req.on('response', (res) => res.resume());
    for (const chunk of chunks) req.write(chunk);
    // Gone once the server has the request in hand (its head, perhaps some body).
    if (abort) server.once('request', () => req.destroy());
    else req.end();
    return result;
  }

  it('collects chunks up to the limit, a character split across chunks intact', async () => {
    limit = 16;
    const text = Buffer.from('你好, 世界', 'utf8');
    const read = await send([text.subarray(0, 1), text.subarray(1, 5), text.subarray(5)]);
    expect(read.ok && read.bytes.toString('utf8')).toBe('你好, 世界');
  });

  it('takes exactly the limit, refuses one byte more', async () => {
    limit = 16;
    const exact = await send([Buffer.from('a'.repeat(10)), Buffer.from('b'.repeat(6))]);
    expect(exact.ok && exact.bytes.length).toBe(16);
    expect(await send([Buffer.from('a'.repeat(10)), Buffer.from('b'.repeat(7))])).toEqual({ ok: false, reason: 'too-large' });
  });

  it('an empty body is empty', async () => {
    const read = await send([]);
    expect(read.ok && read.bytes.length).toBe(0);
  });

  it('a client that goes away mid-body is aborted', async () => {
    limit = 1024;
    expect(await send([Buffer.from('partial')], true)).toEqual({ ok: false, reason: 'aborted' });
  });
});

describe('readLimited on a web stream (a Fetch body)', () => {
  const body = (text: string): ReadableStream<Uint8Array> => new Response(text).body as ReadableStream<Uint8Array>;

  it('reads a body within the limit and refuses a larger one', async () => {
    const read = await readLimited(body('{"a":1}'), 7);
    expect(read.ok && read.bytes.toString('utf8')).toBe('{"a":1}');
    expect(await readLimited(body('{"a":12}'), 7)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('a stream that fails is aborted', async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('x'));
        controller.error(new Error('reset'));
      },
    });
    expect(await readLimited(failing, 100)).toEqual({ ok: false, reason: 'aborted' });
  });
});
