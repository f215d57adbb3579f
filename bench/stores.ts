/**
 * Store benchmark: steps per second and per-step latency with each store, in one
 * run, in two settings:
 *
 * - store only: the runner's per-step store work (lock, get, step, put with its
 *   transcript, release) for many concurrent calls, without HTTP or a provider, as
 *   fast as they go (saturated) and paced at --rate steps per second in all (what a
 *   busy server sees: the store keeps up, and its stalls are what shows in the tail);
 * - end to end: a server with the built-in Hoiio simulator on loopback, concurrent
 *   calls going round a menu; latency is from a notification leaving the simulator
 *   to the next block reaching it.
 *
 *   npm run bench:stores [-- --seconds 2 --calls 50 --rate 2000 --e2e-calls 20 --e2e-steps 100 --stores memory,sqlite,redis]
 *
 * Starts its own redis-server on a loopback port (Debian's `redis-server`, or
 * $REDIS_SERVER) and SQLite files in a temporary folder. Runs the build in dist/.
 * The comparison with a hand-written baseline is `npm run bench` (issue #6).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { CallEvent } from '../src/engine/events.js';
import type { CallState } from '../src/engine/state.js';
import type { Script } from '../src/script/model.js';
import type { SessionStore } from '../src/store/session-store.js';
import type { Checkpoint } from '../src/store/sqlite-checkpointer.js';
import type { SimCall } from '../src/simulator/index.js';
import { startRedisServer } from '../test/store/redis-server.js';

// The code measured is the build in dist/ (what `callscript serve` runs), typed from src/.
const DIST = resolve(process.cwd(), 'dist');
if (!existsSync(join(DIST, 'store', 'sqlite-store.js'))) throw new Error('run from the repository root after `npm run build`');
const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(DIST, path)).href) as Promise<T>;
const { startInbound, step } = await load<typeof import('../src/engine/interpreter.js')>('engine/interpreter.js');
const { compile } = await load<typeof import('../src/script/compile.js')>('script/compile.js');
const { MemoryStore } = await load<typeof import('../src/store/memory-store.js')>('store/memory-store.js');
const { RedisStore } = await load<typeof import('../src/store/redis-store.js')>('store/redis-store.js');
const { SqliteStore } = await load<typeof import('../src/store/sqlite-store.js')>('store/sqlite-store.js');
const { TRANSCRIPT_LIMIT, transcriptEntries } = await load<typeof import('../src/store/transcript.js')>('store/transcript.js');
const { startDevServer } = await load<typeof import('../src/dev/server.js')>('dev/server.js');
const { scriptedCaller } = await load<typeof import('../src/simulator/index.js')>('simulator/index.js');

const LOOP = `
name: loop
numbers: ["+6560000999"]
steps:
  menu:
    gather: { prompt: "For sales press 1. For support press 2. To hear these options again press 1.", max_digits: 1 }
    branches: { "1": menu, "2": bye }
  bye:
    hangup: "Goodbye."
`;

interface Row {
  readonly setting: string;
  readonly store: string;
  readonly steps: number;
  readonly stepsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** SQLite: the largest the WAL file got during the run (MB, sampled every 20 ms). */
  walMaxMB?: number;
  /** SQLite: times the checkpoint thread started the WAL over, and the longest its writes waited (ms). */
  restarts?: number;
  gateMaxMs?: number;
}

const ENGINE = { maxSteps: Number.MAX_SAFE_INTEGER };

function summarize(setting: string, store: string, latencies: number[], elapsedMs: number): Row {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    setting,
    store,
    steps: latencies.length,
    stepsPerSecond: Math.round(latencies.length / (elapsedMs / 1000)),
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(latencies.at(-1) ?? 0),
  };
}

/** Samples a WAL file's size every 20 ms (SQLite checkpoints keep it bounded, or not); sums up the thread's restarts. */
function walWatch(file: string, checkpoints: Checkpoint[]): { stop(): Pick<Row, 'walMaxMB' | 'restarts' | 'gateMaxMs'> } {
  checkpoints.length = 0;
  let largest = 0;
  const sample = (): void => {
    try {
      largest = Math.max(largest, statSync(file).size);
    } catch {
      // not there (yet)
    }
  };
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const restarted = checkpoints.filter((c) => c.restarted === true);
      return {
        walMaxMB: Math.round(largest / 1e5) / 10,
        // Builds before the thread started the WAL over report neither.
        ...(checkpoints.some((c) => c.restarted !== undefined)
          ? { restarts: restarted.length, gateMaxMs: Math.round(Math.max(0, ...restarted.map((c) => c.gateMs)) * 10) / 10 }
          : {}),
      };
    },
  };
}

