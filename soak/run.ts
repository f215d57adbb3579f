/**
 * The soak: the real engine (`startServer`, the build in dist/, in this process)
 * against the Hoiio simulator in its own process, at a steady call rate, with
 * provider latency spikes, provider errors (not ready, rate limited, internal
 * error), HTTP 502s, connection resets and hangs past the timeout (some losing the
 * answer of a block that did run), duplicated, delayed and reordered
 * notifications, callers hanging up at random points, outbound calls and forged
 * notifications. Every call is then checked against the invariants
 * (soak/invariants.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { Pool } from 'undici';
import { fromDist } from '../bench/lib/dist.js';
import { checkInvariants, type MemoryEvidence } from './invariants.js';
import { SOAK_NUMBERS, SOAK_SCRIPTS } from './scripts.js';
import { SOAK_ACCESS_TOKEN, SOAK_APP_ID, type EngineCall, type ForgeOutcome, type Invariant, type SimReport } from './types.js';

export interface SoakOptions {
  /** How long calls are started for (seconds); the soak then waits for them to end. */
  readonly seconds: number;
  /** New calls per second (inbound and outbound together). */
  readonly rate: number;
  readonly seed: string;
  /** `--store` of the engine: memory (default), sqlite:<file>, redis://… */
  readonly store: string;
  /** The engine's per-request timeout to the provider (ms); `hang` faults run past it. */
  readonly hoiioTimeoutMs: number;
  /** Share of calls placed outbound through POST /calls. */
  readonly outboundShare: number;
  /** A forged notification every this many ms. */
  readonly forgeEveryMs: number;
  /** Progress lines (stderr by default). */
  readonly progress?: (line: string) => void;
}

export const DEFAULT_SOAK: SoakOptions = {
  seconds: 60,
  rate: 20,
  seed: '1',
  store: 'memory',
  hoiioTimeoutMs: 1_000,
  outboundShare: 0.15,
  forgeEveryMs: 250,
};

export interface SoakResult {
  readonly ok: boolean;
  readonly invariants: readonly Invariant[];
  readonly calls: { readonly simulated: number; readonly engine: number; readonly inbound: number; readonly outbound: number; readonly outboundRefused: number };
  readonly endReasons: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly injected: Readonly<Record<string, number>>;
  readonly forged: Readonly<Record<string, number>>;
  readonly memory?: MemoryEvidence;
  readonly seconds: number;
  readonly logFile: string;
}

const API_TOKEN = 'soak-api-token';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A GC function whether or not node was started with --expose-gc. */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heapAfterGc(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

class SimulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(seed: string): Promise<SimulatorProcess> {
    const module = fileURLToPath(new URL('./simulator-process.js', import.meta.url));
    const child = fork(module, [], { env: { ...process.env, SOAK_SEED: seed }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await reply<{ url: string }>(child, undefined, 'ready');
    return new SimulatorProcess(child, ready.url);
  }

  ask<T>(message: object, type: string): Promise<T> {
    return reply<T>(this.child, message, type);
  }

  send(message: object): void {
    this.child.send(message);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      this.child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.child.send({ cmd: 'exit' });
    });
  }
}

function reply<T>(child: ChildProcess, message: object | undefined, type: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type?: string }): void => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null): void => {
      child.off('message', onMessage);
      reject(new Error(`the simulator process exited (${code}) while the soak waited for "${type}"`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== undefined) child.send(message);
  });
}

