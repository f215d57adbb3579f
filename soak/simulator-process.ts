/**
 * The soak's Hoiio simulator, in its own process (so the soak process's memory is
 * the engine's alone): random callers, random provider and notification faults,
 * random hang-ups, forged notifications on request. Reports every call's end and
 * the protocol violations the engine made.
 *
 * IPC from the soak: `{cmd:'target', url}`, `{cmd:'ring', to}`, `{cmd:'forge'}` →
 * `{type:'forged', …}`, `{cmd:'live'}` → `{type:'live', n}`, `{cmd:'report'}` →
 * `{type:'report', report}`, `{cmd:'exit'}`.
 */
import { randomBytes } from 'node:crypto';
import type { BlockEntry, FaultHooks, NotificationFault, RequestFault, SimCall, Violation } from '../src/simulator/index.js';
import { fromDist } from '../bench/lib/dist.js';
import { SOAK_ACCESS_TOKEN, SOAK_APP_ID, type ForgeKind, type ForgeOutcome, type SimCallReport, type SimReport } from './types.js';

const { startSimulator, randomCaller, randomFaults, createPrng } = await fromDist<typeof import('../src/simulator/index.js')>('simulator/index.js');

const seed = process.env.SOAK_SEED ?? '1';
const TRANSPORT = new Set(['http-502', 'reset', 'hang']);

const injected: Record<string, number> = {};
const count = (kind: string): void => {
  injected[kind] = (injected[kind] ?? 0) + 1;
};

const base = randomFaults({
  seed,
  request: {
    // Latency spikes stay under the engine's request timeout; `hang` is the one past it.
    delay: { p: 0.04, minMs: 100, maxMs: 600 },
    status: 0.05,
    statuses: ['error_session_not_ready', 'error_rate_limit_exceeded', 'error_internal_server_error'],
    http502: 0.012,
    reset: 0.012,
    hang: 0.006,
  },
  notification: { delay: { p: 0.05, minMs: 20, maxMs: 400 }, duplicate: 0.06, reorder: 0.04 },
});
const applyRng = createPrng(`${seed}:apply`);
const faults: FaultHooks = {
  request: (ctx): RequestFault | undefined => {
    const f = base.request?.(ctx);
    if (f === undefined) return undefined;
    if (f.delayMs !== undefined) count('request: latency spike');
    if (f.status !== undefined) count(`request: ${f.status}`);
    const transport = f.httpStatus !== undefined ? 'HTTP 502' : f.reset === true ? 'connection reset' : f.hang === true ? 'hang past the timeout' : undefined;
    if (transport === undefined) return f;
    // A third of transport faults lose the answer of a block that did run: the engine cannot know which.
    const apply = applyRng.chance(1 / 3);
    count(`request: ${transport}${apply ? ' (block ran, answer lost)' : ''}`);
    return { ...f, apply };
  },
  notification: (ctx): NotificationFault | undefined => {
    const f = base.notification?.(ctx);
    if (f === undefined) return undefined;
    if (f.delayMs !== undefined) count('notification: delayed');
    if (f.duplicate !== undefined) count('notification: duplicated');
    if (f.reorder === true) count('notification: reordered');
    return f;
  },
};

let target: string | undefined;
const caller = randomCaller(seed, { hangup: 0.04, noInput: 0.1, keys: '1123399', outcomes: ['answered', 'answered', 'busy', 'unanswered', 'failed'], maxRecordSeconds: 5 });
const sim = await startSimulator({
  appId: SOAK_APP_ID,
  accessToken: SOAK_ACCESS_TOKEN,
  voiceNotifyUrl: () => target,
  defaultCaller: caller,
  outboundCaller: randomCaller(`${seed}:out`, { hangup: 0.04, noInput: 0.1, keys: '12', outcomes: ['answered', 'answered', 'answered', 'busy', 'unanswered'] }),
  faults,
  concurrentCallLimit: 1_000_000,
  // A call the engine leaves waiting this long hangs up on its own (and the soak counts it as a failure).
  timing: { idleTimeoutMs: 8_000, ringTimeoutMs: 10_000, notifyTimeoutMs: 5_000 },
});

const hangupRng = createPrng(`${seed}:hangups`);
const forgeRng = createPrng(`${seed}:forge`);
const forgeKinds: readonly ForgeKind[] = ['wrong-token', 'unsigned', 'other-session', 'unknown-call'];
let forgeIndex = 0;
const forged: ForgeOutcome[] = [];

