/**
 * `matches:` decision times: patterns that backtrack for exponential time in
 * JavaScript's engine, and the costliest shapes the compiler accepts (counted
 * repeats near MAX_PATTERN_PROGRAM), each deciding a switch over 50 kB of caller
 * input with the build's compiler and condition evaluator (what a server runs).
 * Per pattern: the first decision (RE2 builds its automaton lazily, so it is the
 * slowest) and the worst of 20 more, each on a fresh copy of the input.
 *
 *   npm run bench:patterns [-- --bytes 50000 --json]
 */
import { parseArgs } from 'node:util';
import { fromDist } from './lib/dist.js';

const { compile } = await fromDist<typeof import('../src/script/compile.js')>('script/compile.js');
const { evaluate } = await fromDist<typeof import('../src/engine/conditions.js')>('engine/conditions.js');
const { MAX_PATTERN_PROGRAM } = await fromDist<typeof import('../src/script/pattern.js')>('script/pattern.js');

interface Row {
  readonly pattern: string;
  readonly input: string;
  readonly matches: boolean;
  readonly firstMs: number;
  readonly worstMs: number;
  /** CPU time of the worst decision: the machine's other work does not count (shared CI machines). */
  readonly worstCpuMs: number;
}

/** [pattern, the input's repeated unit, a tail that makes it a near-miss]. */
const CASES: ReadonlyArray<readonly [string, string, string]> = [
  ['^(a+)+$', 'a', '!'],
  ['^(a|a)*$', 'a', '!'],
  ['^(a|aa)*c$', 'a', ''],
  ['^(\\w+\\s?)*$', 'word ', '!'],
  ['(x+x+)+y', 'x', ''],
  ['^(\\d+)*$', '1', 'x'],
  ['(.*a){12}', 'a', ''],
  ['^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$', 'a', '!'],
  // The costliest shapes accepted: long counted repeats, just under the size limit.
  ['[a-z]{1,48}$', 'a', ''],
  ['(?:a?){32}a{32}', 'a', ''],
  ['\\p{L}{1,48}$', 'a', ''],
];

const CALL = { from: '+6591234567', to: '+6560000001', session: 'S1', direction: 'inbound' } as const;

function script(pattern: string): string {
  return `
vars: { v: "" }
steps:
  s:
    switch:
      - if: { var: v, matches: ${JSON.stringify(pattern)} }
        goto: yes
    default: no
  yes: { hangup: yes }
  no: { hangup: no }
`;
}

function main(): void {
  const { values } = parseArgs({ options: { bytes: { type: 'string', default: '50000' }, json: { type: 'boolean', default: false } } });
  const bytes = Number(values.bytes);
  const rows: Row[] = [];
  for (const [pattern, unit, tail] of CASES) {
    const compiled = compile(script(pattern));
    if (!compiled.ok) throw new Error(`${pattern} does not compile: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
    const step = compiled.script.steps.s;
    if (step?.kind !== 'switch' || step.cases[0] === undefined) throw new Error('no switch');
    const condition = step.cases[0].when;
    const input = (): string => `${unit.repeat(Math.floor((bytes - tail.length) / unit.length))}${tail}`;
    const decide = (): { ms: number; cpuMs: number; result: boolean } => {
      const v = input();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = evaluate(condition, { call: CALL, v });
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return { ms, cpuMs: (used.user + used.system) / 1000, result };
    };
    const first = decide();
    let worst = 0;
    let worstCpu = first.cpuMs;
    for (let i = 0; i < 20; i++) {
      const d = decide();
      worst = Math.max(worst, d.ms);
      worstCpu = Math.max(worstCpu, d.cpuMs);
    }
    rows.push({
      pattern,
      input: `${JSON.stringify(unit)} × ${Math.floor((bytes - tail.length) / unit.length)} + ${JSON.stringify(tail)}`,
      matches: first.result,
      firstMs: first.ms,
      worstMs: worst,
      worstCpuMs: worstCpu,
    });
  }
  if (values.json) {
    console.log(JSON.stringify(rows));
    return;
  }
  console.log(`matches: decisions over ${bytes} characters of input, node ${process.version}; patterns up to ${MAX_PATTERN_PROGRAM} RE2 instructions are accepted`);
  console.table(rows.map((r) => ({ pattern: r.pattern.length > 40 ? `${r.pattern.slice(0, 37)}…` : r.pattern, input: r.input, matches: r.matches, 'first ms': r.firstMs.toFixed(2), 'worst of 20 ms': r.worstMs.toFixed(2), 'worst CPU ms': r.worstCpuMs.toFixed(2) })));
}

main();
