/**
 * SQLite checkpoints stay off the request path: no commit runs one (SQLite's own, every
 * 4 MB of WAL, took 20–70 ms inside a step's commit), a thread of the store's does them.
 * Timings are for `npm run bench:stores`; these check only where the work happens.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/store/sqlite-checkpointer.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { callState, sentEntry } from './states.js';

const tmp = mkdtempSync(join(tmpdir(), 'callscript-checkpoint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bytes of one WAL frame with the store's 2 KiB pages. */
const FRAME = 2048 + 24;
/** What SQLite's default checkpoint lets the WAL reach: 2000 pages (4 MB). */
const SQLITE_DEFAULT_WAL = 2000 * FRAME;

/** One commit per call (each awaited put is its own group commit), a few WAL pages each. */
async function steps(store: SqliteStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.put(callState({ vars: { note: 'x'.repeat(600) } }), { transcript: [sentEntry(1, `step ${i}`)] });
  }
}

describe('sqlite checkpoints', () => {
  it('no commit checkpoints: without the thread, the WAL grows past the 4 MB at which SQLite would have', async () => {
    const path = join(tmp, 'no-thread', 'sessions.db');
    const store = new SqliteStore(path, { checkpointIntervalMs: 0 });
    try {
      await steps(store, 1500);
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(1.5 * SQLITE_DEFAULT_WAL);
    } finally {
      await store.close();
    }
    // Closing folded the WAL into the file: every call is there on reopening.
    const again = new SqliteStore(path, { checkpointIntervalMs: 0 });
    expect((await again.active({ limit: 5000 })).length).toBe(1500);
    await again.close();
  });

  it('the thread copies the WAL into the file between commits', async () => {
    const path = join(tmp, 'thread', 'sessions.db');
    const seen: Checkpoint[] = [];
    const store = new SqliteStore(path, { checkpointIntervalMs: 10, onCheckpoint: (c) => seen.push(c) });
    try {
      await steps(store, 1500);
      // Once the steps pause, the thread copies the whole WAL (the second report after them
      // comes from a checkpoint that started after the last commit)…
      const before = seen.length;
      const caughtUp = (): boolean => {
        const after = seen.slice(before);
        const last = after.at(-1);
        return after.length >= 2 && last !== undefined && last.pages > 0 && last.copied === last.pages;
      };
      await expect.poll(caughtUp, { timeout: 10_000 }).toBe(true);
      // …and the next commit starts it over, cut back to 4 MB.
      await steps(store, 1);
      expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(4 * 1024 * 1024);
      expect((await store.active({ limit: 5000 })).length).toBe(1501);
    } finally {
      await store.close();
    }
  });
});
