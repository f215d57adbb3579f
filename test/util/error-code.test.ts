import { createServer } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../src/util/error-code.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('errorCode', () => {
  it('finds the code on the error itself (undici request) and on its cause (fetch wraps it in a TypeError)', async () => {
    const port = await closedPort();
    const direct = await request(`http://127.0.0.1:${port}/`).catch((err: unknown) => err);
    expect(errorCode(direct)).toBe('ECONNREFUSED');
    const wrapped = await fetch(`http://127.0.0.1:${port}/`).catch((err: unknown) => err);
    expect((wrapped as { code?: unknown }).code).toBeUndefined();
    expect(errorCode(wrapped)).toBe('ECONNREFUSED');
  });

  it('passes over the codes it is told to, follows a few links, stops at a cycle or a non-object', () => {
    const socket = Object.assign(new Error('other side closed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }), { code: 'UND_ERR_SOCKET' });
    expect(errorCode(socket)).toBe('UND_ERR_SOCKET');
    expect(errorCode(socket, new Set(['UND_ERR_SOCKET']))).toBe('ECONNRESET');
    const loop: { code?: unknown; cause?: unknown } = { code: 42 };
    loop.cause = loop;
    expect(errorCode(loop)).toBeUndefined();
    const deep = { cause: { cause: { cause: { cause: { code: 'TOO_DEEP' } } } } };
    expect(errorCode(deep)).toBeUndefined();
    expect(errorCode({ cause: { cause: { code: 'EPIPE' } } })).toBe('EPIPE');
    expect(errorCode('ECONNREFUSED')).toBeUndefined();
    expect(errorCode(undefined)).toBeUndefined();
  });
});
