/**
 * `npm run bench`: callscript against a hand-written Hono + undici handler, in
 * the same run, on this machine. A benchmark, not a test: it prints tables and
 * writes bench/results.json; it never fails on a number.
 *
 * Processes (all on 127.0.0.1): the engine (`callscript serve`, one process per
 * store), the baseline (bench/baseline), a fake Hoiio that answers instantly and
 * plays the caller (bench/provider), and the load generator (bench/load). Rounds
 * alternate between the servers in a rotating order, because this machine's
 * cores differ in speed and drift; medians of the rounds are compared.
 *
 *   npm run bench [-- --rounds 20 --seconds 2 --concurrency 32 --stores memory,sqlite,redis --quick]
 *                 [-- --profile <dir>]   CPU profiles of the servers and the TwiML load generator (node --cpu-prof), written when they stop
 *                 [-- --log-level warn]  the servers' log level (default info, the production default)
 *                 [-- --no-pin]          do not pin processes to CPUs (by default, with taskset and 2+ CPUs, the
 *                                        servers share the last CPU and the provider and load generator CPU 0)
 *                 [-- --suites hoiio,twiml]  which rounds run (default both): the Hoiio flow per store against
 *                                        bench/baseline, and acme on the twilio adapter against bench/twiml/handler
 *                 [-- --no-extras]       skip the parked-call, compile, validate and reload measurements
 *                 [-- --floor]           the TwiML round also runs its floor (bench/twiml/floor.ts): the twilio
 *                                        adapter with the per-call runtime replayed, to tell the runtime's share
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedisServer, type TestRedis } from '../test/store/redis-server.js';
import type { CompileTimeResult } from './compile-time.js';
import type { ValidateTimeResult } from './validate-time.js';
import { BENCH_SCRIPT, BLOCKS_PER_CALL } from './lib/flow.js';
import { canPin, cpuSeconds, forkWorker, freePort, peakRss, pin, startServerProcess, type ServerProcess, type Worker } from './lib/proc.js';
import { median, quantile, ratio, round, table } from './lib/stats.js';
import type { LoadResult } from './load/main.js';
import type { ParkedResult } from './parked.js';
import type { ProviderStats } from './provider/main.js';
import type { ReloadResult } from './reload.js';
import { CPU_BOUND, runTwimlRound, type TwimlReport, type TwimlTarget } from './twiml/round.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const ROOT = process.cwd();
const CLI = join(ROOT, 'bin', 'callscript.js');
const APP_ID = 'bench-app';
const ACCESS_TOKEN = 'bench-token';

interface Options {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly concurrency: number;
  readonly stores: readonly string[];
  readonly parked: readonly number[];
  readonly out: string;
  /** Write CPU profiles of the servers (node --cpu-prof) to this folder. */
  readonly profile?: string;
  /** Log level of the servers (default info, the production default). */
  readonly logLevel: string;
  /** Pin the servers to the last CPU and the provider and load generator to CPU 0 (default: when taskset is there). */
  readonly pin: boolean;
  /** `hoiio` (the bench flow per store) and `twiml` (acme on the twilio adapter). */
  readonly suites: readonly string[];
  /** Parked calls, compile, validate and reload times. */
  readonly extras: boolean;
  /** The TwiML round's floor server too. */
  readonly floor: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      stores: { type: 'string' },
      parked: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      'log-level': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      suites: { type: 'string' },
      'no-extras': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const num = (v: string | undefined, d: number): number => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${v}`);
    return n;
  };
  return {
    rounds: num(values.rounds, quick ? 6 : 20),
    seconds: num(values.seconds, quick ? 1 : 2),
    warmup: num(values.warmup, quick ? 2 : 3),
    concurrency: num(values.concurrency, 32),
    stores: (values.stores ?? 'memory,sqlite,redis').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    parked: (values.parked ?? (quick ? '10000' : '10000,100000')).split(',').map((s) => num(s, 10_000)),
    out: values.out ?? join(ROOT, 'bench', 'results.json'),
    ...(values.profile !== undefined ? { profile: resolve(values.profile) } : {}),
    logLevel: values['log-level'] ?? 'info',
    pin: values['no-pin'] !== true && canPin(),
    suites: (values.suites ?? 'hoiio,twiml').split(',').map((s) => s.trim()),
    extras: values['no-extras'] !== true,
    floor: values.floor === true,
  };
}

interface RoundResult {
  readonly calls: number;
  readonly failed: number;
  readonly steps: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly stepsPerSecond: number;
  readonly cpuSeconds: number;
  readonly cpuMsPerCall: number;
  readonly cpuSecondsPer1000Steps: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errors: Record<string, number>;
}

interface Target {
  readonly name: string;
  readonly server: ServerProcess;
  readonly rounds: RoundResult[];
}

function machine(): Record<string, unknown> {
  const models = [...new Set(cpus().map((c) => c.model))];
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // keep os.cpus()
  }
  return {
    nproc,
    cpu: models.join(' / '),
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  };
}

async function measure(target: Target, provider: Worker, load: Worker, providerUrl: string, o: Options, seconds: number): Promise<RoundResult> {
  await provider.ask({ cmd: 'reset' }, 'reset');
  const cpu0 = cpuSeconds(target.server.pid);
  const { result } = await load.ask<{ result: LoadResult }>(
    { cmd: 'run', provider: providerUrl, target: `${target.server.url}/hoiio/incoming`, concurrency: o.concurrency, seconds },
    'done',
  );
  const cpu = cpuSeconds(target.server.pid) - cpu0;
  const { stats } = await provider.ask<{ stats: ProviderStats }>({ cmd: 'stats' }, 'stats');
  const elapsed = result.elapsedMs / 1000;
  const errors: Record<string, number> = { ...stats.errors };
  for (const [k, v] of Object.entries(result.errors)) errors[`load: ${k}`] = v;
  return {
    calls: result.completed,
    failed: result.failed,
    steps: stats.steps,
    seconds: elapsed,
    callsPerSecond: result.completed / elapsed,
    stepsPerSecond: stats.steps / elapsed,
    cpuSeconds: cpu,
    cpuMsPerCall: (cpu * 1000) / Math.max(1, result.completed),
    cpuSecondsPer1000Steps: (cpu * 1000) / Math.max(1, stats.steps),
    p50Ms: quantile(stats.latencies, 0.5),
    p95Ms: quantile(stats.latencies, 0.95),
    p99Ms: quantile(stats.latencies, 0.99),
    errors,
  };
}

/** How much of its CPU a TwiML target used in its median round (its CPU time over the round's wall time). */
function busyPercent(t: TwimlTarget, of: (r: TwimlTarget['rounds'][number]) => number = (r) => r.cpuSeconds): number {
  return median(t.rounds.map((r) => (of(r) / Math.max(1e-9, r.seconds)) * 100));
}

function summary(rounds: readonly RoundResult[]): Omit<RoundResult, 'errors'> {
  const m = (f: (r: RoundResult) => number): number => median(rounds.map(f));
  return {
    calls: rounds.reduce((n, r) => n + r.calls, 0),
    failed: rounds.reduce((n, r) => n + r.failed, 0),
    steps: rounds.reduce((n, r) => n + r.steps, 0),
    seconds: rounds.reduce((n, r) => n + r.seconds, 0),
    callsPerSecond: m((r) => r.callsPerSecond),
    stepsPerSecond: m((r) => r.stepsPerSecond),
    cpuSeconds: rounds.reduce((n, r) => n + r.cpuSeconds, 0),
    cpuMsPerCall: m((r) => r.cpuMsPerCall),
    cpuSecondsPer1000Steps: m((r) => r.cpuSecondsPer1000Steps),
    p50Ms: m((r) => r.p50Ms),
    p95Ms: m((r) => r.p95Ms),
    p99Ms: m((r) => r.p99Ms),
  };
}

/** Runs a bench module in a fresh node process and parses the JSON line it prints. */
function runChild<T>(module: string, args: readonly string[], execArgv: readonly string[] = []): T {
  const out = execFileSync(process.execPath, [...execArgv, here(module), ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = out.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as T;
}

function countLogLevels(file: string): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /"level":"?(\w+)"?/.exec(line);
    if (m?.[1] !== undefined) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  }
  return counts;
}

async function main(): Promise<void> {
  const o = options();
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run from the repository root after `npm run build`');
  const info = machine();
  const tmp = mkdtempSync(join(tmpdir(), 'callscript-bench-'));
  const scriptsDir = join(tmp, 'scripts');
  mkdirSync(scriptsDir);
  writeFileSync(join(scriptsDir, 'bench.yaml'), BENCH_SCRIPT);
  console.log(`callscript bench — ${String(info.nproc)} CPU (${String(info.cpu)}), node ${process.version}`);
  console.log(
    `flow: play → gather → invalid → gather → transfer busy → record → hangup (${BLOCKS_PER_CALL} steps per call); ` +
      `${o.concurrency} calls at once; ${o.rounds} rounds × ${o.seconds} s per server, rotating order; log level ${o.logLevel}; ` +
        `${o.pin ? `servers pinned to CPU ${cpus().length - 1}, provider and load generator to CPU 0` : 'no CPU pinning'}; logs in ${tmp}`,
  );

  const { worker: provider, ready: providerReady } = await forkWorker(here('./provider/main.js'));
  const providerUrl = String(providerReady.url);
  const { worker: load } = await forkWorker(here('./load/main.js'));
  // The servers under test share one CPU, one at a time; the provider and the load generator have the other.
  // Without pinning, which of the two unequal CPUs a server lands on (and when it migrates) moves its CPU time more than the code does.
  const serverCpu = o.pin ? cpus().length - 1 : undefined;
  if (o.pin) {
    pin(provider.child.pid ?? 0, 0);
    pin(load.child.pid ?? 0, 0);
  }
  // A sample every 100 µs: the default 1 ms is too coarse for steps that take a few hundred µs.
  const nodeArgs = o.profile !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${o.profile}`, '--cpu-prof-interval=100'] : [];
  let redis: TestRedis | undefined;
  const skipped: Record<string, string> = {};
  const targets: Target[] = [];
  const servers: ServerProcess[] = [];
  try {
    if (o.suites.includes('hoiio') && o.stores.includes('redis')) {
      try {
        redis = await startRedisServer();
      } catch (err) {
        skipped.redis = err instanceof Error ? err.message : String(err);
        console.log(`Redis skipped: ${skipped.redis}`);
      }
    }
    const env = { LOG_LEVEL: o.logLevel, HOIIO_APP_ID: APP_ID, HOIIO_ACCESS_TOKEN: ACCESS_TOKEN, BENCH_APP_ID: APP_ID, BENCH_ACCESS_TOKEN: ACCESS_TOKEN };
    const startEngine = async (store: string, spec: string): Promise<void> => {
      const port = await freePort();
      const server = await startServerProcess(
        `engine/${store}`,
        [...nodeArgs, CLI, 'serve', scriptsDir, '--port', String(port), '--host', '127.0.0.1', '--public-url', `http://127.0.0.1:${port}`, '--hoiio-url', providerUrl, '--store', spec],
        env,
        port,
        join(tmp, `engine-${store}.log`),
        serverCpu,
      );
      servers.push(server);
      targets.push({ name: `callscript (${store})`, server, rounds: [] });
    };
    const basePort = await freePort();
    const baseline = !o.suites.includes('hoiio') ? undefined : await startServerProcess(
      'baseline',
      [...nodeArgs, here('./baseline/main.js')],
      { ...env, PORT: String(basePort), HOIIO_API_URL: providerUrl, PUBLIC_URL: `http://127.0.0.1:${basePort}` },
      basePort,
      join(tmp, 'baseline.log'),
      serverCpu,
    );
    if (baseline !== undefined) {
      servers.push(baseline);
      targets.push({ name: 'hand-written (Map)', server: baseline, rounds: [] });
    }
    for (const store of baseline === undefined ? [] : o.stores) {
      if (store === 'memory') await startEngine('memory', 'memory');
      else if (store === 'sqlite') await startEngine('sqlite', `sqlite:${join(tmp, 'sessions.db')}`);
      else if (store === 'redis' && redis !== undefined) await startEngine('redis', `${redis.url}/0?prefix=bench:`);
      else if (store !== 'redis') throw new Error(`unknown store "${store}"`);
    }

    for (const target of targets) {
      process.stdout.write(`warming up ${target.name}… `);
      const warm = await measure(target, provider, load, providerUrl, o, o.warmup);
      console.log(`${warm.calls} calls${warm.failed > 0 ? `, ${warm.failed} FAILED ${JSON.stringify(warm.errors)}` : ''}`);
    }
    for (let r = 0; r < o.rounds; r++) {
      const order = [...targets.slice(r % targets.length), ...targets.slice(0, r % targets.length)];
      for (const target of order) {
        const result = await measure(target, provider, load, providerUrl, o, o.seconds);
        target.rounds.push(result);
        console.log(
          `round ${r + 1}/${o.rounds} ${target.name.padEnd(22)} ${round(result.stepsPerSecond, 0)} steps/s, ` +
            `${round(result.cpuMsPerCall, 3)} CPU ms/call, p99 ${round(result.p99Ms, 2)} ms` +
            (result.failed > 0 ? `, ${result.failed} FAILED ${JSON.stringify(result.errors)}` : ''),
        );
      }
    }
  } finally {
    for (const t of targets) (t as { peakRss?: number }).peakRss = peakRss(t.server.pid);
    await Promise.all(servers.map((s) => s.stop()));
    await provider.stop();
    await load.stop();
    await redis?.stop();
  }

  let twiml: TwimlReport | undefined;
  if (o.suites.includes('twiml')) {
    console.log('\nTwiML round: examples/acme.yaml on callscript serve --provider twilio against a hand-written Hono handler, a load generator playing Twilio…');
    twiml = await runTwimlRound({
      rounds: o.rounds,
      seconds: o.seconds,
      warmup: o.warmup,
      concurrency: o.concurrency,
      logLevel: o.logLevel,
      serverCpu,
      nodeArgs,
      dir: tmp,
      cli: CLI,
      script: join(ROOT, 'examples', 'acme.yaml'),
      floor: o.floor,
    });
  }

  if (o.extras) console.log('\nparked calls, compile time, validate time and reload latency (fresh processes)…');
  const parked: ParkedResult[] = o.extras ? o.parked.map((n) => runChild<ParkedResult>('./parked.js', [String(n)], ['--expose-gc', '--max-old-space-size=4096'])) : [];
  const compile = o.extras ? runChild<CompileTimeResult>('./compile-time.js', []) : undefined;
  const validate = o.extras ? runChild<ValidateTimeResult>('./validate-time.js', ['15']) : undefined;
  const reload = o.extras ? runChild<ReloadResult>('./reload.js', ['10']) : undefined;

  // ---- report
  const summaries = targets.map((t) => ({ name: t.name, s: summary(t.rounds), peakRss: (t as { peakRss?: number }).peakRss ?? Number.NaN, log: countLogLevels(join(tmp, t.server.name === 'baseline' ? 'baseline.log' : `engine-${t.server.name.slice(7)}.log`)) }));
  const base = summaries.find((s) => s.name.startsWith('hand-written'));
  if (summaries.length > 0) console.log(`\nmedians of ${o.rounds} rounds of ${o.seconds} s, ${o.concurrency} calls at once:`);
  if (summaries.length > 0) console.log(
    table(
      ['server', 'calls/s', 'steps/s', 'CPU ms/call', 'CPU s/1k steps', 'p50 ms', 'p95 ms', 'p99 ms', 'peak RSS MB', 'failed'],
      summaries.map(({ name, s, peakRss: rss }) => [
        name,
        round(s.callsPerSecond, 0),
        round(s.stepsPerSecond, 0),
        round(s.cpuMsPerCall, 3),
        round(s.cpuSecondsPer1000Steps, 3),
        round(s.p50Ms, 2),
        round(s.p95Ms, 2),
        round(s.p99Ms, 2),
        round(rss / 2 ** 20, 0),
        s.failed,
      ]),
    ),
  );
  /** `met` undefined: the run could not judge the target (the value says why). */
  const verdicts: Array<{ target: string; value: string; met: boolean | undefined }> = [];
  if (base !== undefined) {
    // Each round of a server is compared with the hand-written handler's round next to it, and the
    // median of those ratios is taken: background load moves both servers of a round alike.
    const roundsOf = (name: string): readonly RoundResult[] => targets.find((t) => t.name === name)?.rounds ?? [];
    const paired = (name: string, f: (r: RoundResult) => number): number => {
      const mine = roundsOf(name);
      const theirs = roundsOf(base.name);
      return median(mine.map((r, i) => f(r) / f(theirs[i] ?? r)).filter((x) => Number.isFinite(x)));
    };
    const times = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');
    console.log('\nratios to the hand-written handler (callscript ÷ hand-written; median of the ratios of neighbouring rounds):');
    console.log(
      table(
        ['server', 'steps/s', 'CPU per call', 'p50', 'p99', 'peak RSS'],
        summaries
          .filter((s) => s !== base)
          .map(({ name, peakRss: rss }) => [
            name,
            times(paired(name, (r) => r.stepsPerSecond)),
            times(paired(name, (r) => r.cpuMsPerCall)),
            times(paired(name, (r) => r.p50Ms)),
            times(paired(name, (r) => r.p99Ms)),
            ratio(rss, base.peakRss),
          ]),
      ),
    );
    const mem = summaries.find((s) => s.name === 'callscript (memory)');
    if (mem !== undefined) {
      const cpu = paired(mem.name, (r) => r.cpuMsPerCall);
      const sps = paired(mem.name, (r) => r.stepsPerSecond);
      const p99 = paired(mem.name, (r) => r.p99Ms);
      verdicts.push({ target: 'memory store: CPU per call ≤ 1.0× hand-written', value: `${cpu.toFixed(2)}×`, met: cpu <= 1.0 });
      verdicts.push({ target: 'memory store: steps/s ≥ 1.0× hand-written', value: `${sps.toFixed(2)}×`, met: sps >= 1.0 });
      verdicts.push({ target: 'memory store: p99 ≤ 1.5× hand-written', value: `${p99.toFixed(2)}×`, met: p99 <= 1.5 });
    }
    const sqlite = summaries.find((s) => s.name === 'callscript (sqlite)');
    if (sqlite !== undefined) {
      const sps = paired(sqlite.name, (r) => r.stepsPerSecond);
      verdicts.push({ target: 'SQLite store: steps/s ≥ 0.6× hand-written', value: `${sps.toFixed(2)}×`, met: sps >= 0.6 });
    }
  }
  if (twiml !== undefined) {
    console.log(`\nTwiML round (acme on Twilio): medians of ${o.rounds} rounds of ${o.seconds} s, ${o.concurrency} calls at once, 6 TwiML webhooks and a status callback per call:`);
    console.log(
      table(
        ['server', 'calls/s', 'CPU ms/call', 'CPU busy %', 'load gen busy %', 'p50 ms', 'p99 ms', 'peak RSS MB', 'failed'],
        twiml.targets.map((t) => [
          t.name,
          round(median(t.rounds.map((r) => r.callsPerSecond)), 0),
          round(median(t.rounds.map((r) => r.cpuMsPerCall)), 3),
          round(busyPercent(t), 0),
          round(busyPercent(t, (r) => r.loadCpuSeconds), 0),
          round(median(t.rounds.map((r) => r.p50Ms)), 2),
          round(median(t.rounds.map((r) => r.p99Ms)), 2),
          round(t.peakRss / 2 ** 20, 0),
          t.rounds.reduce((n, r) => n + r.failed, 0),
        ]),
      ),
    );
    const times = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');
    const within = ([lo, hi]: readonly [number, number]): string => (Number.isFinite(lo) && Number.isFinite(hi) ? ` (95 % interval ${lo.toFixed(2)}–${hi.toFixed(2)})` : '');
    console.log(
      `callscript ÷ hand-written (median of the ratios of neighbouring rounds): CPU per call ${times(twiml.cpuRatio)}${within(twiml.cpuRatioInterval)}, ` +
        `calls/s ${times(twiml.callsPerSecondRatio)}${within(twiml.callsPerSecondRatioInterval)}, p99 ${times(twiml.p99Ratio)}`,
    );
    console.log(
      `  over the ${twiml.cpuBound.pairs} of ${o.rounds} pairs of rounds in which both servers used ≥ ${CPU_BOUND * 100} % of their CPU: ` +
        `CPU per call ${times(twiml.cpuBound.cpuRatio)}, calls/s ${times(twiml.cpuBound.callsPerSecondRatio)}`,
    );
    const waiting = twiml.targets.filter((t) => !t.name.startsWith('floor') && busyPercent(t) < CPU_BOUND * 100);
    if (waiting.length > 0) {
      // A server that waits for its next request spends part of each wait waking up for it, and that
      // counts in its CPU per call: the ratio then says less about the work each server does.
      console.log(
        `note: ${waiting.map((t) => t.name).join(' and ')} used less than 95 % of a CPU in the median round: they waited for requests, paced by the load generator or too few calls at once ` +
          '(docs/performance.md, "The twelfth look")',
      );
    }
    if (twiml.floorCpuRatio !== undefined && twiml.floorCallsPerSecondRatio !== undefined) {
      console.log(
        `floor ÷ hand-written (the adapter with the per-call runtime replayed): CPU per call ${times(twiml.floorCpuRatio)}, ` +
          `calls/s ${times(twiml.floorCallsPerSecondRatio)}`,
      );
    }
    // When callscript mostly waited for the load generator, its CPU per call includes waking for each
    // request and its calls/s is the load generator's pace for its traffic: neither measures the server,
    // so the run judges neither goal. A callscript slower than the handler runs at full CPU and is judged.
    const engineBound = twiml.cpuBound.engineRounds;
    const judged = engineBound * 2 >= o.rounds;
    const unjudged = judged ? '' : ` (not judged: callscript used ≥ ${CPU_BOUND * 100} % of its CPU in only ${engineBound} of ${o.rounds} rounds: it waited for requests, so neither figure measures the server alone)`;
    verdicts.push({
      target: 'TwiML (twilio, memory): CPU per call ≤ 1.0× hand-written',
      value: `${times(twiml.cpuRatio)}${within(twiml.cpuRatioInterval)}${unjudged}`,
      met: judged ? twiml.cpuRatio <= 1.0 : undefined,
    });
    verdicts.push({
      target: 'TwiML (twilio, memory): calls/s ≥ 1.0× hand-written',
      value: `${times(twiml.callsPerSecondRatio)}${within(twiml.callsPerSecondRatioInterval)}${unjudged}`,
      met: judged ? twiml.callsPerSecondRatio >= 1.0 : undefined,
    });
  }
  if (parked.length > 0) {
    console.log('\nmemory per parked call (memory store, calls waiting at a gather, heap + external after GC):');
    console.log(
      table(
        ['parked calls', 'bytes/call', 'heap', 'external', 'parked at gather'],
        parked.map((p) => [p.calls, p.bytesPerCall, p.heapBytesPerCall, p.externalBytesPerCall, p.parkedAtGather]),
      ),
    );
  }
  for (const p of parked) verdicts.push({ target: `≤ 1 KB per parked call (${p.calls.toLocaleString('en-US')})`, value: `${p.bytesPerCall} B`, met: p.bytesPerCall <= 1024 });
  if (compile !== undefined && validate !== undefined && reload !== undefined) {
    console.log('\nvalidate + compile:');
    console.log(
      table(
        ['input', 'size KB', 'first in process ms', 'warm ms'],
        [
          [`1 script, ${compile.largeSteps} steps`, round(compile.largeBytes / 1024, 0), round(compile.largeFirstMs, 0), round(compile.largeWarmMs, 0)],
          [`${compile.folderScripts} scripts (loadScripts)`, round(compile.folderBytes / 1024, 0), round(compile.folderMs, 0), '—'],
        ],
      ),
    );
    console.log(`(loading the compiler: ${round(compile.moduleLoadMs, 0)} ms)`);
    console.log(
      `\`callscript validate examples/\` in a fresh process: ${round(validate.validateMs, 0)} ms, \`node -e 0\`: ${round(validate.nodeMs, 0)} ms ` +
        `(medians of ${validate.rounds} alternating rounds; ratio ${validate.ratio.toFixed(2)}×, the median of the rounds' ratios)`,
    );
    verdicts.push({ target: '`validate examples/` ≤ 3× `node -e 0` (wall, fresh processes)', value: `${validate.ratio.toFixed(2)}×`, met: validate.ratio <= 3 });
    verdicts.push({ target: '1,000-step script compiled in < 300 ms (warm)', value: `${round(compile.largeWarmMs, 0)} ms`, met: compile.largeWarmMs < 300 });
    verdicts.push({ target: '1,000-step script compiled in < 300 ms (first in process)', value: `${round(compile.largeFirstMs, 0)} ms`, met: compile.largeFirstMs < 300 });
    console.log(`\nreload latency (file saved → new calls on the new version), ${reload.rounds} saves: median ${round(reload.medianMs, 0)} ms, p90 ${round(reload.p90Ms, 0)} ms, max ${round(reload.maxMs, 0)} ms`);
  }
  for (const [store, reason] of Object.entries(skipped)) console.log(`(${store} skipped: ${reason})`);
  console.log('\ntargets:');
  for (const v of verdicts) console.log(`  ${v.met === undefined ? 'n/a   ' : v.met ? 'met   ' : 'MISSED'}  ${v.target}: ${v.value}`);
  const failed = summaries.reduce((n, s) => n + s.s.failed, 0) + (twiml?.targets ?? []).reduce((n, t) => n + t.rounds.reduce((m, r) => m + r.failed, 0), 0);
  if (failed > 0) console.log(`\nWARNING: ${failed} calls failed during the rounds (see the errors above and the logs in ${tmp})`);
  const loadAtEnd = loadavg().map((l) => round(l, 2));
  console.log(`load average at start ${(info.loadAverageAtStart as number[]).join(' ')}, at end ${loadAtEnd.join(' ')}`);

  const results = {
    date: new Date().toISOString(),
    machine: { ...info, loadAverageAtEnd: loadAtEnd },
    config: { ...o, out: undefined, blocksPerCall: BLOCKS_PER_CALL },
    servers: Object.fromEntries(
      summaries.map(({ name, s, peakRss: rss, log }) => [
        name,
        { median: s, peakRssBytes: rss, logLines: log, rounds: targets.find((t) => t.name === name)?.rounds ?? [] },
      ]),
    ),
    twiml,
    parked,
    compile,
    validate,
    reload,
    skipped,
    verdicts,
  };
  writeFileSync(resolve(o.out), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${o.out}`);
  if (failed === 0) rmSync(tmp, { recursive: true, force: true });
}

await main();
