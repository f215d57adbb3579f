/**
 * `npm run soak`: the engine under faults for a bounded time, every call checked
 * against the invariants; prints a summary and exits 1 if any invariant broke.
 *
 *   npm run soak [-- --duration 60 --rate 20 --seed 1 --store memory --json]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SOAK, runSoak, type SoakResult } from './run.js';

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
}

function lines(counts: Readonly<Record<string, number>>): string[] {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `    ${String(v).padStart(6)}  ${k}`);
}

export function formatResult(r: SoakResult): string {
  const out: string[] = [];
  out.push(
    `soak: ${r.calls.simulated} calls seen by the provider (${r.calls.inbound} inbound rung, ${r.calls.outbound} outbound requested, ` +
      `${r.calls.outboundRefused} refused with 502), ${r.calls.engine} run by the engine, in ${r.seconds.toFixed(0)} s`,
  );
  out.push('  faults injected:', ...lines(r.injected));
  out.push('  forged notifications (kind → HTTP status):', ...lines(r.forged));
  out.push('  how calls ended (provider side):', ...lines(r.endReasons));
  out.push('  engine outcomes:', ...lines(r.outcomes));
  if (r.memory !== undefined) {
    const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
    out.push(`  heap after GC: ${mib(r.memory.startBytes)} MiB after the warm-up, ${mib(r.memory.endBytes)} MiB once every call had ended`);
  }
  out.push('  invariants:');
  for (const i of r.invariants) {
    const excused = i.excused !== undefined ? ` (${i.excused} set aside ${i.excusedWhy ?? ''})` : '';
    out.push(`    ${i.broken === 0 ? 'ok    ' : 'BROKEN'}  ${i.name}: ${i.broken} of ${i.checked} broken${excused}`);
    for (const ex of i.examples) out.push(`              ${ex}`);
  }
  out.push(r.ok ? 'soak: every invariant held' : `soak: INVARIANTS BROKEN; engine log: ${r.logFile}`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      store: { type: 'string' },
      'hoiio-timeout': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const result = await runSoak({
    seconds: positive(values.duration, DEFAULT_SOAK.seconds, 'duration'),
    rate: positive(values.rate, DEFAULT_SOAK.rate, 'rate'),
    seed: values.seed ?? DEFAULT_SOAK.seed,
    store: values.store ?? DEFAULT_SOAK.store,
    hoiioTimeoutMs: positive(values['hoiio-timeout'], DEFAULT_SOAK.hoiioTimeoutMs, 'hoiio-timeout'),
  });
  process.stdout.write(`${values.json === true ? JSON.stringify(result, null, 2) : formatResult(result)}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

await main();
