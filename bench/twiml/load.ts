/**
 * The TwiML round's load generator, in its own process: it plays Twilio for
 * `concurrency` calls at once for `seconds`. Each call rings the server's voice
 * URL with a signed form webhook (X-Twilio-Signature, signed by the simulator's
 * own signer) and follows the TwiML it gets back as Twilio would: Say and Play
 * take no time, a Gather is answered at its action with the caller's Digits, a
 * Redirect is requested, a Dial reports DialCallStatus=busy at its action, a
 * Record reports its RecordingUrl, and a Hangup ends the call, after which the
 * status callback is sent. Every reply is checked against bench/twiml/flow.ts.
 *
 * It also answers Twilio's REST API (`--provider-api-url`, TWILIO_API_URL): the
 * call recording the acme flow's notice starts (`Calls/<sid>/Recordings.json`).
 *
 * Latency per step is Twilio's view: from sending a webhook to having its reply.
 *
 * IPC: `{cmd:'run', voiceUrl, statusUrl, concurrency, seconds}` → `{type:'done', result}`;
 * `{cmd:'exit'}`. Ready message: `{type:'ready', apiUrl}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Http1Pool } from '../lib/http1.js';
import { twilioSigner } from '../../src/simulator/twiml/sign.js';
import { parseTwimlReply, textOf, type TwimlElement } from '../../src/simulator/twiml/xml.js';
import { ACCOUNT_SID, ACME_NUMBER, AUTH_TOKEN, CALLER_NUMBER, EXPECTED_REPLIES, PRESSES } from './flow.js';

/** A call that takes longer than this is counted as failed (something is stuck). */
const CALL_TIMEOUT_MS = 30_000;

export interface TwimlLoadRun {
  readonly cmd: 'run';
  /** The number's voice URL on the server under test. */
  readonly voiceUrl: string;
  /** Its status callback URL. */
  readonly statusUrl: string;
  readonly concurrency: number;
  readonly seconds: number;
}

export interface TwimlLoadResult {
  readonly completed: number;
  readonly failed: number;
  readonly errors: Record<string, number>;
  /** From the first ring to the last call's end (calls in progress at the deadline are finished). */
  readonly elapsedMs: number;
  /** Webhooks answered with TwiML (the status callbacks not counted). */
  readonly steps: number;
  /** Per-step latencies in ms, sorted. */
  readonly latencies: number[];
  /** REST requests that started a recording. */
  readonly recordings: number;
}

const sign = twilioSigner(AUTH_TOKEN);
let callCounter = 0;
let recordings = 0;

/** Keep-alive connections by origin, one webhook on each at a time, as Twilio's are. */
const pools = new Map<string, Http1Pool>();

class CallFailed extends Error {}

