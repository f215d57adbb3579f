/**
 * The benchmark's baseline: the bench flow (bench/lib/flow.ts) written by hand, the
 * way a competent developer would without callscript — Hono on @hono/node-server,
 * an undici keep-alive pool to Hoiio, Handlebars templates compiled once at start,
 * call state in a Map, the same security (a 128-bit token in every notify URL,
 * session check, X-Hoiio-Signature checked and logged) and a log line per call
 * start and end. It answers each notification at once and sends the next block
 * after, like the engine.
 *
 * Configured by the same environment as `callscript serve`: PORT, HOIIO_API_URL,
 * HOIIO_APP_ID, HOIIO_ACCESS_TOKEN, PUBLIC_URL.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { serve } from '@hono/node-server';
import Handlebars from 'handlebars';
import { Hono } from 'hono';
import { pino } from 'pino';
import { Pool } from 'undici';

const port = Number(process.env.PORT ?? 3100);
const api = new URL(process.env.HOIIO_API_URL ?? 'http://127.0.0.1:3200/');
const appId = process.env.HOIIO_APP_ID ?? '';
const accessToken = process.env.HOIIO_ACCESS_TOKEN ?? '';
const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;

const log = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: false }));
const pool = new Pool(api.origin, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
const credentials = `app_id=${encodeURIComponent(appId)}&access_token=${encodeURIComponent(accessToken)}`;

const t = (source: string): HandlebarsTemplateDelegate => Handlebars.compile(source, { noEscape: true, strict: false });
const templates = {
  welcome: t('Welcome to {{company}}. Calls may be recorded for quality.'),
  menu: t('For sales press 1. For support press 2.'),
  invalid: t('Sorry, that is not a valid choice.'),
  sales: t('Connecting you to sales.'),
  salesCallerId: t('{{from}}'),
  support: t('Connecting you to support.'),
  voicemail: t('Nobody is free right now. Please leave a message after the tone.'),
  thanks: t('Thank you for calling {{company}}. Goodbye.'),
  goodbye: t('Goodbye.'),
  sorry: t('Sorry, something went wrong. Goodbye.'),
};
const vars = { company: 'Acme' };

type Step = 'welcome' | 'menu' | 'sales' | 'support' | 'voicemail' | 'thanks' | 'goodbye';

interface Call {
  readonly id: string;
  readonly token: string;
  readonly session: string;
  readonly from: string;
  step: Step;
  /** Sequence number of the block whose result we wait for. */
  seq: number;
  retries: number;
  voicemail: string;
  readonly startedAt: number;
}

const calls = new Map<string, Call>();

