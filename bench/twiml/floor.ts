/**
 * The TwiML round's floor (`npm run bench -- --floor`): callscript's `twilio`
 * adapter with the per-call runtime taken out. Every webhook goes through what
 * `callscript serve` does with it (the node dispatch, the body limit, the strict
 * form parser, the `X-Twilio-Signature` check, the step URL's parts, TwiML
 * rendering, the REST request that starts acme's recording, the call's two log
 * lines), but the runtime behind the routes is `ReplayRuntime`: it answers each
 * call with the blocks the interpreter produced once, at start-up, for the
 * bench's path through acme, instead of running the interpreter, the call's
 * queue and lock, and the store per webhook.
 *
 * Not a way to run calls: it serves exactly one path. It tells how much of the
 * round's gap to the hand-written handler is the runtime's (docs/performance.md,
 * "The fourth look").
 *
 * Configured like the handler: PORT, PUBLIC_URL, TWILIO_ACCOUNT_SID,
 * TWILIO_AUTH_TOKEN, TWILIO_API_URL, LOG_LEVEL, and SCRIPT (examples/acme.yaml).
 */
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import type { Block } from '../../src/engine/blocks.js';
import { messageLimits } from '../../src/engine/capabilities.js';
import type { CallEvent } from '../../src/engine/events.js';
import { startInbound, step, type EngineOptions } from '../../src/engine/interpreter.js';
import type { Transition } from '../../src/engine/transition.js';
import { createLogger } from '../../src/log/logger.js';
import type { AdapterRuntime } from '../../src/provider/port.js';
import { adapterFromEnv, capabilitiesOf } from '../../src/provider/registry.js';
import type { CallRunner, IncomingCall, InboundResult, Reply, ReplyResult } from '../../src/runtime/call-runner.js';
import { randomIds } from '../../src/runtime/ids.js';
import { loadScripts } from '../../src/script-files/load.js';
import { nodeWebhooks } from '../../src/server/webhook-node.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { sameSecret } from '../../src/util/secure-compare.js';
import { ACME_NUMBER, CALLER_NUMBER, callerEvent } from './flow.js';

const port = Number(process.env.PORT ?? 3301);
const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
const scriptFile = process.env.SCRIPT ?? '';
const log = createLogger({});
const env = (name: string): string | undefined => process.env[name];

const adapter = adapterFromEnv('twilio', { env, ...(process.env.TWILIO_API_URL !== undefined ? { apiUrl: process.env.TWILIO_API_URL } : {}) });
if (adapter === undefined) throw new Error('the twilio adapter needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');

/** The blocks of the bench's path through the script, as the interpreter sends them: the reply to each webhook in turn. */
async function replayedBlocks(): Promise<Block[]> {
  const loaded = await loadScripts([dirname(scriptFile)], { provider: capabilitiesOf('twilio') });
  const script = loaded.scripts.find((s) => s.numbers.includes(ACME_NUMBER));
  if (script === undefined) throw new Error(`no script in ${dirname(scriptFile)} answers ${ACME_NUMBER}`);
  const options: EngineOptions = { now: Date.now(), limits: messageLimits(adapter?.capabilities ?? capabilitiesOf('twilio')) };
  const call = { id: 'c-replayed', token: 'replayed', session: 'CA-replayed', providerRef: '', from: CALLER_NUMBER, to: ACME_NUMBER };
  const blocks: Block[] = [];
  let gathers = 0;
  let t: Transition = startInbound(script, call, options);
  for (;;) {
    const sent = t.actions.filter((a) => a.type === 'send').at(-1);
    if (sent === undefined || sent.type !== 'send') break;
    blocks.push(sent.block);
    // The hangup is the last reply: the status callback that follows needs no block.
    if (sent.block.kind === 'hangup') break;
    t = step(script, t.state, callerEvent(sent.block.kind, sent.seq, gathers), options);
    if (sent.block.kind === 'gather') gathers++;
  }
  return blocks;
}

interface LiveCall {
  readonly token: string;
  readonly session: string;
  readonly startedAt: number;
}

/** The runtime the routes see: each call gets the replayed blocks in turn, checked as the runner checks a webhook. */
class ReplayRuntime implements AdapterRuntime {
  readonly store = new MemoryStore();
  private readonly calls = new Map<string, LiveCall>();
  private readonly bySession = new Map<string, string>();

  constructor(private readonly blocks: readonly Block[]) {}

  private reply(id: string, token: string, answered: number): Reply {
    const block = this.blocks[answered];
    return block === undefined ? { type: 'none' } : { type: 'block', id, token, seq: answered + 1, block };
  }

  async inboundReply(call: IncomingCall): Promise<{ readonly result: InboundResult; readonly reply: Reply }> {
    const known = this.bySession.get(call.session);
    if (known !== undefined) return { result: { result: 'duplicate', id: known }, reply: { type: 'none' } };
    const id = randomIds.callId();
    const token = randomIds.token();
    this.calls.set(id, { token, session: call.session, startedAt: Date.now() });
    this.bySession.set(call.session, id);
    log.info({ call: id, session: call.session, script: 'acme', direction: 'inbound', from: call.from, to: call.to }, 'call.started');
    return { result: { result: 'started', id, script: 'acme' }, reply: this.reply(id, token, 0) };
  }

  async replyTo(id: string, token: string, _event: CallEvent | undefined, session: string, answers: number): Promise<ReplyResult> {
    const call = this.calls.get(id);
    if (call === undefined) return { verdict: 'unknown-call' };
    if (!sameSecret(call.token, token)) return { verdict: 'bad-token' };
    if (session !== call.session) return { verdict: 'session-mismatch' };
    return { verdict: 'accepted', reply: this.reply(id, token, answers) };
  }

  async callEnded(session: string): Promise<'ended' | 'unknown-call'> {
    const id = this.bySession.get(session);
    const call = id !== undefined ? this.calls.get(id) : undefined;
    if (id === undefined || call === undefined) return 'unknown-call';
    this.calls.delete(id);
    this.bySession.delete(session);
    log.info({ call: id, session, script: 'acme', outcome: 'completed', durationMs: Date.now() - call.startedAt }, 'call.ended');
    return 'ended';
  }

  // Webhooks the twilio adapter never makes.
  inbound(): Promise<InboundResult> {
    return Promise.reject(new Error('not replayed: inbound'));
  }

  notify(): ReturnType<CallRunner['notify']> {
    return Promise.reject(new Error('not replayed: notify'));
  }

  endedWhileRinging(): void {}
}

const runtime = new ReplayRuntime(await replayedBlocks());
const routes = adapter.routes({ runner: runtime, log, maxBodyBytes: 64 * 1024, publicUrl: () => publicUrl });
const dispatch = nodeWebhooks('/twilio', routes.webhooks, log);
const server = createServer((req, res) => {
  if (dispatch(req, res)) return;
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' }).end(req.url === '/healthz' ? 'ok' : 'not found');
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => log.info({ port }, 'server.listening'));
const stop = (): void => {
  server.close();
  void adapter.client.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
