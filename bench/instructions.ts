/**
 * The TwiML round counted in instructions instead of CPU time: each server (the
 * hand-written handler, the floor, callscript) runs under Valgrind's callgrind,
 * is warmed up uninstrumented, then instrumented for a fixed stretch of the same
 * load, and the instructions it executed (every thread, user space) are divided
 * by the calls it completed; the main thread's share is shown apart. With
 * `--branch-sim=yes` callgrind also counts branches and the ones its simple
 * predictor misses.
 *
 * Why: CPU time on a shared host moves by ±20 % between identical runs, which
 * hides the few percent one change is worth. The main thread's instructions
 * repeat within half a percent; all threads' within about 5 %, since how much
 * V8's worker threads collect varies. They are not time: kernel work, cache and
 * TLB misses and the real branch predictor are not in them (docs/performance.md,
 * "The sixth look" and "The seventh look").
 *
 *   npm run bench:instructions [-- --targets handler,floor,callscript --warmup 40 --seconds 30 --concurrency 8]
 *
 * Needs `valgrind` (Debian's package); without it, says so and exits 0.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { forkWorker, freePort, type Worker } from './lib/proc.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './twiml/flow.js';
import type { TwimlLoadResult } from './twiml/load.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const root = process.cwd();

const { values } = parseArgs({
  options: { targets: { type: 'string' }, warmup: { type: 'string' }, seconds: { type: 'string' }, concurrency: { type: 'string' } },
});
const targets = (values.targets ?? 'handler,floor,callscript').split(',').map((t) => t.trim());
const warmup = Number(values.warmup ?? 40);
const seconds = Number(values.seconds ?? 30);
const concurrency = Number(values.concurrency ?? 8);

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Counted {
  readonly target: string;
  readonly calls: number;
  readonly failed: number;
  /** Per call: instructions, conditional branches and their mispredictions, indirect branches and theirs. */
  readonly perCall: Readonly<Record<string, number>>;
}

/** The event totals of a callgrind dump (`events:` names them, `summary:` or `totals:` counts them). */
function dumpTotals(text: string): Record<string, number> {
  const names = /^events: (.*)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
  const counts = (/^summary: (.*)$/m.exec(text) ?? /^totals: (.*)$/m.exec(text))?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  return Object.fromEntries(names.map((name, i) => [name, counts[i] ?? 0]));
}

async function count(target: string, load: Worker, apiUrl: string, dir: string): Promise<Counted> {
  const port = await freePort();
  const scripts = join(dir, 'scripts');
  const env = {
    ...process.env,
    LOG_LEVEL: 'info',
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_URL: apiUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SCRIPT: join(scripts, 'acme.yaml'),
  };
  const args =
    target === 'callscript'
      ? [join(root, 'bin', 'callscript.js'), 'serve', scripts, '--provider', 'twilio', '--provider-api-url', apiUrl, '--port', String(port), '--host', '127.0.0.1', '--public-url', `http://127.0.0.1:${port}`, '--store', 'memory']
      : [here(target === 'floor' ? './twiml/floor.js' : './twiml/handler.js')];
  const out = openSync(join(dir, `${target}.log`), 'w');
  const prefix = join(dir, `callgrind.${target}`);
  const child = spawn(
    'valgrind',
    // One dump per thread: the main thread's count repeats within a fraction of a percent, V8's worker threads' (the collector) vary by tens of percent.
    ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', '--branch-sim=yes', '--separate-threads=yes', `--callgrind-out-file=${prefix}.%p`, process.execPath, ...args],
    { env, stdio: ['ignore', out, out] },
  );
  const url = `http://127.0.0.1:${port}`;
  const paths = target === 'handler' ? { voice: '/voice', status: '/status' } : { voice: '/twilio/voice', status: '/twilio/status' };
  const run = async (s: number): Promise<TwimlLoadResult> =>
    (await load.ask<{ result: TwimlLoadResult }>({ cmd: 'run', voiceUrl: url + paths.voice, statusUrl: url + paths.status, concurrency, seconds: s }, 'done')).result;
  try {
    // Under Valgrind a start-up takes a minute or more.
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${target} exited under valgrind; see ${join(dir, `${target}.log`)}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${target} did not start under valgrind within 300 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await run(warmup);
    const pid = String(child.pid);
    execFileSync('callgrind_control', ['--instr=on', pid], { stdio: 'ignore' });
    const result = await run(seconds);
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--instr=off', pid], { stdio: 'ignore' });
    // The dump is `<prefix>.<pid>.1-<thread>` (thread 01 is the main one); the files without `.1` are written at exit, uninstrumented.
    const dumps = readdirSync(dir).filter((f) => f.startsWith(`callgrind.${target}.${pid}.`));
    const totals: Record<string, number> = {};
    for (const file of dumps) {
      const counts = dumpTotals(readFileSync(join(dir, file), 'utf8'));
      for (const [name, n] of Object.entries(counts)) totals[name] = (totals[name] ?? 0) + n;
      if (file.endsWith('-01')) totals.IrMain = counts.Ir ?? 0;
    }
    const calls = Math.max(1, result.completed);
    return { target, calls: result.completed, failed: result.failed, perCall: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / calls])) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

const LABELS: ReadonlyArray<readonly [string, string]> = [
  ['Ir', 'instructions'],
  ['IrMain', 'main thread'],
  ['Bc', 'cond. branches'],
  ['Bcm', 'mispredicted'],
  ['Bi', 'indirect'],
  ['Bim', 'mispredicted'],
];

if (!hasValgrind()) {
  console.log('skipped: bench:instructions needs valgrind (apt-get install valgrind)');
} else {
  const dir = join(tmpdir(), `callscript-instructions-${process.pid}`);
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(join(root, 'examples', 'acme.yaml'), join(dir, 'scripts', 'acme.yaml'));
  const { worker: load, ready } = await forkWorker(here('./twiml/load.js'));
  const counted: Counted[] = [];
  try {
    for (const target of targets) {
      const c = await count(target, load, String(ready.apiUrl), dir);
      counted.push(c);
      console.log(`${target}: ${c.calls} calls${c.failed > 0 ? `, ${c.failed} FAILED` : ''}`);
    }
  } finally {
    await load.stop();
  }
  const base = counted.find((c) => c.target === 'handler');
  console.log(`\nTwiML round under callgrind: ${warmup} s warm-up, ${seconds} s counted, ${concurrency} calls at once; thousands per call`);
  console.log(`${'target'.padEnd(12)}${LABELS.map(([, label]) => label.padStart(16)).join('')}`);
  for (const c of counted) {
    const cells = LABELS.map(([key]) => {
      const v = c.perCall[key] ?? Number.NaN;
      const ratio = base !== undefined && c !== base ? ` ${(v / (base.perCall[key] ?? Number.NaN)).toFixed(2)}x` : '';
      return `${(v / 1000).toFixed(1)}k${ratio}`.padStart(16);
    });
    console.log(`${c.target.padEnd(12)}${cells.join('')}`);
  }
  rmSync(dir, { recursive: true, force: true });
}
