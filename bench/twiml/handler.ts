/**
 * The TwiML round's baseline: examples/acme.yaml written by hand for Twilio, the
 * way a competent developer would without callscript — Hono on
 * @hono/node-server, TwiML built as strings (text XML-escaped), state in a Map,
 * the same security as callscript's twilio adapter (X-Twilio-Signature checked on
 * every webhook against the URL it was sent to, a 128-bit token in every action
 * URL, the CallSid checked), the call recording started over Twilio's REST API
 * (an undici keep-alive pool) before the notice is answered, and a log line per
 * call start and end.
 *
 * Configured like `callscript serve --provider twilio`: PORT, PUBLIC_URL,
 * TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_URL.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { pino } from 'pino';
import { Pool } from 'undici';

const port = Number(process.env.PORT ?? 3300);
const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
const accountSid = process.env.TWILIO_ACCOUNT_SID ?? '';
const authToken = process.env.TWILIO_AUTH_TOKEN ?? '';
const api = new URL(process.env.TWILIO_API_URL ?? 'https://api.twilio.com');

const log = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: false }));
const pool = new Pool(api.origin, { connections: 32, keepAliveTimeout: 30_000 });
const basicAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

const company = 'Acme';
const MENU =
  'For sales press 1. For support press 2. For your account press 3. To hear these options again press 9. For the operator press 0.';
const INVALID = 'Sorry, that is not a valid choice.';

interface Call {
  readonly id: string;
  readonly token: string;
  readonly callSid: string;
  readonly from: string;
  readonly startedAt: number;
  retries: number;
  account: string;
  voicemail: string;
}

const calls = new Map<string, Call>();
/** CallSid → call id, for the status callback. */
const bySid = new Map<string, string>();

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const say = (text: string): string => `<Say voice="Polly.Joanna" language="en-US">${escape(text)}</Say>`;
const twiml = (verbs: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`;
/** Where the call's next webhook goes: the step it answers, with the call's token. */
const action = (call: Call, step: string, extra = ''): string => escape(`${publicUrl}/call/${call.id}/${step}?t=${call.token}${extra}`);

function gather(call: Call, step: string, prompt: string, maxDigits: number, timeout: number, attempt = 1): string {
  return twiml(
    `<Gather action="${action(call, step, `&a=${attempt}`)}" method="POST" input="dtmf" numDigits="${maxDigits}" timeout="${timeout}" finishOnKey="#" actionOnEmptyResult="true">${say(prompt)}</Gather>` +
      `<Redirect method="POST">${action(call, step, `&a=${attempt}&none=1`)}</Redirect>`,
  );
}

function transfer(call: Call, message: string, to: string, callerId: string | undefined, after: string): string {
  const id = callerId !== undefined ? ` callerId="${escape(callerId)}"` : '';
  return twiml(`${say(message)}<Dial action="${action(call, after)}" method="POST" timeout="30" timeLimit="14400"${id}><Number>${to}</Number></Dial>`);
}

/** The TwiML of each step of the flow. */
const steps = {
  menu: (call: Call, prefix?: string, attempt = 1): string => gather(call, 'menu', prefix !== undefined ? `${prefix} ${MENU}` : MENU, 1, 10, attempt),
  sales: (call: Call): string => transfer(call, 'Connecting you to our sales team.', '+6562223333', call.from, 'sales'),
  support: (call: Call): string => transfer(call, 'Connecting you to support.', '+6562224444', undefined, 'support'),
  supportBusy: (call: Call): string => twiml(`${say('All our support staff are busy right now. Let me try the operator.')}<Redirect method="POST">${action(call, 'operator')}</Redirect>`),
  account: (call: Call): string => gather(call, 'account', 'Please enter your 8 digit account number, then press hash.', 8, 15),
  accountConfirm: (call: Call): string =>
    gather(call, 'confirm', `You entered ${call.account.split('').join(' ')}. If that is correct press 1. To enter it again press 2.`, 1, 10),
  accountTransfer: (call: Call): string => transfer(call, 'Thank you. Connecting you to our accounts team.', '+6562225555', call.from, 'voicemail-on-failure'),
  operator: (call: Call): string => transfer(call, 'Please hold for the operator.', '+6562220000', call.from, 'voicemail-on-failure'),
  voicemail: (call: Call): string =>
    twiml(
      `${say('Sorry, no one is available. Please leave your name, number and a short message after the tone.')}` +
        `<Record action="${action(call, 'recorded')}" method="POST" maxLength="120" timeout="10" finishOnKey="#" playBeep="true" trim="do-not-trim"/>` +
        `<Redirect method="POST">${action(call, 'recorded')}</Redirect>`,
    ),
  thanks: (): string => twiml(`${say(`Thank you for calling ${company}. Goodbye.`)}<Hangup/>`),
  goodbye: (): string => twiml(`${say(`We did not receive your choice. Thank you for calling ${company}. Goodbye.`)}<Hangup/>`),
};

/** What the caller's key presses at the menu lead to. */
function menuChoice(call: Call, digits: string): string {
  switch (digits) {
    case '1':
      return steps.sales(call);
    case '2':
      return steps.support(call);
    case '3':
      return steps.account(call);
    case '9':
      call.retries = 0;
      return steps.menu(call);
    case '0':
      return steps.operator(call);
    default:
      if (call.retries < 2) {
        call.retries += 1;
        return steps.menu(call, INVALID);
      }
      return steps.operator(call);
  }
}

/** X-Twilio-Signature: HMAC-SHA1 of the URL Twilio requested and the POST fields sorted by name. */
function validSignature(c: Context, fields: URLSearchParams): boolean {
  const given = c.req.header('x-twilio-signature') ?? '';
  const q = c.req.url.indexOf('?');
  let data = `${publicUrl}${c.req.path}${q < 0 ? '' : c.req.url.slice(q)}`;
  for (const name of [...new Set(fields.keys())].sort()) {
    for (const value of [...new Set(fields.getAll(name))].sort()) data += name + value;
  }
  const expected = Buffer.from(createHmac('sha1', authToken).update(data, 'utf8').digest('base64'));
  const got = Buffer.from(given);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** The form fields of a webhook that Twilio signed; undefined when it did not. */
async function signedForm(c: Context): Promise<URLSearchParams | undefined> {
  const fields = new URLSearchParams(await c.req.text());
  if (!validSignature(c, fields)) {
    log.warn({ path: c.req.path }, 'webhook.bad_signature');
    return undefined;
  }
  return fields;
}

async function startRecording(call: Call): Promise<void> {
  try {
    const res = await pool.request({
      path: `/2010-04-01/Accounts/${accountSid}/Calls/${call.callSid}/Recordings.json`,
      method: 'POST',
      headers: { authorization: basicAuth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'RecordingChannels=dual',
    });
    await res.body.text();
    if (res.statusCode >= 300) log.error({ call: call.id, status: res.statusCode }, 'recording.failed');
  } catch (err) {
    log.error({ call: call.id, err: err instanceof Error ? err.message : String(err) }, 'recording.failed');
  }
}

const app = new Hono();
const xml = (c: Context, body: string): Response => c.body(body, 200, { 'content-type': 'text/xml; charset=utf-8' });

app.post('/voice', async (c) => {
  const f = await signedForm(c);
  if (f === undefined) return c.text('forbidden', 403);
  const callSid = f.get('CallSid') ?? '';
  if (callSid === '') return c.text('bad request', 400);
  const call: Call = {
    id: `c${randomBytes(9).toString('base64url')}`,
    token: randomBytes(16).toString('base64url'),
    callSid,
    from: f.get('From') ?? '',
    startedAt: Date.now(),
    retries: 0,
    account: '',
    voicemail: '',
  };
  calls.set(call.id, call);
  bySid.set(callSid, call.id);
  log.info({ call: call.id, callSid, from: call.from, to: f.get('To') }, 'call.started');
  await startRecording(call);
  return xml(c, twiml(`${say(`Welcome to ${company}. This call may be recorded for quality purposes.`)}<Redirect method="POST">${action(call, 'welcome-done')}</Redirect>`));
});

app.post('/call/:id/:step', async (c) => {
  const call = calls.get(c.req.param('id'));
  if (call === undefined) return xml(c, twiml('<Hangup/>'));
  const token = c.req.query('t') ?? '';
  if (token.length !== call.token.length || !timingSafeEqual(Buffer.from(token), Buffer.from(call.token))) return c.text('forbidden', 403);
  const f = await signedForm(c);
  if (f === undefined) return c.text('forbidden', 403);
  if (f.get('CallSid') !== call.callSid) return c.text('forbidden', 403);
  const digits = f.get('Digits') ?? '';
  const attempt = Number(c.req.query('a') ?? '1');
  // A Gather's action with no digits, or the Redirect after it: ask once more, then give up.
  const empty = c.req.query('none') !== undefined || digits === '';
  switch (c.req.param('step')) {
    case 'welcome-done':
      return xml(c, steps.menu(call));
    case 'menu':
      if (empty) return xml(c, attempt < 2 ? steps.menu(call, undefined, attempt + 1) : steps.goodbye());
      return xml(c, menuChoice(call, digits));
    case 'account':
      if (empty) return xml(c, steps.menu(call));
      call.account = digits;
      return xml(c, steps.accountConfirm(call));
    case 'confirm':
      return xml(c, digits === '1' ? steps.accountTransfer(call) : steps.account(call));
    case 'sales':
    case 'voicemail-on-failure':
      return xml(c, f.get('DialCallStatus') === 'completed' ? twiml('<Hangup/>') : steps.voicemail(call));
    case 'support':
      return xml(c, f.get('DialCallStatus') === 'completed' ? twiml('<Hangup/>') : steps.supportBusy(call));
    case 'operator':
      return xml(c, steps.operator(call));
    case 'recorded':
      call.voicemail = f.get('RecordingUrl') ?? '';
      return xml(c, steps.thanks());
    default:
      return c.text('not found', 404);
  }
});

app.post('/status', async (c) => {
  const f = await signedForm(c);
  if (f === undefined) return c.text('forbidden', 403);
  const status = f.get('CallStatus') ?? '';
  if (status === 'completed' || status === 'busy' || status === 'no-answer' || status === 'failed' || status === 'canceled') {
    const callSid = f.get('CallSid') ?? '';
    const call = calls.get(bySid.get(callSid) ?? '');
    if (call !== undefined) {
      calls.delete(call.id);
      bySid.delete(callSid);
      log.info({ call: call.id, callSid, status, durationMs: Date.now() - call.startedAt }, 'call.ended');
    }
  }
  return xml(c, twiml(''));
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
