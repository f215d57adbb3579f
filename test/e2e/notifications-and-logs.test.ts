/**
 * The real server over loopback HTTP with a recording provider (no simulator in between), so
 * a test can deliver notifications the way a misbehaving network would: the same one many
 * times at once, an old one late, one for a block not sent yet, and more after the end.
 * Also: the structured log, one JSON line per event, each with the session.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/engine/blocks.js';
import type { BlockTarget, ProviderClient, SendResult } from '../../src/provider/provider.js';
import { POLITE_HANGUP } from '../../src/engine/messages.js';
import { ProviderError } from '../../src/provider/errors.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { mustCompile } from '../helpers/compile.js';
import { captureLogger } from '../helpers/dev-server.js';
import { readable, type ReadableBlock } from '../helpers/readable-blocks.js';

const MENU = mustCompile(
  `
name: menu
numbers: ["+6560000500"]
vars: { company: Acme }
steps:
  welcome:
    play: "Welcome to {{company}}."
    next: menu
  menu:
    gather: { prompt: "Press 1 for sales.", max_digits: 1 }
    branches: { "1": sales }
  sales:
    transfer: { to: "+6562223333", message: "Connecting you." }
    on_failure: bye
  bye:
    hangup: "Goodbye."
`,
  'menu.yaml',
);

/** Accepts every block after a short delay (a slow provider widens any race), recording what was sent. */
class RecordingProvider implements ProviderClient {
  readonly name = 'recording';
  readonly sent: Array<{ block: Block; target: BlockTarget }> = [];
  inFlight = 0;
  maxInFlight = 0;
  async send(block: Block, target: BlockTarget): Promise<SendResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await sleep(15);
    this.sent.push({ block, target });
    this.inFlight--;
    return {};
  }
  async close(): Promise<void> {}
  forSession(session: string): Array<{ block: Block; target: BlockTarget }> {
    return this.sent.filter((s) => s.target.session === session);
  }
}

let server: RunningServer;
let provider: RecordingProvider;
let logs: ReturnType<typeof captureLogger>;

beforeAll(async () => {
  provider = new RecordingProvider();
  logs = captureLogger('debug');
  server = await startServer({
    config: {
      port: 0,
      host: '127.0.0.1',
      hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: 'a', accessToken: 'token', timeoutMs: 1000, signatureMode: 'off' },
      maxBodyBytes: 65_536,
      maxSteps: 200,
    },
    scripts: [MENU],
    log: logs.log,
    provider,
  });
});

afterAll(async () => {
  await server.close();
});