async function send(call: Call, path: string, params: Array<[string, string | number]>): Promise<void> {
  call.seq += 1;
  let body = `${credentials}&session=${encodeURIComponent(call.session)}`;
  for (const [k, v] of params) body += `&${k}=${encodeURIComponent(String(v))}`;
  body += `&notify_url=${encodeURIComponent(`${publicUrl}/hoiio/notify/${call.id}/${call.seq}?t=${call.token}`)}`;
  const res = await pool.request({
    path: `${api.pathname}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const answer = (await res.body.json()) as { status?: string };
  if (answer.status !== 'success_ok') throw new Error(`Hoiio ${path}: ${answer.status ?? `HTTP ${res.statusCode}`}`);
}

/** Sends the block of the step the call is at. */
function enter(call: Call, step: Step, prefix?: string): Promise<void> {
  call.step = step;
  const ctx = { ...vars, from: call.from, voicemail_url: call.voicemail };
  switch (step) {
    case 'welcome':
      return send(call, 'ivr/middle/play', [['msg', templates.welcome(ctx)]]);
    case 'menu': {
      const prompt = templates.menu(ctx);
      return send(call, 'ivr/middle/gather', [
        ['msg', prefix !== undefined ? `${prefix} ${prompt}` : prompt],
        ['max_digits', 1],
        ['timeout', 10],
        ['attempts', 2],
      ]);
    }
    case 'sales':
      return send(call, 'ivr/end/transfer', [
        ['dest', '+6562223333'],
        ['msg', templates.sales(ctx)],
        ['caller_id', templates.salesCallerId(ctx)],
        ['on_failure', 'continue'],
      ]);
    case 'support':
      return send(call, 'ivr/end/transfer', [['dest', '+6562224444'], ['msg', templates.support(ctx)], ['on_failure', 'continue']]);
    case 'voicemail':
      return send(call, 'ivr/middle/record', [['msg', templates.voicemail(ctx)], ['max_duration', 60]]);
    case 'thanks':
      return send(call, 'ivr/end/hangup', [['msg', templates.thanks(ctx)]]);
    case 'goodbye':
      return send(call, 'ivr/end/hangup', [['msg', templates.goodbye(ctx)]]);
  }
}

/** The result of the block we waited for: decide and send the next one. */
function advance(call: Call, f: URLSearchParams): Promise<void> | undefined {
  switch (call.step) {
    case 'welcome':
      return enter(call, 'menu');
    case 'menu': {
      const digits = (f.get('digits') ?? '').replace(/#$/, '');
      if (digits === '1') return enter(call, 'sales');
      if (digits === '2') return enter(call, 'support');
      if (digits === '') return enter(call, 'goodbye');
      if (call.retries < 2) {
        call.retries += 1;
        return enter(call, 'menu', templates.invalid(vars));
      }
      return enter(call, 'goodbye');
    }
    case 'sales':
    case 'support':
      return f.get('transfer_status') === 'answered' ? undefined : enter(call, 'voicemail');
    case 'voicemail':
      call.voicemail = f.get('record_url') ?? '';
      return enter(call, 'thanks');
    case 'thanks':
    case 'goodbye':
      return undefined; // wait for `ended`
  }
}

function fail(call: Call, err: unknown): void {
  log.error({ call: call.id, session: call.session, step: call.step, err: err instanceof Error ? err.message : String(err) }, 'hoiio.error');
  calls.delete(call.id);
  // Best effort: apologise and hang up.
  void send(call, 'ivr/end/hangup', [['msg', templates.sorry(vars)]]).catch(() => undefined);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkSignature(c: { req: { header(name: string): string | undefined } }, body: string): void {
  const given = c.req.header('x-hoiio-signature');
  const expected = createHmac('sha256', accessToken).update(body).digest('hex');
  if (given === undefined || !sameSecret(given.toLowerCase(), expected)) log.warn({ signature: given === undefined ? 'missing' : 'invalid' }, 'notification.signature');
}

const app = new Hono();

app.post('/hoiio/incoming', async (c) => {
  const body = await c.req.text();
  checkSignature(c, body);
  const f = new URLSearchParams(body);
  const session = f.get('session') ?? '';
  if (f.get('call_state') !== 'ringing' || session === '') return c.text('OK');
  const call: Call = {
    id: `c${randomBytes(9).toString('base64url')}`,
    token: randomBytes(16).toString('base64url'),
    session,
    from: f.get('from') ?? '',
    step: 'welcome',
    seq: 0,
    retries: 0,
    voicemail: '',
    startedAt: Date.now(),
  };
  calls.set(call.id, call);
  log.info({ call: call.id, session, from: call.from, to: f.get('to') }, 'call.started');
  try {
    await enter(call, 'welcome');
  } catch (err) {
    fail(call, err);
  }
  return c.text('OK');
});

app.post('/hoiio/notify/:id/:seq', async (c) => {
  const call = calls.get(c.req.param('id'));
  if (call === undefined) return c.text('unknown call', 404);
  if (!sameSecret(c.req.query('t') ?? '', call.token)) return c.text('forbidden', 403);
  const body = await c.req.text();
  checkSignature(c, body);
  const f = new URLSearchParams(body);
  if (f.get('session') !== call.session) return c.text('forbidden', 403);
  if (f.get('call_state') === 'ended') {
    calls.delete(call.id);
    log.info({ call: call.id, session: call.session, step: call.step, durationMs: Date.now() - call.startedAt }, 'call.ended');
    return c.text('OK');
  }
  if (Number(c.req.param('seq')) !== call.seq) return c.text('OK'); // a duplicate or late result
  const next = advance(call, f);
  next?.catch((err: unknown) => fail(call, err));
  return c.text('OK');
});

app.get('/healthz', (c) => c.json({ status: 'ok', calls: calls.size }));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => log.info({ port }, 'server.listening'));
if ('keepAliveTimeout' in server) server.keepAliveTimeout = 65_000;
const stop = (): void => {
  server.close();
  void pool.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
