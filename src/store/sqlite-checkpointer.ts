/**
 * Checkpoints a SQLite WAL from a worker thread with its own connections, and starts
 * the WAL over from that thread too.
 *
 * A checkpoint copies the WAL's pages into the database file and fsyncs both; the
 * fsyncs alone take 5–10 ms on a virtual disk, whatever the size. better-sqlite3
 * is synchronous, so on the server's thread every checkpoint, however small,
 * stalls every call for that long (SQLite's own, run inside the commit that fills
 * 4 MB of WAL, took 20–70 ms). From a second thread, PASSIVE checkpoints run
 * beside the server's commits: WAL readers and writers never wait for a
 * checkpointer.
 *
 * A WAL starts over when a write transaction begins with every frame copied and no
 * reader in the WAL. Under sustained load that never happens by itself (commits keep
 * coming while the thread copies), and when it does, the commit that starts it over
 * fsyncs the new WAL's header on the server's thread. So:
 *
 * - the thread keeps a read transaction open in the WAL (the pin), moved forward at
 *   each tick: no commit of the server's can start the WAL over;
 * - once the WAL holds `restartPages` frames, the thread closes the {@link WriteGate}
 *   (the server's reads and writes then wait for it asynchronously, its event loop
 *   running), drops the pin, copies the frames written since its last checkpoint
 *   (`wal_checkpoint(RESTART)`), and commits a no-op write (the same `user_version`):
 *   the first write after a complete checkpoint, it starts the WAL over, paying that
 *   restart's fsync (and any cut back to `journal_size_limit`) itself. It pins the
 *   new WAL and opens the gate: what waits is a few fsyncs of a few pages, not SQLite's
 *   own checkpoint in a commit.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the thread checkpoints: each copies what some tens of ms of steps wrote. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 50;
/** WAL frames (2 KiB pages) past which the thread starts the WAL over: 4 MB. */
export const DEFAULT_RESTART_PAGES = 2000;

export interface Checkpoint {
  /** Pages in the WAL when it ran. */
  readonly pages: number;
  /** Pages copied into the database file (all of them unless a commit came in meanwhile). */
  readonly copied: number;
  /** How long it took, on the checkpointer's thread (the restart included). */
  readonly ms: number;
  /** The thread then started the WAL over. */
  readonly restarted: boolean;
  /** How long the server's writes waited for the gate (ms; 0 when it was not closed). */
  readonly gateMs: number;
}

export interface CheckpointerOptions {
  readonly intervalMs: number;
  /** WAL frames past which the thread starts the WAL over. */
  readonly restartPages: number;
  /** `journal_size_limit` of the thread's connection (it truncates the WAL when it starts it over). */
  readonly walSizeLimit: number;
  /** The server's side of the gate. */
  readonly gate: WriteGate;
  /** Told about every checkpoint of the thread that found pages (tests, benchmarks). */
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** The thread failed or stopped on its own: checkpoints are the caller's again. */
  readonly onFailure: (err: unknown) => void;
}

/** Values of the gate's cell. */
const OPEN = 0;
const SERVER = 1;
const THREAD = 2;

/**
 * Who may use the database right now: nobody in particular, the server (in the middle of
 * a synchronous read or write on its connection), or the checkpoint thread (while it
 * starts the WAL over). One Int32 in shared memory: the server takes it around each use
 * with a compare-and-swap and never blocks on it (it waits asynchronously); the thread
 * waits (Atomics.wait) for the server's read or write to finish.
 */
export class WriteGate {
  readonly buffer = new SharedArrayBuffer(4);
  private readonly cell = new Int32Array(this.buffer);

  /** The server's: true if it may write now (then it must `leave`), false while the thread holds it. */
  enter(): boolean {
    return Atomics.compareExchange(this.cell, 0, OPEN, SERVER) === OPEN;
  }

  leave(): void {
    Atomics.store(this.cell, 0, OPEN);
    Atomics.notify(this.cell, 0);
  }

  /** Resolves once the thread no longer holds the gate (at once if it does not). */
  opened(): Promise<void> {
    const wait = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.cell, 0, THREAD);
    return wait.async ? wait.value.then(() => undefined) : Promise.resolve();
  }

  /** The thread is gone: whatever it held is free. */
  forceOpen(): void {
    Atomics.store(this.cell, 0, OPEN);
    Atomics.notify(this.cell, 0);
  }
}

interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