export async function runSoak(options: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const o: SoakOptions = { ...DEFAULT_SOAK, ...options };
  const say = o.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { startServer } = await fromDist<typeof import('../src/server/start.js')>('server/start.js');
  const { loadScripts } = await fromDist<typeof import('../src/script-files/load.js')>('script-files/load.js');
  const { createLogger } = await fromDist<typeof import('../src/log/logger.js')>('log/logger.js');

  const tmp = mkdtempSync(join(tmpdir(), 'callscript-soak-'));
  for (const [file, text] of Object.entries(SOAK_SCRIPTS)) writeFileSync(join(tmp, file), text);
  const loaded = await loadScripts([tmp]);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) throw new Error(`soak scripts do not validate: ${loaded.diagnostics[0]?.message ?? ''}`);

  const crashes: string[] = [];
  const onRejection = (reason: unknown): void => void crashes.push(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  const onException = (err: Error): void => void crashes.push(`uncaught exception: ${err.stack ?? err.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);

  const engine = new Map<string, EngineCall>();
  const logFile = join(tmp, 'engine.log');
  const log = createLogger({ level: 'info', destination: pino.destination({ dest: logFile, sync: false, mkdir: true }) });
  const sim = await SimulatorProcess.start(o.seed);
  const server = await startServer({
    config: {
      port: 0,
      host: '127.0.0.1',
      hoiio: { baseUrl: sim.url, appId: SOAK_APP_ID, accessToken: SOAK_ACCESS_TOKEN, timeoutMs: o.hoiioTimeoutMs, signatureMode: 'enforce' },
      apiToken: API_TOKEN,
      maxBodyBytes: 65_536,
      maxSteps: 200,
      store: { spec: o.store, endedRetentionMs: 500 },
    },
    scripts: loaded.scripts,
    log,
    hooks: {
      callStarted: (state) => void engine.set(state.id, { id: state.id, session: state.session, direction: state.direction, script: state.script, outcome: null }),
      callEnded: (state, outcome) => {
        const call = engine.get(state.id);
        if (call === undefined) return;
        call.outcome = outcome;
        call.session = state.session;
      },
    },
  });
  await sim.ask({ cmd: 'target', url: `${server.url}/hoiio/incoming` }, 'target');
  const api = new Pool(server.url, { connections: 16 });
  const gc = gcFunction();
  const started = performance.now();
  let inbound = 0;
  let outbound = 0;
  let outboundRefused = 0;
  let callIndex = 0;

  /** Starts calls at the steady rate for `seconds`, forging notifications along the way. */
  const drive = async (seconds: number): Promise<void> => {
    const until = performance.now() + seconds * 1000;
    const every = 1000 / o.rate;
    let next = performance.now();
    let nextForge = performance.now() + o.forgeEveryMs;
    const pending: Array<Promise<unknown>> = [];
    while (performance.now() < until) {
      const i = callIndex++;
      // A fixed pattern (not Math.random): the same seed gives the same mix of calls.
      if ((i * 7919) % 1000 < o.outboundShare * 1000) {
        outbound++;
        const to = `+659${String(1_000_000 + (i % 9_000_000)).slice(-7)}`;
        pending.push(
          api
            .request({
              path: '/calls',
              method: 'POST',
              headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
              body: JSON.stringify({ script: 'reminder', to, vars: { name: `Caller ${i}` } }),
            })
            .then(async (res) => {
              await res.body.dump();
              if (res.statusCode !== 202) outboundRefused++;
            })
            .catch(() => void outboundRefused++),
        );
      } else {
        inbound++;
        sim.send({ cmd: 'ring', to: SOAK_NUMBERS[i % SOAK_NUMBERS.length] });
      }
      if (performance.now() >= nextForge) {
        nextForge += o.forgeEveryMs;
        pending.push(sim.ask<{ outcome: ForgeOutcome | null }>({ cmd: 'forge' }, 'forged'));
      }
      next += every;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(pending);
  };

  /** Waits until the simulator has no call up (bounded), then until the engine is idle. */
  const settle = async (): Promise<void> => {
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      const { n } = await sim.ask<{ n: number }>({ cmd: 'live' }, 'live');
      if (n === 0) break;
      await sleep(250);
    }
    await server.runner.drain();
    // Past the ended-call retention, the sweep forgets ended calls.
    await sleep(600);
    await server.runner.sweep();
  };

  let memory: MemoryEvidence | undefined;
  let simReport: SimReport;
  try {
    const warmup = Math.min(5, Math.max(1, o.seconds / 10));
    say(`soak: warming up for ${warmup} s`);
    await drive(warmup);
    await settle();
    const startBytes = await heapAfterGc(gc);
    say(`soak: ${o.rate} calls/s for ${o.seconds} s (seed ${o.seed}, store ${o.store}, provider timeout ${o.hoiioTimeoutMs} ms)`);
    const progress = setInterval(() => say(`soak: ${Math.round((performance.now() - started) / 1000)} s, ${callIndex} calls started`), 10_000);
    try {
      await drive(o.seconds);
    } finally {
      clearInterval(progress);
    }
    say('soak: waiting for the last calls to end');
    await settle();
    const endBytes = await heapAfterGc(gc);
    const active = await server.store.active({ limit: 100_000 });
    const tracked = server.scripts.held().reduce((n, h) => n + h.calls, 0);
    memory = {
      startBytes,
      endBytes,
      allowedGrowthBytes: 8 * 2 ** 20,
      leftovers: { 'calls active in the store': active.length, 'calls tracked by the script registry': tracked },
    };
    simReport = (await sim.ask<{ report: SimReport }>({ cmd: 'report' }, 'report')).report;
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
  let serverAlive = false;
  try {
    serverAlive = (await fetch(`${server.url}/healthz`)).ok;
  } catch {
    serverAlive = false;
  }
  await api.close();
  await server.close();
  await sim.stop();
  log.flush();

  const invariants = checkInvariants({ sim: simReport, engine: [...engine.values()], crashes, serverAlive, memory });
  const tally = (values: Iterable<string>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const v of values) out[v] = (out[v] ?? 0) + 1;
    return out;
  };
  const ok = invariants.every((i) => i.broken === 0);
  if (ok) rmSync(tmp, { recursive: true, force: true });
  return {
    ok,
    invariants,
    calls: { simulated: simReport.calls.length, engine: engine.size, inbound, outbound, outboundRefused },
    endReasons: tally(simReport.calls.map((c) => c.endReason ?? 'still up')),
    outcomes: tally([...engine.values()].map((c) => c.outcome ?? 'not ended')),
    injected: simReport.injected,
    forged: tally(simReport.forged.map((f) => `${f.kind} → ${f.status}`)),
    memory,
    seconds: (performance.now() - started) / 1000,
    logFile: ok ? '(removed: every invariant held)' : logFile,
  };
}
