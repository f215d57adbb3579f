/**
 * The TwiML round of `npm run bench`: examples/acme.yaml on callscript's `twilio`
 * adapter (`callscript serve --provider twilio`, memory store) against the same
 * flow written by hand (bench/twiml/handler.ts), alternating in the same run,
 * driven by a load generator that plays Twilio (bench/twiml/load.ts). Measured
 * as the Hoiio rounds are: CPU time of the server process from /proc around each
 * round, calls completed per second, the median of the per-round ratios.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, forkWorker, freePort, peakRss, pin, startServerProcess, type ServerProcess, type Worker } from '../lib/proc.js';
import { median, medianInterval, quantile, round } from '../lib/stats.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './flow.js';
import type { TwimlLoadResult } from './load.js';

/** A server that used this share of a CPU in a round did not wait for the load generator. */
export const CPU_BOUND = 0.95;

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export interface TwimlRoundOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly concurrency: number;
  readonly logLevel: string;
  /** The CPU the servers share, one at a time (the load generator gets CPU 0); undefined: no pinning. */
  readonly serverCpu: number | undefined;
  /** node flags for the servers and the load generator (CPU profiles). */
  readonly nodeArgs: readonly string[];
  /** Where logs and the script go. */
  readonly dir: string;
  /** bin/callscript.js */
  readonly cli: string;
  /** examples/acme.yaml */
  readonly script: string;
  /** Also run the floor (bench/twiml/floor.ts): the adapter with the per-call runtime replayed. */
  readonly floor?: boolean;
}

export interface TwimlRound {
  readonly calls: number;
  readonly failed: number;
  readonly steps: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly cpuSeconds: number;
  readonly cpuMsPerCall: number;
  /** CPU time of the load generator in the same round: near a whole CPU, it set the pace. */
  readonly loadCpuSeconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly recordings: number;
  readonly errors: Record<string, number>;
}

export interface TwimlTarget {
  readonly name: string;
  readonly rounds: TwimlRound[];
  peakRss: number;
}

export interface TwimlReport {
  readonly targets: readonly TwimlTarget[];
  /** callscript ÷ hand-written, the median of the ratios of neighbouring rounds. */
  readonly cpuRatio: number;
  readonly callsPerSecondRatio: number;
  /** The 95 % bootstrap intervals of those two medians (`medianInterval`). */
  readonly cpuRatioInterval: readonly [number, number];
  readonly callsPerSecondRatioInterval: readonly [number, number];
  readonly p99Ratio: number;
  /**
   * The same two ratios over only the pairs of rounds in which both servers used at least 95 % of
   * their CPU: where neither waited for the load generator. The verdicts use all rounds.
   */
  readonly cpuBound: {
    /** Pairs of rounds with both servers at full CPU, which the two ratios here are over. */
    readonly pairs: number;
    /** callscript's rounds at full CPU: fewer than half, and the run does not judge the goals. */
    readonly engineRounds: number;
    readonly cpuRatio: number;
    readonly callsPerSecondRatio: number;
  };
  /** With `floor`: the floor ÷ hand-written, CPU per call and calls/s. */
  readonly floorCpuRatio?: number;
  readonly floorCallsPerSecondRatio?: number;
}

async function measure(server: ServerProcess, load: Worker, o: TwimlRoundOptions, paths: { voice: string; status: string }, seconds: number): Promise<TwimlRound> {
  const cpu0 = cpuSeconds(server.pid);
  const loadCpu0 = cpuSeconds(load.child.pid ?? 0);
  const { result } = await load.ask<{ result: TwimlLoadResult }>(
    { cmd: 'run', voiceUrl: `${server.url}${paths.voice}`, statusUrl: `${server.url}${paths.status}`, concurrency: o.concurrency, seconds },
    'done',
  );
  const cpu = cpuSeconds(server.pid) - cpu0;
  const loadCpu = cpuSeconds(load.child.pid ?? 0) - loadCpu0;
  const elapsed = result.elapsedMs / 1000;
  // Each call's recording notice starts one recording over REST; a server that skipped it did less work.
  const unrecorded = Math.max(0, result.completed - result.recordings);
  const errors = unrecorded > 0 ? { ...result.errors, 'no recording started over REST': unrecorded } : result.errors;
  return {
    calls: result.completed - unrecorded,
    failed: result.failed + unrecorded,
    steps: result.steps,
    seconds: elapsed,
    callsPerSecond: result.completed / elapsed,
    cpuSeconds: cpu,
    cpuMsPerCall: (cpu * 1000) / Math.max(1, result.completed),
    loadCpuSeconds: loadCpu,
    p50Ms: quantile(result.latencies, 0.5),
    p99Ms: quantile(result.latencies, 0.99),
    recordings: result.recordings,
    errors,
  };
}

