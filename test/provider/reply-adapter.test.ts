/**
 * The provider port's *reply* mode, driven by a throwaway adapter written here
 * (the worked example of docs/adding-a-provider.md): its webhooks answer with
 * the next block as JSON, like TwiML providers answer with XML. It runs the acme
 * example end to end through the same runtime, SQLite store and hot-reload
 * paths as Hoiio; a webhook the provider retries is answered identically and
 * does not advance the call; outbound dials and a forced hangup go over its
 * REST API, here a real HTTP server on loopback.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/engine/blocks.js';
import type { ProviderCapabilities } from '../../src/engine/capabilities.js';
import type { CallEvent } from '../../src/engine/events.js';
import { formatParts } from '../../src/engine/parts.js';
import { silentLogger } from '../../src/log/logger.js';
import type { AdapterContext, ProviderAdapter } from '../../src/provider/port.js';
import type { BlockTarget, ProviderClient, SendResult } from '../../src/provider/provider.js';
import type { Reply } from '../../src/runtime/call-runner.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { jsonAnswer, type WebhookAnswer, type WebhookRequest } from '../../src/server/webhook.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { loopbackConfig } from '../helpers/server-config.js';

const CAPABILITIES: ProviderCapabilities = {
  name: 'jsonreply',
  delivery: 'reply',
  maxMessageLength: 4000,
  maxTagLength: 0,
  maxDigits: 64,
  record: true,
  monitor: true,
  pause: true,
  audio: true,
  forcedHangup: true,
  gatherAttempts: 'provider',
  genders: ['male', 'female'],
  languages: 'any',
};

/** The provider's REST API (dial, forced hangup) over undici, as a real adapter's client would be. */
class JsonReplyClient implements ProviderClient {
  readonly name = 'jsonreply';
  constructor(private readonly restUrl: string) {}
  async send(block: Block, target: BlockTarget): Promise<SendResult> {
    const res = await request(`${this.restUrl}/${block.kind === 'dial' ? 'calls' : `calls/${target.session ?? ''}/hangup`}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(block.kind === 'dial' ? { to: block.to, callback: target.notifyUrl } : { force: true }),
    });
    const body = (await res.body.json()) as { call?: string };
    return block.kind === 'dial' ? { session: body.call ?? '' } : {};
  }
  async close(): Promise<void> {}
}

/** The whole adapter: a few dozen lines, as the docs promise. */
function jsonReplyAdapter(restUrl: string): ProviderAdapter {
  const callbackUrl = (publicUrl: string, id: string, seq: number, token: string): string => `${publicUrl}/jsonreply/step/${id}/${seq}?t=${token}`;
  const answer = (ctx: AdapterContext, reply: Reply): WebhookAnswer => {
    if (reply.type === 'none') return jsonAnswer({ verbs: [] });
    const next = callbackUrl(ctx.publicUrl(), reply.id, reply.seq, reply.token);
    return jsonAnswer(reply.type === 'hold' ? { hold: true, next } : { block: reply.block, next });
  };
  const json = async <T>(req: WebhookRequest, ctx: AdapterContext): Promise<T> => {
    const body = await req.body(ctx.maxBodyBytes);
    if (!body.ok) throw new Error(`body ${body.reason}`);
    return JSON.parse(body.text) as T;
  };
  return {
    capabilities: CAPABILITIES,
    client: new JsonReplyClient(restUrl),
    callbackUrl,
    routes: (ctx) => ({
      webhooks: [
        {
          path: '/voice',
          handle: async (req) => {
            const b = await json<{ call: string; from: string; to: string }>(req, ctx);
            const { reply } = await ctx.runner.inboundReply({ session: b.call, providerRef: '', from: b.from, to: b.to });
            return answer(ctx, reply);
          },
        },
        {
          path: '/step/:id/:seq',
          handle: async (req) => {
            const b = await json<{ call: string; event: 'done' | 'ended' | 'again'; digits?: string; status?: string; record_url?: string }>(req, ctx);
            const seq = Number(req.param('seq'));
            const event: CallEvent | undefined =
              b.event === 'again'
                ? undefined
                : {
                    type: b.event === 'done' ? 'block.done' : 'ended',
                    seq,
                    ...(b.digits !== undefined ? { digits: b.digits } : {}),
                    ...(b.status !== undefined ? { status: b.status } : {}),
                    ...(b.record_url !== undefined ? { recordUrl: b.record_url } : {}),
                  };
            const result = await ctx.runner.replyTo(req.param('id'), req.queryParam('t') ?? '', event, b.call, seq);
            if (result.verdict !== 'accepted') return jsonAnswer({ error: result.verdict }, result.verdict === 'unknown-call' ? 404 : 403);
            return answer(ctx, result.reply);
          },
        },
        {
          // The status callback names no block: the call is found by the provider's handle.
          path: '/status',
          handle: async (req) => {
            const b = await json<{ call: string; status: string }>(req, ctx);
            return jsonAnswer({ result: await ctx.runner.callEnded(b.call, b.status === 'completed' ? undefined : b.status) });
          },
        },
      ],
    }),
  };
}

/** The provider's side of its REST API: records requests, names new calls. */
let rest: Server;
const restCalls: Array<{ path: string; body: Record<string, unknown> }> = [];
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  rest = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    req.on('end', () => {
      restCalls.push({ path: req.url ?? '', body: JSON.parse(data) as Record<string, unknown> });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ call: `OUT-${restCalls.length}` }));
    });
  });
  await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'callscript-reply-'));
  writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml', 'utf8'));
  server = await startServer({
    config: loopbackConfig({ apiToken: 'api-token' }),
    scripts: [],
    log: silentLogger(),
    store: new SqliteStore(join(dir, 'calls.db')),
    adapter: jsonReplyAdapter(`http://127.0.0.1:${(rest.address() as AddressInfo).port}`),
    reload: { paths: [dir], watch: false, git: false },
  });
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => rest.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly block?: Block;
  readonly next?: string;
  readonly hold?: boolean;
}

