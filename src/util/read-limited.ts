/**
 * The one place a body is read from a stream up to a size limit, for the servers
 * that take requests (webhooks, the simulators, the test bench's canned services).
 * Undici answers are limited by undici itself (`maxResponseSize` on the pool or
 * agent), which leaves nothing to read by hand there.
 *
 * A Node stream (an `IncomingMessage`) is read with data events: cheaper per
 * request than `for await` or a web stream reader, which matters on the webhook
 * path (docs/performance.md). A web `ReadableStream` (a Fetch body) is read with
 * its reader.
 */
import type { Readable } from 'node:stream';

export type LimitedBody =
  | { readonly ok: true; readonly bytes: Buffer }
  /** `too-large`: more than the limit (the rest is left unread); `aborted`: the stream failed or closed before its end. */
  | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

export function readLimited(source: Readable | ReadableStream<Uint8Array>, maxBytes: number): Promise<LimitedBody> {
  return 'getReader' in source ? readWeb(source, maxBytes) : readNode(source, maxBytes);
}

function readNode(stream: Readable, maxBytes: number): Promise<LimitedBody> {
  if (stream.readableEnded) return Promise.resolve({ ok: true, bytes: Buffer.alloc(0) });
  return new Promise<LimitedBody>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // A body read to its end leaves the listeners to go with the request (the 'close' after it
    // finds the promise settled): taking four off per webhook cost more than the read.
    const finish = (result: LimitedBody): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      if (settled) return;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      size += buffer.length;
      if (size > maxBytes) {
        // The rest is left unread: no more data is taken.
        stream.off('data', onData);
        finish({ ok: false, reason: 'too-large' });
      } else {
        chunks.push(buffer);
      }
    };
    const onEnd = (): void => {
      const first = chunks[0];
      finish({ ok: true, bytes: chunks.length === 1 && first !== undefined ? first : Buffer.concat(chunks, size) });
    };
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onAbort);
    stream.on('close', onAbort);
  });
}

async function readWeb(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<LimitedBody> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }
  return { ok: true, bytes: Buffer.concat(chunks, size) };
}
