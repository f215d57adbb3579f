/**
 * The terminal phone follows a call's server-sent events. Network chunks may
 * split a multi-byte character (a Chinese prompt) and servers may frame lines
 * with CRLF or CR: the reader must give back exactly the events that were sent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { sseData } from '../../src/testbench/sse-reader.js';

async function* chunksOf(parts: ReadonlyArray<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  for (const part of parts) yield part;
}

async function all(source: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const data of source) out.push(data);
  return out;
}

const PROMPT = '您好，欢迎致电Acme。'.repeat(40);
const EVENT = JSON.stringify({ kind: 'block', message: PROMPT });

/** Splits the UTF-8 bytes of `text` every `size` bytes: most cuts fall inside a 3-byte character. */
function byteChunks(text: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe('sseData', () => {
  it('joins a character split across chunks (no U+FFFD), for every cut', async () => {
    const stream = `data: ${EVENT}\n\n`;
    for (const size of [1, 2, 4, 5, 7, 64]) {
      const events = await all(sseData(chunksOf(byteChunks(stream, size))));
      expect(events, `chunks of ${size} bytes`).toEqual([EVENT]);
      expect(events[0]).not.toContain('\uFFFD');
    }
  });

  it('ends lines at CRLF, LF or CR, even when a CRLF is split across chunks; joins data lines; skips comments and other fields', async () => {
    const crlf = byteChunks(`: hello\r\nevent: block\r\ndata: {"a":1}\r\n\r\ndata: one\r\ndata: two\r\n\r\n`, 3);
    expect(await all(sseData(chunksOf(crlf)))).toEqual(['{"a":1}', 'one\ntwo']);
    expect(await all(sseData(chunksOf(['data: x\r', '\ndata: y\r\r'])))).toEqual(['x\ny']);
    expect(await all(sseData(chunksOf(['data:no-space\n\n', 'data\n\n', 'id: 3\n\n'])))).toEqual(['no-space', '']);
  });

  it('reads a real stream over HTTP whose writes split a Chinese prompt inside characters and use CRLF', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const parts = byteChunks(`data: ${EVENT}\r\n\r\ndata: {"kind":"call","event":"ended"}\r\n\r\n`, 5);
      const next = (i: number): void => {
        if (i === parts.length) return void res.end();
        res.write(parts[i], () => setImmediate(() => next(i + 1)));
      };
      next(0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(await all(sseData(res.body))).toEqual([EVENT, '{"kind":"call","event":"ended"}']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
