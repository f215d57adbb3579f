/**
 * `callscript validate examples/` against `node -e 0`, each in a fresh process,
 * alternating (run by `npm run bench`): what a pre-commit hook or an editor
 * waits for, next to what any Node.js process costs on this machine at this
 * moment. Rounds alternate which runs first, and the ratio is the median of
 * each round's ratio, so background load that slows both alike cancels out.
 * Two rounds are run and dropped first (disk cache, the shell's first fork).
 *
 *   node validate-time.js [rounds]   → prints one JSON line
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './lib/stats.js';

export interface ValidateTimeResult {
  readonly rounds: number;
  /** Median wall time of `node -e 0`. */
  readonly nodeMs: number;
  /** Median wall time of `node bin/callscript.js validate examples/`. */
  readonly validateMs: number;
  /** Median of the rounds' validate ÷ node ratios. */
  readonly ratio: number;
}

const WARMUP_ROUNDS = 2;

/** Wall time of one process, from spawn to exit; throws when it fails. */
function wall(args: readonly string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(run.status)}: ${run.stderr}`);
  return ms;
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 15);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`not a number of rounds: ${process.argv[2] ?? ''}`);
  const empty = ['-e', '0'];
  const validate = [join(process.cwd(), 'bin', 'callscript.js'), 'validate', 'examples/'];
  const nodeMs: number[] = [];
  const validateMs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < WARMUP_ROUNDS + rounds; r++) {
    const validateFirst = r % 2 === 1;
    const a = validateFirst ? wall(validate) : wall(empty);
    const b = validateFirst ? wall(empty) : wall(validate);
    if (r < WARMUP_ROUNDS) continue;
    const [node, check] = validateFirst ? [b, a] : [a, b];
    nodeMs.push(node);
    validateMs.push(check);
    ratios.push(check / node);
  }
  const result: ValidateTimeResult = { rounds, nodeMs: median(nodeMs), validateMs: median(validateMs), ratio: median(ratios) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