/** POSTs a signed webhook as Twilio does and returns its status and body. */
async function webhook(target: string, fields: ReadonlyArray<readonly [string, string]>): Promise<{ status: number; body: string }> {
  const url = new URL(target);
  let body = '';
  for (const [k, v] of fields) body += `${body === '' ? '' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  let pool = pools.get(url.origin);
  if (pool === undefined) {
    pool = new Http1Pool(url.origin);
    pools.set(url.origin, pool);
  }
  const res = await pool.request('POST', url.pathname + url.search, {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    ...sign(target, body, fields),
  }, body);
  return { status: res.status, body: res.body };
}

function verbsOf(response: TwimlElement): TwimlElement[] {
  return response.children.filter((c): c is TwimlElement => typeof c !== 'string');
}

/** Checks a reply against the flow's; the mismatch, or undefined. */
function mismatch(verbs: readonly TwimlElement[], index: number): string | undefined {
  const expected = EXPECTED_REPLIES[index];
  if (expected === undefined) return `reply ${index + 1} after the flow's end`;
  const got = verbs.map((v) => v.name).join(',');
  const want = expected.map((v) => v.verb).join(',');
  if (got !== want) return `reply ${index + 1}: expected ${want}, got ${got}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const v = verbs[i];
    if (e?.text === undefined || v === undefined) continue;
    const text = v.name === 'Gather' ? verbsOf(v).map(textOf).join(' ') : textOf(v).trim();
    if (text !== e.text) return `reply ${index + 1}, ${v.name}: expected ${JSON.stringify(e.text)}, got ${JSON.stringify(text)}`;
  }
  return undefined;
}

/** One call, rung and followed to its end; throws CallFailed on anything unexpected. */
async function playCall(o: TwimlLoadRun, latencies: number[]): Promise<void> {
  const n = ++callCounter;
  const sid = `CA${n.toString(16).padStart(32, '0')}`;
  const base: Array<[string, string]> = [
    ['AccountSid', ACCOUNT_SID],
    ['ApiVersion', '2010-04-01'],
    ['CallSid', sid],
    ['Called', ACME_NUMBER],
    ['Caller', CALLER_NUMBER],
    ['Direction', 'inbound'],
    ['From', CALLER_NUMBER],
    ['To', ACME_NUMBER],
  ];
  let target = o.voiceUrl;
  let fields: Array<[string, string]> = [...base, ['CallStatus', 'ringing']];
  let gathers = 0;
  for (let index = 0; ; index++) {
    const sent = performance.now();
    const res = await webhook(target, fields);
    latencies.push(performance.now() - sent);
    if (res.status !== 200) throw new CallFailed(`webhook-http-${res.status}`);
    let verbs: TwimlElement[];
    try {
      verbs = verbsOf(parseTwimlReply(res.body));
    } catch (err) {
      throw new CallFailed(`unreadable-twiml: ${err instanceof Error ? err.message : String(err)}`);
    }
    const wrong = mismatch(verbs, index);
    if (wrong !== undefined) throw new CallFailed(`unexpected-reply: ${wrong}`);
    const inProgress: Array<[string, string]> = [...base, ['CallStatus', 'in-progress']];
    // Twilio runs the verbs in order; the first one that requests a URL ends the document.
    let next: { url: string; fields: Array<[string, string]> } | undefined;
    for (const verb of verbs) {
      const action = verb.attributes.action;
      if (verb.name === 'Gather' && action !== undefined) {
        const digits = PRESSES[gathers++] ?? '';
        next = { url: action, fields: [...inProgress, ['Digits', digits], ['FinishedOnKey', ''], ['msg', 'Gather End']] };
      } else if (verb.name === 'Redirect') {
        next = { url: textOf(verb).trim(), fields: inProgress };
      } else if (verb.name === 'Dial' && action !== undefined) {
        next = { url: action, fields: [...inProgress, ['DialCallStatus', 'busy'], ['DialCallDuration', '0']] };
      } else if (verb.name === 'Record' && action !== undefined) {
        const recording = `RE${n.toString(16).padStart(32, '0')}`;
        next = {
          url: action,
          fields: [
            ...inProgress,
            ['Digits', 'hangup'],
            ['RecordingDuration', '3'],
            ['RecordingSid', recording],
            ['RecordingUrl', `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recording}`],
          ],
        };
      } else if (verb.name === 'Hangup') {
        break;
      }
      if (next !== undefined) break;
    }
    if (next === undefined) break;
    target = next.url;
    fields = next.fields;
  }
  const status = await webhook(o.statusUrl, [
    ...base,
    ['CallDuration', '12'],
    ['CallStatus', 'completed'],
    ['CallbackSource', 'call-progress-events'],
    ['SequenceNumber', '0'],
  ]);
  if (status.status !== 200) throw new CallFailed(`status-callback-http-${status.status}`);
}

async function run(o: TwimlLoadRun): Promise<TwimlLoadResult> {
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let completed = 0;
  let failed = 0;
  recordings = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          playCall(o, latencies),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new CallFailed('call-timeout')), CALL_TIMEOUT_MS);
          }),
        ]);
        completed++;
      } catch (err) {
        failed++;
        const key = err instanceof CallFailed ? err.message : `load-generator: ${err instanceof Error ? err.message : String(err)}`;
        errors[key] = (errors[key] ?? 0) + 1;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return {
    completed,
    failed,
    errors,
    elapsedMs: performance.now() - started,
    steps: latencies.length,
    latencies: latencies.sort((a, b) => a - b),
    recordings,
  };
}

/** Twilio's REST API, as much of it as the acme flow uses: starting a call recording. */
function rest(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.once('end', () => {
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\/Recordings\.json$/.exec(req.url ?? '');
    const expected = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
    if (req.method !== 'POST' || m === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":20404,"message":"The requested resource was not found"}');
      return;
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":20003,"message":"Authenticate"}');
      return;
    }
    recordings++;
    const body = JSON.stringify({ sid: `RE${recordings}`, call_sid: decodeURIComponent(m[2] ?? ''), status: 'in-progress' });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
}

const server = createServer(rest);
server.keepAliveTimeout = 65_000;

process.on('message', (message: TwimlLoadRun | { cmd: 'exit' }) => {
  if (message.cmd === 'run') {
    void run(message).then((result) => process.send?.({ type: 'done', result }));
  } else if (message.cmd === 'exit') {
    server.closeAllConnections();
    server.close();
    for (const pool of pools.values()) pool.close();
    process.exit(0);
  }
});

server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  process.send?.({ type: 'ready', apiUrl: `http://127.0.0.1:${port}` });
});
