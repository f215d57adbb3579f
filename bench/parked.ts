/**
 * Bytes of memory per call in progress: parks N calls at a gather in one process
 * (run with --expose-gc) and measures the heap after a full GC, before and after.
 *
 * Each call gets what the webhook routes do with a notification, minus the HTTP
 * framing: a fresh form body string per notification, read by the routes' own
 * `parseHoiioNotification` / `hoiioEvent`, then `CallRunner.inbound` (ringing)
 * and `CallRunner.notify` (the play's result), so each call is parked at the
 * menu's gather exactly as in production. The provider is a client that accepts
 * every block at once; the store is the memory store with its defaults (no
 * transcripts). (The Hono routes themselves keep nothing per call; the soak
 * checks that memory returns to its start once calls end.)
 *
 * Counted: V8 heap used + external memory (Buffers) after GC, minus the same
 * before the calls, divided by N. That is everything the engine keeps per parked
 * call: the call state in the store, the session index, the script registry's
 * per-call tracking, the queue and lock maps (empty once a call is idle).
 *
 *   node --expose-gc parked.js <calls>   → prints one JSON line
 */
import { pino } from 'pino';
import type { Block } from '../src/engine/blocks.js';
import type { ProviderClient, SendResult } from '../src/provider/provider.js';
import { fromDist } from './lib/dist.js';
import { BENCH_NUMBER, BENCH_SCRIPT, CALLER_NUMBER } from './lib/flow.js';

const { CallRunner } = await fromDist<typeof import('../src/runtime/call-runner.js')>('runtime/call-runner.js');
const { ScriptRegistry } = await fromDist<typeof import('../src/runtime/script-registry.js')>('runtime/script-registry.js');
const { compile } = await fromDist<typeof import('../src/script/compile.js')>('script/compile.js');
const { hoiioEvent, parseHoiioNotification } = await fromDist<typeof import('../src/provider/hoiio/notification.js')>('provider/hoiio/notification.js');
const { hoiioNotifyUrl } = await fromDist<typeof import('../src/provider/hoiio/routes.js')>('provider/hoiio/routes.js');
const { MemoryStore } = await fromDist<typeof import('../src/store/memory-store.js')>('store/memory-store.js');

export interface ParkedResult {
  readonly calls: number;
  readonly bytesPerCall: number;
  readonly heapBytesPerCall: number;
  readonly externalBytesPerCall: number;
  readonly parkedAtGather: number;
  readonly seconds: number;
}

const PUBLIC_URL = 'http://127.0.0.1:3000';

class AcceptingProvider implements ProviderClient {
  readonly name = 'accepting';
  async send(_block: Block, _target: unknown): Promise<SendResult> {
    return {};
  }
  async close(): Promise<void> {}
}

/** Full GCs, with turns of the event loop between them so finalization callbacks (e.g. of fetch Requests) run. */
async function gc(): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function memory(): Promise<{ heap: number; external: number }> {
  await gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const compiled = compile(BENCH_SCRIPT, { file: 'bench.yaml' });
  if (!compiled.ok) throw new Error('bench script does not compile');
  const scripts = new ScriptRegistry([compiled.script]);
  const store = new MemoryStore();
  const log = pino({ level: 'silent' });
  const runner = new CallRunner({
    scripts,
    store,
    provider: new AcceptingProvider(),
    log,
    notifyUrl: (id, seq, token) => hoiioNotifyUrl(PUBLIC_URL, id, seq, token),
    sweepIntervalMs: 0,
  });
  // Bodies are built from bytes, as they arrive from a socket (not from string literals V8 could share).
  const received = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');
  const park = async (i: number): Promise<void> => {
    const session = `S${i}`;
    const common = `session=${session}&txn_ref=AA-C-${1_000_000 + i}&from=${encodeURIComponent(CALLER_NUMBER)}&to=${encodeURIComponent(BENCH_NUMBER)}`;
    const ringing = parseHoiioNotification('', received(`call_state=ringing&ivr_block=answer&${common}`));
    const started = await runner.inbound({ session: ringing.session, providerRef: ringing.txnRef, from: ringing.from, to: ringing.to });
    if (started.result !== 'started') throw new Error(`call ${session} was not started: ${started.result}`);
    const state = await store.get(started.id);
    if (state === undefined) throw new Error(`call ${session} is not in the store`);
    const url = received(`${PUBLIC_URL}/hoiio/notify/${state.id}/${state.seq}?t=${state.token}`);
    const n = parseHoiioNotification(url.slice(url.indexOf('?') + 1), received(`call_state=ongoing&ivr_block=play&${common}&tag=`));
    const event = hoiioEvent(n, state.seq);
    if (event === undefined) throw new Error('not a notification');
    const verdict = await runner.notify(state.id, new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('t') ?? '', event, n.session);
    if (verdict !== 'accepted') throw new Error(`notification refused: ${verdict}`);
  };

  // Warm up the code paths (and their one-time allocations) before the first measurement.
  for (let i = 0; i < 200; i++) await park(-1 - i);
  await runner.drain();
  const before = await memory();
  const started = performance.now();
  const batch = 500;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => park(i + j)));
  }
  await runner.drain();
  const seconds = (performance.now() - started) / 1000;
  const after = await memory();
  const parked = await store.active({ limit: n + 1000 });
  const atGather = parked.filter((s) => s.pending === 'gather').length;
  const heap = (after.heap - before.heap) / n;
  const external = (after.external - before.external) / n;
  const result: ParkedResult = {
    calls: n,
    bytesPerCall: Math.round(heap + external),
    heapBytesPerCall: Math.round(heap),
    externalBytesPerCall: Math.round(external),
    parkedAtGather: atGather - 200,
    seconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await runner.close();
}

await main();