export async function runTwimlRound(o: TwimlRoundOptions): Promise<TwimlReport> {
  const scripts = join(o.dir, 'twiml-scripts');
  mkdirSync(scripts, { recursive: true });
  copyFileSync(o.script, join(scripts, 'acme.yaml'));
  const { worker: load, ready } = await forkWorker(here('./load.js'), o.nodeArgs);
  if (o.serverCpu !== undefined) pin(load.child.pid ?? 0, 0);
  const apiUrl = String(ready.apiUrl);
  const env = { LOG_LEVEL: o.logLevel, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_API_URL: apiUrl };
  const servers: Array<{ target: TwimlTarget; server: ServerProcess; paths: { voice: string; status: string } }> = [];
  try {
    const handlerPort = await freePort();
    const handler = await startServerProcess(
      'twiml-handler',
      [...o.nodeArgs, here('./handler.js')],
      { ...env, PORT: String(handlerPort), PUBLIC_URL: `http://127.0.0.1:${handlerPort}` },
      handlerPort,
      join(o.dir, 'twiml-handler.log'),
      o.serverCpu,
    );
    servers.push({ target: { name: 'hand-written TwiML (Hono)', rounds: [], peakRss: Number.NaN }, server: handler, paths: { voice: '/voice', status: '/status' } });
    const enginePort = await freePort();
    const engine = await startServerProcess(
      'twiml-engine',
      [
        ...o.nodeArgs,
        o.cli,
        'serve',
        scripts,
        '--provider',
        'twilio',
        '--provider-api-url',
        apiUrl,
        '--port',
        String(enginePort),
        '--host',
        '127.0.0.1',
        '--public-url',
        `http://127.0.0.1:${enginePort}`,
        '--store',
        'memory',
      ],
      env,
      enginePort,
      join(o.dir, 'twiml-engine.log'),
      o.serverCpu,
    );
    servers.push({ target: { name: 'callscript (twilio, memory)', rounds: [], peakRss: Number.NaN }, server: engine, paths: { voice: '/twilio/voice', status: '/twilio/status' } });
    if (o.floor === true) {
      const floorPort = await freePort();
      const floor = await startServerProcess(
        'twiml-floor',
        [...o.nodeArgs, here('./floor.js')],
        { ...env, PORT: String(floorPort), PUBLIC_URL: `http://127.0.0.1:${floorPort}`, SCRIPT: join(scripts, 'acme.yaml') },
        floorPort,
        join(o.dir, 'twiml-floor.log'),
        o.serverCpu,
      );
      servers.push({ target: { name: 'floor (runtime replayed)', rounds: [], peakRss: Number.NaN }, server: floor, paths: { voice: '/twilio/voice', status: '/twilio/status' } });
    }

    for (const s of servers) {
      process.stdout.write(`warming up ${s.target.name}… `);
      const warm = await measure(s.server, load, o, s.paths, o.warmup);
      console.log(`${warm.calls} calls${warm.failed > 0 ? `, ${warm.failed} FAILED ${JSON.stringify(warm.errors)}` : ''}`);
    }
    for (let r = 0; r < o.rounds; r++) {
      // Alternate which server goes first, so drift in the machine's speed falls on both alike.
      const order = r % 2 === 0 ? servers : [...servers].reverse();
      for (const s of order) {
        const result = await measure(s.server, load, o, s.paths, o.seconds);
        s.target.rounds.push(result);
        console.log(
          `twiml round ${r + 1}/${o.rounds} ${s.target.name.padEnd(28)} ${round(result.callsPerSecond, 0)} calls/s, ` +
            `${round(result.cpuMsPerCall, 3)} CPU ms/call, p99 ${round(result.p99Ms, 2)} ms` +
            (result.failed > 0 ? `, ${result.failed} FAILED ${JSON.stringify(result.errors)}` : ''),
        );
      }
    }
  } finally {
    for (const s of servers) s.target.peakRss = peakRss(s.server.pid);
    await Promise.all(servers.map((s) => s.server.stop()));
    await load.stop();
  }
  const [base, engine, floor] = servers.map((s) => s.target);
  const busy = (r: TwimlRound | undefined): boolean => r !== undefined && r.cpuSeconds / r.seconds >= CPU_BOUND;
  const bothBusy = (i: number): boolean => busy(engine?.rounds[i]) && busy(base?.rounds[i]);
  const ratios = (f: (r: TwimlRound) => number, of: TwimlTarget | undefined = engine, keep: (i: number) => boolean = () => true): number[] =>
    base === undefined || of === undefined
      ? []
      : of.rounds.flatMap((r, i) => (keep(i) ? [f(r) / f(base.rounds[i] ?? r)] : [])).filter((x) => Number.isFinite(x));
  // median and medianInterval are NaN for no rounds.
  const paired = (f: (r: TwimlRound) => number, of: TwimlTarget | undefined = engine): number => median(ratios(f, of));
  const cpu = ratios((r) => r.cpuMsPerCall);
  const callsPerSecond = ratios((r) => r.callsPerSecond);
  return {
    targets: servers.map((s) => s.target),
    cpuRatio: median(cpu),
    callsPerSecondRatio: median(callsPerSecond),
    cpuRatioInterval: medianInterval(cpu),
    callsPerSecondRatioInterval: medianInterval(callsPerSecond),
    p99Ratio: paired((r) => r.p99Ms),
    cpuBound: {
      pairs: (engine?.rounds ?? []).filter((_, i) => bothBusy(i)).length,
      engineRounds: (engine?.rounds ?? []).filter((r) => busy(r)).length,
      cpuRatio: median(ratios((r) => r.cpuMsPerCall, engine, bothBusy)),
      callsPerSecondRatio: median(ratios((r) => r.callsPerSecond, engine, bothBusy)),
    },
    ...(floor !== undefined
      ? { floorCpuRatio: paired((r) => r.cpuMsPerCall, floor), floorCallsPerSecondRatio: paired((r) => r.callsPerSecond, floor) }
      : {}),
  };
}