async function post(url: string, fields: Record<string, string>): Promise<number> {
  const res = await request(url.replace(server.publicUrl, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  await res.body.dump();
  return res.statusCode;
}

/** Waits until the provider has received `n` blocks for `session`. */
async function blocks(session: string, n: number): Promise<ReadableBlock[]> {
  for (let i = 0; i < 200 && provider.forSession(session).length < n; i++) await sleep(10);
  await server.runner.drain();
  return provider.forSession(session).map((s) => readable(s.block));
}

function notifyUrlOf(session: string, index: number): string {
  const url = provider.forSession(session)[index]?.target.notifyUrl;
  if (url === undefined) throw new Error(`no block ${index} for ${session}`);
  return url;
}

async function ring(session: string): Promise<void> {
  expect(await post(`${server.url}/hoiio/incoming`, { call_state: 'ringing', session, txn_ref: `T-${session}`, from: '+6591234567', to: '+6560000500' })).toBe(200);
  await blocks(session, 1);
}

describe('notifications over HTTP, delivered badly', () => {
  it('the same notification 10 times at once advances the call once; each is answered 200', async () => {
    await ring('S-dup');
    const played = notifyUrlOf('S-dup', 0);
    const statuses = await Promise.all(Array.from({ length: 10 }, () => post(played, { call_state: 'ongoing', session: 'S-dup' })));
    expect(statuses).toEqual(Array(10).fill(200));
    await sleep(100);
    expect(await blocks('S-dup', 2)).toEqual([
      { kind: 'play', message: 'Welcome to Acme.' },
      { kind: 'gather', prompt: 'Press 1 for sales.', maxDigits: 1 },
    ]);
    // The gather's result, duplicated at once too: one transfer.
    const gathered = notifyUrlOf('S-dup', 1);
    await Promise.all(Array.from({ length: 5 }, () => post(gathered, { call_state: 'ongoing', session: 'S-dup', digits: '1' })));
    await sleep(100);
    expect((await blocks('S-dup', 3)).map((b) => b.kind)).toEqual(['play', 'gather', 'transfer']);
    // Never two blocks of one call in flight at the provider.
    expect(provider.maxInFlight).toBe(1);
  });

  it('an old notification arriving late, and one for a block not sent yet, change nothing', async () => {
    await ring('S-order');
    const played = notifyUrlOf('S-order', 0);
    await post(played, { call_state: 'ongoing', session: 'S-order' });
    await blocks('S-order', 2);
    const id = new URL(played).pathname.split('/')[3] ?? '';
    const before = await server.store.get(id);
    // Late: the play's notification again, with digits, after the gather was sent.
    expect(await post(played, { call_state: 'ongoing', session: 'S-order', digits: '1' })).toBe(200);
    // Early: a notification for block 7, which was never sent.
    const early = new URL(played);
    early.pathname = early.pathname.replace(/\/1$/, '/7');
    expect(early.pathname).not.toBe(new URL(played).pathname);
    await post(early.toString(), { call_state: 'ongoing', session: 'S-order', digits: '1' });
    await server.runner.drain();
    expect(await server.store.get(id)).toEqual(before);
    expect((await blocks('S-order', 2)).map((b) => b.kind)).toEqual(['play', 'gather']);
    // The real result still moves it on.
    await post(notifyUrlOf('S-order', 1), { call_state: 'ongoing', session: 'S-order', digits: '1' });
    expect((await blocks('S-order', 3)).map((b) => b.kind)).toEqual(['play', 'gather', 'transfer']);
  });

  it('ended closes the call once (repeated and concurrent ended change nothing), frees it, and nothing is sent after', async () => {
    await ring('S-end');
    const played = notifyUrlOf('S-end', 0);
    const id = new URL(played).pathname.split('/')[3] ?? '';
    const statuses = await Promise.all(Array.from({ length: 4 }, () => post(played, { call_state: 'ended', session: 'S-end' })));
    expect(statuses).toEqual(Array(4).fill(200));
    await post(played, { call_state: 'ongoing', session: 'S-end' });
    await server.runner.drain();
    await sleep(50);
    expect((await blocks('S-end', 1)).map((b) => b.kind)).toEqual(['play']);
    expect([...(await server.store.active())].some((s) => s.id === id)).toBe(false);
    expect(logs.lines().filter((l) => l.msg === 'call.ended' && l.session === 'S-end')).toHaveLength(1);
  });
});

describe('structured logs', () => {
  it('one JSON line per event with the session: call started, step entered, block sent, notification, call ended, error', async () => {
    await ring('S-log');
    await post(notifyUrlOf('S-log', 0), { call_state: 'ongoing', session: 'S-log' });
    await blocks('S-log', 2);
    // The provider refuses the transfer: the error is logged, and the call is ended with an apology.
    const accepting = provider.send.bind(provider);
    provider.send = async (block, target) => {
      if (block.kind === 'transfer') throw new ProviderError('error_internal_server_error', 'Hoiio transfer refused', { retryable: false });
      return accepting(block, target);
    };
    try {
      await post(notifyUrlOf('S-log', 1), { call_state: 'ongoing', session: 'S-log', digits: '1' });
      await blocks('S-log', 3);
      const apology = provider.forSession('S-log').at(-1);
      expect(apology !== undefined ? readable(apology.block) : undefined).toEqual({ kind: 'hangup', message: POLITE_HANGUP.error });
      await post(apology?.target.notifyUrl ?? '', { call_state: 'ended', session: 'S-log' });
      await server.runner.drain();
    } finally {
      provider.send = accepting;
    }
    const mine = logs.lines().filter((l) => l.session === 'S-log');
    const kinds = new Set(mine.map((l) => l.msg));
    for (const msg of ['call.started', 'step.entered', 'block.sent', 'notification', 'provider.error', 'call.ended']) expect(kinds, msg).toContain(msg);
    expect(mine.filter((l) => l.msg === 'call.started')).toHaveLength(1);
    expect(mine.filter((l) => l.msg === 'step.entered').map((l) => l.step)).toEqual(['welcome', 'menu', 'sales']);
    expect(mine.filter((l) => l.msg === 'block.sent').map((l) => l.block)).toEqual(['play', 'gather', 'hangup']);
    expect(mine.filter((l) => l.msg === 'notification')).toHaveLength(3);
    expect(mine.find((l) => l.msg === 'provider.error')).toMatchObject({ code: 'error_internal_server_error', step: 'sales', block: 'transfer' });
    expect(mine.find((l) => l.msg === 'call.ended')).toMatchObject({ outcome: 'error' });
    for (const line of mine) expect(typeof line.time === 'number' || typeof line.time === 'string').toBe(true);
  });
});
