/**
 * Reload latency: from a script file saved to new calls getting the new version
 * (the registry the runner routes new calls by), with the hot-reload watcher and
 * its default debounce, in a folder of 20 scripts. Fresh process, run by `npm run bench`.
 *
 *   node reload.js [rounds]   → prints one JSON line
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { fromDist } from './lib/dist.js';
import { generateMenuScript } from './lib/generate.js';
import { median, quantile } from './lib/stats.js';

export interface ReloadResult {
  readonly rounds: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { ScriptReloader } = await fromDist<typeof import('../src/reload/reloader.js')>('reload/reloader.js');
  const { ScriptRegistry } = await fromDist<typeof import('../src/runtime/script-registry.js')>('runtime/script-registry.js');
  const rounds = Number(process.argv[2] ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'callscript-reload-'));
  const file = (i: number): string => join(dir, `menu-${String(i).padStart(2, '0')}.yaml`);
  for (let i = 0; i < 20; i++) writeFileSync(file(i), generateMenuScript(i));
  const registry = new ScriptRegistry();
  const reloader = new ScriptReloader({ paths: [dir], registry, log: pino({ level: 'silent' }), git: false });
  try {
    await reloader.reload('initial');
    await reloader.watch();
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const before = registry.current('menu-7')?.version;
      await sleep(300); // let the previous burst settle, as between two saves by a person
      const saved = performance.now();
      writeFileSync(file(7), generateMenuScript(7, `Hello ${r}`));
      for (;;) {
        const now = registry.current('menu-7')?.version;
        if (now !== undefined && now !== before) break;
        if (performance.now() - saved > 10_000) throw new Error('the save was not picked up within 10 s');
        await sleep(1);
      }
      times.push(performance.now() - saved);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const result: ReloadResult = { rounds, medianMs: median(times), p90Ms: quantile(sorted, 0.9), maxMs: sorted.at(-1) ?? Number.NaN };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await reloader.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
