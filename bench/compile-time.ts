/**
 * Validate + compile time, in a fresh process (run by `npm run bench`):
 * - a generated 1,000-step script: the first compile in the process (cold: V8
 *   still interprets the parser) and the median of 7 compiles of distinct texts
 *   after 5 unmeasured ones (warm: what a reload costs a running server);
 *   loading the modules is timed apart;
 * - a folder of 200 generated scripts through `loadScripts` (what `serve` and
 *   `validate` do at start).
 *
 *   node compile-time.js   → prints one JSON line
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromDist } from './lib/dist.js';
import { generateLargeScript, generateMenuScript } from './lib/generate.js';
import { median } from './lib/stats.js';

export interface CompileTimeResult {
  /** Loading the compiler's modules (once per process). */
  readonly moduleLoadMs: number;
  readonly largeSteps: number;
  readonly largeBytes: number;
  readonly largeFirstMs: number;
  readonly largeWarmMs: number;
  readonly folderScripts: number;
  readonly folderBytes: number;
  readonly folderMs: number;
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  // Loading the modules, once per process: reported on its own.
  const started = performance.now();
  const { compile } = await fromDist<typeof import('../src/script/compile.js')>('script/compile.js');
  const { loadScripts } = await fromDist<typeof import('../src/script-files/load.js')>('script-files/load.js');
  const moduleLoadMs = performance.now() - started;
  const source = generateLargeScript(1000);
  const first = timed(() => compile(source, { file: 'large.yaml' }));
  if (!first.value.ok) throw new Error('the generated 1,000-step script does not compile');
  // Warm: what a running server pays for a reload once its compiler code is optimised (V8 needs a
  // few passes over it), measured after five unmeasured compiles of other texts.
  for (let i = 0; i < 5; i++) compile(source.replace('Step 0 for', `Step 0 (warm-up ${i}) for`), { file: 'large.yaml' });
  const warm: number[] = [];
  for (let i = 0; i < 7; i++) {
    const text = source.replace('Step 0 for', `Step 0 (edit ${i}) for`);
    const r = timed(() => compile(text, { file: 'large.yaml' }));
    if (!r.value.ok) throw new Error('an edited 1,000-step script does not compile');
    warm.push(r.ms);
  }

  const dir = mkdtempSync(join(tmpdir(), 'callscript-compile-'));
  let bytes = 0;
  try {
    for (let i = 0; i < 200; i++) {
      const text = generateMenuScript(i);
      bytes += Buffer.byteLength(text);
      writeFileSync(join(dir, `menu-${String(i).padStart(3, '0')}.yaml`), text);
    }
    const started = performance.now();
    const loaded = await loadScripts([dir]);
    const folderMs = performance.now() - started;
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 || loaded.scripts.length !== 200) throw new Error(`the 200 generated scripts do not load: ${errors[0]?.message ?? ''}`);
    const result: CompileTimeResult = {
      moduleLoadMs,
      largeSteps: 1000,
      largeBytes: Buffer.byteLength(source),
      largeFirstMs: first.ms,
      largeWarmMs: median(warm),
      folderScripts: 200,
      folderBytes: bytes,
      folderMs,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
