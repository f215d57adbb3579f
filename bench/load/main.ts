/**
 * The benchmark's load generator, in its own process: keeps `concurrency` calls in
 * progress for `seconds`, each one a long-poll `POST /control/ring` to the fake
 * provider (which rings the target server and answers when the call has ended).
 *
 * IPC: `{cmd:'run', provider, target, concurrency, seconds}` → `{type:'done', result}`.
 */
import { Pool } from 'undici';

export interface LoadRun {
  readonly cmd: 'run';
  readonly provider: string;
  /** The server's Voice Notify URL (`…/hoiio/incoming`). */
  readonly target: string;
  readonly concurrency: number;
  readonly seconds: number;
}

export interface LoadResult {
  readonly completed: number;
  readonly failed: number;
  readonly errors: Record<string, number>;
  /** From the first ring to the last call's end (calls in progress at the deadline are finished). */
  readonly elapsedMs: number;
}

let pool: Pool | undefined;

async function run(o: LoadRun): Promise<LoadResult> {
  const base = new URL(o.provider);
  pool ??= new Pool(base.origin, { connections: Math.max(o.concurrency, 16) * 2, pipelining: 1, keepAliveTimeout: 60_000 });
  const path = `/control/ring?target=${encodeURIComponent(o.target)}`;
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  let completed = 0;
  let failed = 0;
  const errors: Record<string, number> = {};
  const p = pool;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      try {
        const res = await p.request({ path, method: 'POST', body: '' });
        const result = (await res.body.json()) as { ok: boolean; error?: string };
        if (result.ok) completed++;
        else {
          failed++;
          const key = result.error ?? 'failed';
          errors[key] = (errors[key] ?? 0) + 1;
        }
      } catch (err) {
        failed++;
        const key = `load-generator: ${err instanceof Error ? err.message : String(err)}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { completed, failed, errors, elapsedMs: performance.now() - started };
}

process.on('message', (message: LoadRun | { cmd: 'exit' }) => {
  if (message.cmd === 'run') {
    void run(message).then((result) => process.send?.({ type: 'done', result }));
  } else if (message.cmd === 'exit') {
    void (pool?.destroy() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});
process.send?.({ type: 'ready' });
