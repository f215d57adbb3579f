/**
 * Checkpoints a SQLite WAL from a worker thread with its own connection.
 *
 * A checkpoint copies the WAL's pages into the database file and fsyncs both; the
 * fsyncs alone take 5–10 ms on a virtual disk, whatever the size. better-sqlite3
 * is synchronous, so on the server's thread every checkpoint, however small,
 * stalls every call for that long (SQLite's own, run inside the commit that fills
 * 4 MB of WAL, took 20–70 ms). From a second thread, PASSIVE checkpoints run
 * beside the server's commits: WAL readers and writers never wait for a
 * checkpointer.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the thread checkpoints: each copies what some tens of ms of steps wrote. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 50;

export interface Checkpoint {
  /** Pages in the WAL when it ran. */
  readonly pages: number;
  /** Pages copied into the database file (all of them unless a commit came in meanwhile). */
  readonly copied: number;
  /** How long it took, on the checkpointer's thread. */
  readonly ms: number;
}

export interface CheckpointerOptions {
  readonly intervalMs: number;
  /** Told about every checkpoint that found pages (tests, benchmarks). */
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** The thread failed or stopped on its own: checkpoints are the caller's again. */
  readonly onFailure: (err: unknown) => void;
}

// Plain CommonJS, evaluated in the worker: no file to find next to the build or the sources.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
// fileMustExist: a thread that starts after its store closed and its folder went must not create a file.
const db = new Database(workerData.file, { timeout: 1000, fileMustExist: true });
const timer = setInterval(() => {
  const started = performance.now();
  let row;
  try {
    [row] = db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    return; // the pages wait in the WAL for the next tick
  }
  if (workerData.report && row && row.log > 0) {
    parentPort.postMessage({ pages: row.log, copied: row.checkpointed, ms: performance.now() - started });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * The running thread. `stop` need not be awaited: whichever of the store's and the
 * thread's connections closes last folds the WAL into the file and removes it.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopping = false;

  constructor(file: string, o: CheckpointerOptions) {
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver, file, intervalMs: o.intervalMs, report: o.onCheckpoint !== undefined },
    });
    // A store left open must not keep a process (a CLI command, a test) alive.
    this.worker.unref();
    if (o.onCheckpoint !== undefined) {
      const report = o.onCheckpoint;
      this.worker.on('message', (m: Checkpoint) => report(m));
    }
    this.worker.on('error', (err) => o.onFailure(err));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        if (!this.stopping) o.onFailure(new Error(`the checkpoint thread exited (${code})`));
        resolve();
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.worker.postMessage('stop');
    // A thread stuck in a checkpoint must not hold up a shutdown.
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    timer.unref();
    await this.exited;
    clearTimeout(timer);
  }
}
