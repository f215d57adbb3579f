/**
 * The interpreter alone, per call: examples/acme.yaml's path in the TwiML round
 * (start, the notice, two gathers, a busy transfer, the voicemail, the end) run
 * by the build's `startInbound`/`step`, 32 calls interleaved step by step as a
 * server interleaves them, with the twilio adapter's message limits.
 *
 * Twice: with warm caches, and with `--evict` bytes of unrelated memory touched
 * before each step, as a server's HTTP work touches its own between a call's
 * webhooks. In the TwiML round the interpreter costs 4–5 times what it costs warm
 * (docs/performance.md, "The fourth look"); the evicted figure is the one a change
 * to the interpreter's states should move. Only the steps are timed.
 *
 *   npm run bench:interpreter [-- --calls 30000 --evict 4000000 --concurrency 32]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Transition } from '../src/engine/transition.js';
import { fromDist } from './lib/dist.js';
import { median } from './lib/stats.js';
import { callerEvent } from './twiml/flow.js';

const { compile } = await fromDist<typeof import('../src/script/compile.js')>('script/compile.js');
const { startInbound, step } = await fromDist<typeof import('../src/engine/interpreter.js')>('engine/interpreter.js');
const { messageLimits } = await fromDist<typeof import('../src/engine/capabilities.js')>('engine/capabilities.js');
const { capabilitiesOf } = await fromDist<typeof import('../src/provider/registry.js')>('provider/registry.js');

const { values } = parseArgs({ options: { calls: { type: 'string' }, evict: { type: 'string' }, concurrency: { type: 'string' } } });
const calls = Number(values.calls ?? 30_000);
const evictBytes = Number(values.evict ?? 4_000_000);
const concurrency = Number(values.concurrency ?? 32);

const compiled = compile(readFileSync(join(process.cwd(), 'examples', 'acme.yaml'), 'utf8'), { file: 'acme.yaml' });
if (!compiled.ok) throw new Error('examples/acme.yaml does not compile');
const script = compiled.script;
const limits = messageLimits(capabilitiesOf('twilio'));

/** One call, a step per `next()`: the load generator's moves (bench/twiml/load.ts) as engine events. */
function* call(n: number): Generator<void, void, void> {
  const options = (): { now: number; limits: typeof limits } => ({ now: Date.now(), limits });
  let t: Transition = startInbound(script, { id: `c${n}`, token: 'token', session: `CA${n}`, providerRef: '', from: '+6591234567', to: '+6560000001' }, options());
  yield;
  let gathers = 0;
  for (;;) {
    let sent: { readonly seq: number; readonly kind: string } | undefined;
    for (const a of t.actions) if (a.type === 'send') sent = { seq: a.seq, kind: a.block.kind };
    if (sent === undefined) return;
    const event = callerEvent(sent.kind, sent.seq, gathers);
    if (sent.kind === 'gather') gathers++;
    t = step(script, t.state, event, options());
    if (event.type === 'ended') return;
    yield;
  }
}

const junk = new Float64Array(Math.max(1, Math.floor(evictBytes / 8)));
/** Touches one double per 64-byte line of `junk`: its lines replace the interpreter's in the caches. */
function evict(): void {
  for (let i = 0; i < junk.length; i += 8) junk[i] = (junk[i] ?? 0) + 1;
}

/** µs of step time per call, over `total` calls. */
function run(total: number, evicting: boolean): number {
  let n = 0;
  let done = 0;
  let spent = 0;
  const live = Array.from({ length: concurrency }, () => call(++n));
  while (done < total) {
    for (let i = 0; i < live.length; i++) {
      if (evicting) evict();
      const t0 = performance.now();
      const r = live[i]?.next();
      spent += performance.now() - t0;
      if (r?.done === true) {
        done++;
        live[i] = call(++n);
      }
    }
  }
  return (spent * 1000) / total;
}

console.log(`interpreter, acme's TwiML-round path, ${concurrency} calls interleaved, ${calls} calls per run, median of 5 runs:`);
for (const evicting of [false, true]) {
  run(Math.min(calls, 10_000), evicting);
  const runs = Array.from({ length: 5 }, () => run(calls, evicting));
  const label = evicting ? `${(evictBytes / 1e6).toFixed(1)} MB touched before each step` : 'warm caches';
  console.log(`  ${label.padEnd(36)} ${median(runs).toFixed(1)} µs per call (runs ${runs.map((x) => x.toFixed(1)).join(', ')})`);
}
