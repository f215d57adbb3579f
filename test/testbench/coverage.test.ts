/** Coverage: which steps and branches calls took, read from the engine's notes through the runner hook. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bench } from '../../src/testbench/bench.js';
import { planAgent, scriptedPlan } from '../../src/testbench/caller-plan.js';
import { mustCompile } from '../helpers/compile.js';

const script = mustCompile(
  [
    'name: cov',
    'numbers: ["+6560003000"]',
    'steps:',
    '  menu:',
    '    gather: { prompt: "Press 1 or 2 for the same thing, 3 for more.", max_digits: 1 }',
    '    branches: { "1": same, "2": same, "3": more }',
    '    invalid: { retries: 1 }',
    '  same: { hangup: "Same." }',
    '  more:',
    '    gather: "Enter anything."',
    '    next: same',
    '    invalid: same',
  ].join('\n'),
  'cov.yaml',
);

let bench: Bench;
beforeAll(async () => {
  bench = await Bench.start({ scripts: [script] });
});
afterAll(async () => {
  await bench.close();
});

async function call(presses: string[]): Promise<void> {
  const placed = await bench.place({ script, outbound: false, agent: planAgent(scriptedPlan({ presses, transfers: [] })) });
  await bench.finished(placed);
}

function covered(): string[] {
  const s = bench.coverage.report().scripts[0];
  return [...(s?.steps.filter((x) => x.covered).map((x) => `step ${x.id}`) ?? []), ...(s?.branches.filter((b) => b.covered).map((b) => b.edge.id) ?? [])];
}

describe('coverage', () => {
  it('credits the digits pressed, not another key with the same target', async () => {
    await call(['2']);
    expect(covered()).toEqual(['step menu', 'step same', 'menu|2']);
  });

  it('invalid input counts once retries are spent (the implicit polite hangup); no input without no_input too', async () => {
    await call(['7', '8']);
    expect(covered()).toContain('menu|invalid');
    await call(['']);
    expect(covered()).toContain('menu|no_input');
  });

  it('a gather without branches goes on by `next`; everything reached is 100%', async () => {
    await call(['1']);
    await call(['3', '42']);
    await call(['3', '']);
    const report = bench.coverage.report();
    expect(report.scripts[0]?.branches.filter((b) => !b.covered).map((b) => b.edge.id)).toEqual([]);
    expect(report.percent).toBe(100);
  });
});