// Plain CommonJS, evaluated in the worker: no file to find next to the build or the sources.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
// fileMustExist: a thread that starts after its store closed and its folder went must not create a file.
const open = () => new Database(workerData.file, { timeout: 1000, fileMustExist: true });
const db = open();
// A restart waits this long at most for a reader to leave the WAL: one from outside the
// server (the server does not use its connection while the thread holds the gate). It holds
// the gate meanwhile, so it rather gives up and tries again later.
db.pragma('busy_timeout = 20');
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
// The pin: a read transaction kept open on a recent snapshot, always one that ends inside the
// WAL. A writer starts the WAL over only if no reader uses it, so the server's commits never
// do (each would fsync the new WAL's header on the server's thread); only the thread does,
// under the gate. Checkpoints copy up to the pin's snapshot, which each tick moves forward.
const pin = open();
const pinRead = pin.prepare('SELECT 1 FROM sqlite_schema LIMIT 1');
let pinnedAt;
// After a restart a reader prevented (one from outside, e.g. the sqlite3 shell, keeping a
// transaction open), the next waits a second: each holds the gate for up to the busy timeout.
let retryAt = 0;
const gate = new Int32Array(workerData.gate);
const OPEN = ${OPEN}, THREAD = ${THREAD};

// Only while the WAL has frames past the last complete checkpoint: a snapshot of a WAL all
// copied would read the database file alone, which pins nothing (and stops checkpoints).
function repin() {
  if (pin.inTransaction) pin.exec('COMMIT');
  pin.exec('BEGIN');
  pinRead.get();
  // Read after the snapshot was taken: a commit in between is seen at the next change only.
  pinnedAt = db.pragma('data_version', { simple: true });
}

// Under the gate: copy what the server wrote since the last checkpoint and wait for readers to
// leave the WAL (RESTART), then commit a no-op write: the first write after a complete
// checkpoint starts the WAL over (and fsyncs its header, here). False if a reader kept the WAL.
function restart() {
  if (pin.inTransaction) pin.exec('COMMIT');
  try {
    const [row] = db.pragma('wal_checkpoint(RESTART)');
    // Written even when the checkpoint was not complete: it is then a frame past it for the pin.
    db.exec('BEGIN IMMEDIATE');
    try {
      db.pragma('user_version = ' + db.pragma('user_version', { simple: true }));
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
    return row.busy === 0 && row.checkpointed === row.log;
  } finally {
    repin();
  }
}

/** Closes the gate (once the server's write in progress, if any, is done), runs work, opens it. */
function gated(work) {
  let held;
  while ((held = Atomics.compareExchange(gate, 0, OPEN, THREAD)) !== OPEN) Atomics.wait(gate, 0, held, 5);
  const closed = performance.now();
  try {
    return { result: work(), ms: performance.now() - closed };
  } finally {
    Atomics.store(gate, 0, OPEN);
    Atomics.notify(gate, 0);
  }
}

function tick(first) {
  // Nothing committed by the server since the pin was taken: nothing to copy, no fsync.
  if (!first && db.pragma('data_version', { simple: true }) === pinnedAt) return;
  const started = performance.now();
  // The first time, whatever the WAL holds is copied and the WAL started over (which pins it).
  if (!first) repin();
  const [row] = db.pragma('wal_checkpoint(PASSIVE)');
  let restarted = false;
  let gateMs = 0;
  if (first || (row.log >= workerData.restartPages && started >= retryAt)) {
    ({ result: restarted, ms: gateMs } = gated(restart));
    if (!restarted) retryAt = performance.now() + 1000;
  }
  if (workerData.report && (row.log > 0 || restarted)) {
    parentPort.postMessage({ pages: row.log, copied: row.checkpointed, ms: performance.now() - started, restarted, gateMs });
  }
}

function tickSafely(first) {
  try {
    tick(first);
  } catch {
    // the pages wait in the WAL for the next tick
  }
}

tickSafely(true);
const timer = setInterval(() => tickSafely(false), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  pin.close();
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
      workerData: {
        driver,
        file,
        intervalMs: o.intervalMs,
        restartPages: o.restartPages,
        walSizeLimit: o.walSizeLimit,
        gate: o.gate.buffer,
        report: o.onCheckpoint !== undefined,
      },
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
        // A thread that died holding the gate (terminated in the middle of a restart) no longer does.
        o.gate.forceOpen();
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
