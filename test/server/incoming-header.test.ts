/** incomingHeader against Node's own `req.headers`, over a real loopback request with repeated and mixed-case names. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingHeader } from '../../src/server/incoming-header.js';

const NAMES = ['content-type', 'Content-Type', 'x-twilio-signature', 'X-Twilio-Signature', 'cookie', 'Cookie', 'user-agent', 'x-a', 'X-A', 'from', 'set-cookie', 'authorization'];

/** What each lower-case name reads as, by Node's `headers` and by incomingHeader. */
function both(req: IncomingMessage): { node: Record<string, string | null>; ours: Record<string, string | null> } {
  const node: Record<string, string | null> = {};
  const ours: Record<string, string | null> = {};
  for (const name of [...new Set(NAMES.map((n) => n.toLowerCase())), 'absent']) {
    const value = req.headers[name];
    node[name] = value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    ours[name] = incomingHeader(req, name) ?? null;
  }
  return { node, ours };
}

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    // Ours first: Node's getter must not have been built before incomingHeader reads the raw list.
    const { node, ours } = both(req);
    res.end(JSON.stringify({ node, ours }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('incomingHeader', () => {
  it('reads every header as req.headers does: repeats kept first, joined with ", " or "; ", any case', async () => {
    const header = fc.tuple(fc.constantFrom(...NAMES), fc.stringMatching(/^[a-z0-9=;/ ]{1,8}$/).map((v) => v.trim() || 'v'));
    await fc.assert(
      fc.asyncProperty(fc.array(header, { maxLength: 8 }), async (headers) => {
        const res = await request(url, { method: 'GET', headers: headers.flat() });
        const { node, ours } = (await res.body.json()) as { node: unknown; ours: unknown };
        expect(ours).toEqual(node);
      }),
      { numRuns: 60 },
    );
  });
});