/** `store` null: a plain Map and no lock, what the interpreter alone costs, for scale. */
async function storeOnly(name: string, store: SessionStore | null, script: Script, calls: number, seconds: number): Promise<Row> {
  const bare = new Map<string, CallState>();
  const ids: string[] = [];
  for (let i = 0; i < calls; i++) {
    const id = `c${randomBytes(6).toString('hex')}`;
    const t = startInbound(script, { id, token: 'tok', session: `S${id}`, providerRef: 'AA', from: '+6591234567', to: '+6560000999' }, { now: Date.now(), ...ENGINE });
    if (store === null) bare.set(id, t.state);
    else await store.put(t.state, { transcript: transcriptEntries(undefined, t, Date.now()) });
    ids.push(id);
  }
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        if (store === null) {
          const state = bare.get(id)!;
          const event: CallEvent = { type: 'block.done', seq: state.seq, digits: '1' };
          bare.set(id, step(script, state, event, { now: Date.now(), ...ENGINE }).state);
          await Promise.resolve();
        } else {
          const lease = await store.lock(id);
          const state = (await store.get(id))!;
          const event: CallEvent = { type: 'block.done', seq: state.seq, digits: '1' };
          const t = step(script, state, event, { now: Date.now(), ...ENGINE });
          await store.put(t.state, { lease, transcript: transcriptEntries(event, t, Date.now()) });
          await lease.release();
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarize('store only', name, latencies, performance.now() - started);
}

/**
 * Like `storeOnly`, but each call takes a step every `calls / rate` seconds (staggered),
 * so the store is not saturated: latency is the step's own, plus whatever the store
 * stalls on (a SQLite checkpoint in a commit).
 */
async function paced(name: string, store: SessionStore, script: Script, calls: number, seconds: number, rate: number): Promise<Row> {
  const ids: string[] = [];
  for (let i = 0; i < calls; i++) {
    const id = `c${randomBytes(6).toString('hex')}`;
    const t = startInbound(script, { id, token: 'tok', session: `S${id}`, providerRef: 'AA', from: '+6591234567', to: '+6560000999' }, { now: Date.now(), ...ENGINE });
    await store.put(t.state, { transcript: transcriptEntries(undefined, t, Date.now()) });
    ids.push(id);
  }
  const periodMs = (calls / rate) * 1000;
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    ids.map(async (id, i) => {
      for (let due = started + (i * periodMs) / calls; due < deadline; due += periodMs) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const t0 = performance.now();
        const lease = await store.lock(id);
        const state = (await store.get(id))!;
        const event: CallEvent = { type: 'block.done', seq: state.seq, digits: '1' };
        const t = step(script, state, event, { now: Date.now(), ...ENGINE });
        await store.put(t.state, { lease, transcript: transcriptEntries(event, t, Date.now()) });
        await lease.release();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarize(`store only, ${rate}/s`, name, latencies, performance.now() - started);
}

/** Engine turnaround per step: a notification leaving the simulator → the next block arriving. */
function turnarounds(call: SimCall): number[] {
  const out: number[] = [];
  let sentAt: number | undefined;
  for (const e of call.transcript) {
    if (e.kind === 'notification' && e.copy === 0) sentAt = e.at;
    else if (e.kind === 'block' && sentAt !== undefined) {
      out.push(e.at - sentAt);
      sentAt = undefined;
    }
  }
  return out;
}

async function endToEnd(spec: string, script: Script, calls: number, steps: number): Promise<Row> {
  const dev = await startDevServer({
    flags: { port: 0, host: '127.0.0.1', hoiioTimeout: 10_000, signatureMode: 'off', maxSteps: steps + 10, maxBody: 65_536, store: spec },
    scripts: [script],
    log: pino({ level: 'silent' }),
    accessToken: 'bench',
    simulator: { clock: () => performance.timeOrigin + performance.now() },
  });
  try {
    const presses = [...Array<string>(steps - 1).fill('1'), '2'];
    const started = performance.now();
    const ringing = Array.from({ length: calls }, () => dev.simulator.ring({ to: '+6560000999', caller: scriptedCaller({ presses }) }));
    await Promise.all(ringing.map((c) => c.ended));
    const elapsed = performance.now() - started;
    return summarize('end to end', spec.replace(/:\/\/.*|:.*/, ''), ringing.flatMap(turnarounds), elapsed);
  } finally {
    await dev.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '2' },
      calls: { type: 'string', default: '50' },
      rate: { type: 'string', default: '2000' },
      'e2e-calls': { type: 'string', default: '20' },
      'e2e-steps': { type: 'string', default: '100' },
      // Comma-separated: memory, sqlite, redis (the rows of the memory store come with "memory").
      stores: { type: 'string', default: 'memory,sqlite,redis' },
      json: { type: 'boolean', default: false },
    },
  });
  const compiled = compile(LOOP);
  if (!compiled.ok) throw new Error('bench script does not compile');
  const script = compiled.script;
  const tmp = mkdtempSync(join(tmpdir(), 'callscript-bench-'));
  const wanted = new Set(values.stores.split(','));
  const redis = wanted.has('redis') ? await startRedisServer() : undefined;
  const rows: Row[] = [];
  const checkpoints: Checkpoint[] = [];
  try {
    const calls = Number(values.calls);
    const seconds = Number(values.seconds);
    rows.push(await storeOnly('none (a Map)', null, script, calls, seconds));
    const stores: Array<[string, () => Promise<SessionStore>]> = [
      ['memory', async () => new MemoryStore()],
      ['memory+transcript', async () => new MemoryStore({ transcriptLimit: TRANSCRIPT_LIMIT })],
      ['sqlite', async () => new SqliteStore(join(tmp, 'store-only.db'), { onCheckpoint: (c) => checkpoints.push(c) })],
      ['redis', async () => RedisStore.open(redis!.url, { prefix: 'bench1:' })],
    ].filter(([name]) => wanted.has(String(name).replace('+transcript', ''))) as Array<[string, () => Promise<SessionStore>]>;
    for (const [name, open] of stores) {
      const store = await open();
      const wal = name === 'sqlite' ? walWatch(join(tmp, 'store-only.db-wal'), checkpoints) : undefined;
      try {
        rows.push({ ...(await storeOnly(name, store, script, calls, seconds)), ...wal?.stop() });
      } finally {
        await store.close();
      }
    }
    // Paced: long enough for several of SQLite's every-4-MB checkpoints, which is what a step's tail met.
    for (const [name, open] of stores.filter(([n]) => n === 'memory+transcript' || n === 'sqlite')) {
      const store = await open();
      const wal = name === 'sqlite' ? walWatch(join(tmp, 'store-only.db-wal'), checkpoints) : undefined;
      try {
        rows.push({ ...(await paced(name, store, script, calls, Math.max(seconds, 8), Number(values.rate))), ...wal?.stop() });
      } finally {
        await store.close();
      }
    }
    // Warm-up (JIT, connection pools), not reported: the first setting measured would pay for it.
    await endToEnd('memory', script, 5, 20);
    const specs = ['memory', `sqlite:${join(tmp, 'e2e.db')}`, ...(redis !== undefined ? [`${redis.url}?prefix=bench2:`] : [])];
    for (const spec of specs.filter((spec) => wanted.has(spec.replace(/:.*/, '')))) {
      rows.push(await endToEnd(spec, script, Number(values['e2e-calls']), Number(values['e2e-steps'])));
    }
  } finally {
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (values.json) {
    console.log(JSON.stringify(rows));
    return;
  }
  console.log(`callscript store benchmark, node ${process.version}; steps/s relative to the memory store of the same setting`);
  console.table(
    rows.map((r) => {
      const memory = rows.find((m) => m.setting === r.setting && m.store.startsWith('memory'));
      return {
        setting: r.setting,
        store: r.store,
        steps: r.steps,
        'steps/s': r.stepsPerSecond,
        'vs memory': memory === undefined ? '' : `${(r.stepsPerSecond / memory.stepsPerSecond).toFixed(2)}x`,
        'p50 ms': r.p50Ms,
        'p99 ms': r.p99Ms,
        'max ms': r.maxMs,
        'WAL max MB': r.walMaxMB ?? '',
        restarts: r.restarts ?? '',
        'gate max ms': r.gateMaxMs ?? '',
      };
    }),
  );
}

await main();
