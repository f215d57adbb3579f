/**
 * SQLite checkpoints stay off the request path: no commit runs one (SQLite's own, every
 * 4 MB of WAL, took 20–70 ms inside a step's commit), a thread of the store's does them,
 * and starts the WAL over too. Timings are for `npm run bench:stores`; these check only
 * where the work happens.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
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

/** What the WAL file may be cut back to when it starts over (the store's journal_size_limit). */
const WAL_SIZE_LIMIT = 8 * 1024 * 1024;

/**
 * Salt-1 of the WAL's header: SQLite adds one to it each time the WAL starts over
 * (https://www.sqlite.org/fileformat2.html#walformat), whichever connection does it.
 */
function walSalt(path: string): number {
  const fd = openSync(`${path}-wal`, 'r');
  try {
    const header = Buffer.alloc(32);
    readSync(fd, header, 0, 32, 0);
    return header.readUInt32BE(16);
  } finally {
    closeSync(fd);
  }
}

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

  it('a WAL that grew past journal_size_limit is cut back when the thread starts it over', async () => {
    const path = join(tmp, 'cut-back', 'sessions.db');
    const seen: Checkpoint[] = [];
    // Started over only at 5000 frames (10 MB) here: the WAL grows past the 8 MB limit, as in a burst.
    const store = new SqliteStore(path, { checkpointIntervalMs: 10, restartPages: 5000, onCheckpoint: (c) => seen.push(c) });
    try {
      let written = 0;
      let grown = 0;
      let afterRestart: number | undefined;
      while (afterRestart === undefined && written < 20_000) {
        await steps(store, 10);
        written += 10;
        const size = statSync(`${path}-wal`).size;
        grown = Math.max(grown, size);
        // Looked at right after the report: the few steps since cannot have grown it 8 MB again.
        if (seen.some((c) => c.restarted && c.pages * FRAME > WAL_SIZE_LIMIT)) afterRestart = size;
      }
      expect(grown).toBeGreaterThan(WAL_SIZE_LIMIT);
      expect(afterRestart).toBeLessThanOrEqual(WAL_SIZE_LIMIT);
      expect((await store.active({ limit: 25_000 })).length).toBe(written);
    } finally {
      await store.close();
    }
  });

  it('under sustained writes the thread starts the WAL over itself: it stays small, and no commit starts it over or checkpoints', async () => {
    const path = join(tmp, 'sustained', 'sessions.db');
    const seen: Checkpoint[] = [];
    const restartPages = 500; // 1 MB
    const store = new SqliteStore(path, { checkpointIntervalMs: 10, restartPages, onCheckpoint: (c) => seen.push(c) });
    try {
      // Once the thread runs (its first restart), the WAL file is small.
      await steps(store, 1);
      const restarts = (): number => seen.filter((c) => c.restarted).length;
      await expect.poll(restarts, { timeout: 10_000 }).toBeGreaterThan(0);
      const salt = walSalt(path);
      const restartsBefore = restarts();
      expect(statSync(`${path}-wal`).size).toBeLessThan(restartPages * FRAME);
      let largest = 0;
      // Back to back, each step its own commit: the thread's checkpoints never find the WAL all
      // copied, which SQLite needs to start it over.
      for (let i = 0; i < 30; i++) {
        await steps(store, 100);
        largest = Math.max(largest, statSync(`${path}-wal`).size);
      }
      // 3000 steps wrote over 20 MB of WAL. Without restarts by the thread the file grows with
      // every commit until SQLite's own checkpoint, in a commit, at 16 000 frames (32 MB; 3000
      // such steps took it to 31–41 MB); here it never got to half of that (the thread starts
      // it over every 500 frames, plus what the steps wrote meanwhile).
      expect(largest).toBeLessThan(16 * 1024 * 1024);
      // Every restart of the WAL (each adds one to its salt) was the thread's, under its gate:
      // none by a commit of the server's, which would have fsynced the new WAL's header. (The
      // thread's reports arrive a little later; more restarts than reports would never match.)
      const restartsSince = (): number => restarts() - restartsBefore;
      await expect.poll(() => walSalt(path) - salt === restartsSince(), { timeout: 10_000 }).toBe(true);
      expect(restartsSince()).toBeGreaterThanOrEqual(3);
      expect((await store.active({ limit: 5000 })).length).toBe(3001);
    } finally {
      await store.close();
    }
  });

  it('reads and writes wait for the gate without blocking, and a thread that dies holding it lets them through', async () => {
    const path = join(tmp, 'dead-thread', 'sessions.db');
    const store = new SqliteStore(path, { checkpointIntervalMs: 10 });
    try {
      await steps(store, 9);
      const parked = callState();
      await store.put(parked);
      // Hold the gate as the thread does while it starts the WAL over.
      const internals = store as unknown as {
        gate: { buffer: SharedArrayBuffer };
        checkpointer: { worker: { terminate(): Promise<number> } };
        db: { pragma(source: string, options: { simple: true }): unknown };
      };
      const cell = new Int32Array(internals.gate.buffer);
      while (Atomics.compareExchange(cell, 0, 0, 2) !== 0) await new Promise((r) => setTimeout(r, 1));
      const settled: string[] = [];
      const put = store.put(callState(), { transcript: [sentEntry(1, 'waits')] }).then(() => settled.push('put'));
      const claimed = store.claimSession('S-gate', 'c-gate').finally(() => settled.push('claim'));
      const read = store.get(parked.id).finally(() => settled.push('get'));
      await new Promise((r) => setTimeout(r, 50));
      // Nothing touched the database, and the event loop ran meanwhile (the timer fired).
      expect(settled).toEqual([]);
      await internals.checkpointer.worker.terminate();
      await put;
      expect(await claimed).toBe(true);
      expect((await read)?.id).toBe(parked.id);
      expect((await store.active({ limit: 100 })).length).toBe(11);
      // Checkpoints are the server's commits' again, every 2000 frames (4 MB).
      expect(internals.db.pragma('wal_autocheckpoint', { simple: true })).toBe(2000);
    } finally {
      await store.close();
    }
  });
});