function ring(to: string): void {
  let call: SimCall;
  try {
    call = sim.ring({ to });
  } catch {
    count('ring refused by the simulator');
    return;
  }
  // Some callers hang up at a random moment, whatever the engine is doing.
  if (hangupRng.chance(0.06)) {
    count('caller: hang-up at a random moment');
    setTimeout(() => {
      if (call.state !== 'ended') call.hangup();
    }, hangupRng.int(0, 400));
  }
}

function lastNotifyUrl(call: SimCall): string | undefined {
  for (let i = call.transcript.length - 1; i >= 0; i--) {
    const e = call.transcript[i];
    if (e?.kind === 'block' && e.params.notify_url !== undefined) return e.params.notify_url;
  }
  return undefined;
}

async function forge(): Promise<ForgeOutcome | undefined> {
  const live = [...sim.calls.values()].filter((c) => c.state !== 'ended' && lastNotifyUrl(c) !== undefined);
  const victim = live.length > 0 ? live[forgeRng.int(0, live.length - 1)] : undefined;
  const url = victim === undefined ? undefined : lastNotifyUrl(victim);
  if (victim === undefined || url === undefined) return undefined;
  const kind = forgeKinds[forgeIndex++ % forgeKinds.length] ?? 'unsigned';
  const fields: Record<string, string> = {
    call_state: 'ongoing',
    ivr_block: 'gather',
    digits: '1',
    txn_ref: victim.txnRef,
    from: victim.from,
    to: victim.to,
    tag: '',
  };
  let forgedUrl = url;
  let session = victim.session;
  let expected: number;
  let signature: 'none' | 'valid' = 'valid';
  switch (kind) {
    case 'wrong-token':
      forgedUrl = url.replace(/([?&]t=)[^&]*/, `$1${randomBytes(16).toString('base64url')}`);
      expected = 403;
      break;
    case 'unsigned':
      signature = 'none';
      expected = 401;
      break;
    case 'other-session':
      session = live.find((c) => c !== victim)?.session ?? 'S999999999';
      expected = 403;
      break;
    case 'unknown-call':
      forgedUrl = url.replace(/\/notify\/[^/]+\//, `/notify/c${randomBytes(9).toString('base64url')}/`);
      expected = 404;
      break;
  }
  const result = await sim.forge(victim.session, { ...fields, session }, forgedUrl, { signature });
  const outcome: ForgeOutcome = { kind, session: victim.session, expected, status: result.status ?? 0 };
  forged.push(outcome);
  return outcome;
}

function report(): SimReport {
  const bySession = new Map<string, Violation[]>();
  const unattributed: Violation[] = [];
  for (const v of sim.violations) {
    if (v.session === undefined) unattributed.push(v);
    else bySession.set(v.session, [...(bySession.get(v.session) ?? []), v]);
  }
  const calls: SimCallReport[] = [];
  for (const call of sim.calls.values()) {
    const blocks = call.transcript.filter((e): e is BlockEntry => e.kind === 'block');
    // After a transport fault on a block that did run, the engine cannot know it ran: what it sends next may overlap.
    const applied = blocks.find((b) => b.fault !== undefined && TRANSPORT.has(b.fault) && b.response !== b.fault);
    calls.push({
      session: call.session,
      direction: call.direction,
      to: call.to,
      state: call.state,
      endReason: call.endInfo?.reason ?? null,
      blocks: blocks.length,
      answerLostAt: applied?.seq ?? null,
      violations: (bySession.get(call.session) ?? []).map((v) => ({ seq: v.seq, kind: v.kind, block: v.block ?? null, detail: v.detail })),
    });
  }
  return {
    calls,
    unattributed: unattributed.map((v) => ({ seq: v.seq, kind: v.kind, block: v.block ?? null, detail: v.detail })),
    injected,
    forged,
    requests: sim.requests.length,
  };
}

process.on('message', (m: { cmd: string; url?: string; to?: string }) => {
  switch (m.cmd) {
    case 'target':
      target = m.url;
      process.send?.({ type: 'target' });
      break;
    case 'ring':
      if (m.to !== undefined) ring(m.to);
      break;
    case 'forge':
      void forge().then((outcome) => process.send?.({ type: 'forged', outcome: outcome ?? null }));
      break;
    case 'live':
      process.send?.({ type: 'live', n: [...sim.calls.values()].filter((c) => c.state !== 'ended').length });
      break;
    case 'report':
      void Promise.race([sim.settled(), new Promise((r) => setTimeout(r, 5_000))]).then(() => process.send?.({ type: 'report', report: report() }));
      break;
    case 'exit':
      void sim.close().finally(() => process.exit(0));
      break;
  }
});
process.send?.({ type: 'ready', url: sim.url });