async function webhook(url: string, body: Record<string, unknown>): Promise<{ status: number; answer: Answer }> {
  const res = await request(url.replace(server.publicUrl, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, answer: (await res.body.json()) as Answer };
}

const said = (a: Answer): string => {
  const b = a.block;
  if (b === undefined) return '';
  const parts = 'message' in b ? b.message : 'prompt' in b ? b.prompt : undefined;
  return `${b.kind}: ${parts !== undefined ? formatParts(parts) : ''}`;
};

describe('a reply-mode provider through the port', () => {
  it('runs the acme example end to end: every answer is the next block, a retried webhook gets the same answer and does not advance the call', async () => {
    const voice = `${server.url}/jsonreply/voice`;
    const ring = await webhook(voice, { call: 'R-1', from: '+6591234567', to: '+6560000001' });
    expect(ring.status).toBe(200);
    expect(said(ring.answer)).toBe('monitor: Welcome to Acme. This call may be recorded for quality purposes.');
    // The provider retries the first webhook: same block, no second call started.
    const again = await webhook(voice, { call: 'R-1', from: '+6591234567', to: '+6560000001' });
    expect(again.answer).toEqual(ring.answer);

    const menu = await webhook(ring.answer.next ?? '', { call: 'R-1', event: 'done' });
    expect(said(menu.answer)).toMatch(/^gather: For sales press 1\./);
    const menuRetried = await webhook(ring.answer.next ?? '', { call: 'R-1', event: 'done' });
    expect(menuRetried.answer).toEqual(menu.answer);

    const sales = await webhook(menu.answer.next ?? '', { call: 'R-1', event: 'done', digits: '1' });
    expect(said(sales.answer)).toBe('transfer: Connecting you to our sales team.');
    expect(sales.answer.block).toMatchObject({ kind: 'transfer', to: '+6562223333', callerId: '+6591234567', onFailure: 'continue' });
    // A retry of the key press (the provider did not see our answer) must not press 1 twice.
    expect((await webhook(menu.answer.next ?? '', { call: 'R-1', event: 'done', digits: '1' })).answer).toEqual(sales.answer);

    const voicemail = await webhook(sales.answer.next ?? '', { call: 'R-1', event: 'done', status: 'busy' });
    expect(said(voicemail.answer)).toMatch(/^record: Sorry, no one is available/);
    const thanks = await webhook(voicemail.answer.next ?? '', { call: 'R-1', event: 'done', record_url: 'https://rec.example/1.wav' });
    expect(said(thanks.answer)).toBe('hangup: Thank you for calling Acme. Goodbye.');
    const over = await webhook(thanks.answer.next ?? '', { call: 'R-1', event: 'ended' });
    expect(over.answer).toEqual({ verbs: [] });

    const id = /\/step\/([^/]+)\//.exec(ring.answer.next ?? '')?.[1] ?? '';
    const state = await server.store.get(id);
    expect(state).toMatchObject({ status: 'ended', outcome: 'completed', vars: { voicemail_url: 'https://rec.example/1.wav' } });
    expect(state?.path).toEqual(['welcome', 'menu', 'sales', 'voicemail', 'thanks']);
  });

  it('refuses a webhook for another call\'s token and changes nothing; the status callback ends the call', async () => {
    const ring = await webhook(`${server.url}/jsonreply/voice`, { call: 'R-2', from: '+6591234567', to: '+6560000001' });
    const forged = (ring.answer.next ?? '').replace(/t=[^&]+/, 't=forged');
    const refused = await webhook(forged, { call: 'R-2', event: 'done' });
    expect(refused.status).toBe(403);
    const real = await webhook(ring.answer.next ?? '', { call: 'R-2', event: 'done' });
    expect(said(real.answer)).toMatch(/^gather:/);
    // The caller hangs up; the provider's status callback ends the call, and a late ringing webhook starts nothing.
    expect((await webhook(`${server.url}/jsonreply/status`, { call: 'R-2', status: 'completed' })).answer).toEqual({ result: 'ended' });
    const id = /\/step\/([^/]+)\//.exec(ring.answer.next ?? '')?.[1] ?? '';
    expect(await server.store.get(id)).toMatchObject({ status: 'ended', outcome: 'caller-hangup' });
    expect((await webhook(`${server.url}/jsonreply/voice`, { call: 'R-2', from: '+6591234567', to: '+6560000001' })).answer).toEqual({ verbs: [] });
  });

  it('places outbound calls and forces hangups over the provider\'s REST API', async () => {
    const auth = { authorization: 'Bearer api-token', 'content-type': 'application/json' };
    const placed = await request(`${server.url}/calls`, { method: 'POST', headers: auth, body: JSON.stringify({ script: 'acme', to: '+6598765432' }) });
    const call = (await placed.body.json()) as { call?: string; id?: string; session?: string };
    expect(placed.statusCode).toBeLessThan(300);
    const dial = restCalls.find((r) => r.path === '/calls');
    expect(dial?.body).toMatchObject({ to: '+6598765432', callback: expect.stringMatching(/\/jsonreply\/step\/.+\/1\?t=/) });
    // The callee answers: the provider reports on the dial, and the answer is the script's first block.
    const answered = await webhook(String(dial?.body.callback), { call: 'OUT-' + String(restCalls.indexOf(dial as (typeof restCalls)[number]) + 1), event: 'done', status: 'answered' });
    expect(said(answered.answer)).toBe('monitor: Welcome to Acme. This call may be recorded for quality purposes.');

    const session = call.session ?? '';
    const hung = await request(`${server.url}/calls/${session}/hangup`, { method: 'POST', headers: auth });
    expect(hung.statusCode).toBe(202);
    await hung.body.dump();
    expect(restCalls.at(-1)).toEqual({ path: `/calls/${session}/hangup`, body: { force: true } });
  });

  it('an http step that outlasts the webhook\'s wait is answered with a hold, and the block follows on the next ask: no call is dropped', async () => {
    const slow = createServer((_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"Ann"}'), 600));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const holdDir = mkdtempSync(join(tmpdir(), 'callscript-hold-'));
    const held = await startServer({
      config: loopbackConfig(),
      scripts: [],
      log: silentLogger(),
      adapter: jsonReplyAdapter('http://127.0.0.1:9'),
      replyWaitMs: 150,
      reload: { paths: [holdDir], watch: false, git: false },
    });
    try {
      writeFileSync(
        join(holdDir, 'lookup.yaml'),
        `numbers: ["+6560000009"]\nvars: { name: "" }\nsteps:\n  ask:\n    http: { url: "http://127.0.0.1:${(slow.address() as AddressInfo).port}/who", timeout: 3, save: { name: name } }\n    next: hi\n  hi:\n    hangup: "Hello {{name}}"\n`,
      );
      await held.reloader?.reload('signal');
      const post = async (url: string, body: Record<string, unknown>): Promise<Answer> => {
        const res = await request(url.replace(held.publicUrl, held.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return (await res.body.json()) as Answer;
      };
      const first = await post(`${held.url}/jsonreply/voice`, { call: 'H-1', from: '+6591234567', to: '+6560000009' });
      expect(first.hold).toBe(true);
      let answer = first;
      for (let i = 0; i < 20 && answer.hold === true; i++) answer = await post(answer.next ?? '', { call: 'H-1', event: 'again' });
      expect(said(answer)).toBe('hangup: Hello Ann');
    } finally {
      await held.close();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
      rmSync(holdDir, { recursive: true, force: true });
    }
  });

  it('hot reload refuses an edit the provider cannot run, and keeps the last good version serving', async () => {
    const reloader = server.reloader;
    expect(reloader).toBeDefined();
    writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml', 'utf8').replace('company: Acme', 'company: Acme Two'));
    await reloader?.reload('signal');
    const ring = await webhook(`${server.url}/jsonreply/voice`, { call: 'R-3', from: '+6591234567', to: '+6560000001' });
    expect(said(ring.answer)).toBe('monitor: Welcome to Acme Two. This call may be recorded for quality purposes.');
  });
});
