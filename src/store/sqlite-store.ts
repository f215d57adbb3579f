import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { CallState } from '../engine/state.js';
import { StaleLeaseError, StoreInUseError, StoreUnavailableError } from './errors.js';
import { FileLock } from './file-lock.js';
import { LocalLocks } from './local-locks.js';
import {
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_RESTART_PAGES,
  SqliteCheckpointer,
  WriteGate,
  type Checkpoint,
} from './sqlite-checkpointer.js';
import {
  DEFAULT_ACTIVE_LIMIT,
  DEFAULT_LOCK_WAIT_MS,
  DEFAULT_STORE_TIMINGS,
  SCRIPT_GRACE_MS,
  type ActiveOptions,
  type Lease,
  type LockOptions,
  type PutOptions,
  type SessionStore,
  type StoreOptions,
  type StoredScript,
  type StoreTimings,
} from './session-store.js';
import { TRANSCRIPT_LIMIT, type TranscriptEntry } from './transcript.js';

/** The schema this code writes; a file with a newer one was written by a newer callscript. */
const SCHEMA_VERSION = 1;

/** Rows a single sweep removes at most, so a backlog never blocks the event loop for long. */
const SWEEP_BATCH = 2000;

/**
 * 2 KiB pages: a step dirties a few pages (the call's row, its age index entry, the
 * transcript's last page), and smaller pages halve what each commit appends to the
 * WAL and each checkpoint copies back; a call's state (under 1 KB) still fits in a page.
 */
const PAGE_SIZE = 2048;
/**
 * SQLite's own checkpoint runs inside the commit that fills this many WAL pages (32 MB): a
 * safety net only, as the checkpoint thread starts the WAL over every 4 MB
 * (`DEFAULT_RESTART_PAGES`). Once the thread has failed: every 4 MB of WAL, as SQLite's
 * default does with 4 KiB pages.
 */
const AUTOCHECKPOINT_PAGES = 16_000;
const AUTOCHECKPOINT_PAGES_ALONE = 2000;
/**
 * A WAL that grew in a burst is cut back to this when it starts over (bytes); above the
 * 4 MB and a little at which the thread starts it over, so that is not cut every time.
 */
const WAL_SIZE_LIMIT = 8 * 1024 * 1024;

export interface SqliteStoreOptions extends StoreOptions {
  /** How often the checkpoint thread runs (ms); 0: no thread, and only the safety net checkpoints (tests). */
  readonly checkpointIntervalMs?: number;
  /** WAL frames past which the checkpoint thread starts the WAL over (tests). */
  readonly restartPages?: number;
  /** Told about every checkpoint of the thread that found pages (tests, benchmarks). */
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS calls (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  script TEXT NOT NULL,
  version TEXT NOT NULL,
  ended INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- rowids of the call's transcript rows, oldest first, comma-separated
  trows TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_by_age ON calls (ended, updated_at);
CREATE INDEX IF NOT EXISTS calls_by_script ON calls (script, version);
CREATE TABLE IF NOT EXISTS sessions (
  session TEXT PRIMARY KEY,
  id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_call ON sessions (id);
-- one row per write that added entries (their JSON array), appended in rowid order
-- whatever the call: all calls' new entries fill the same last pages
CREATE TABLE IF NOT EXISTS transcript (
  entries TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scripts (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  source TEXT NOT NULL,
  file TEXT,
  stored_at INTEGER NOT NULL,
  PRIMARY KEY (name, version)
);
`;

/**
 * Calls in an embedded SQLite file (better-sqlite3, WAL): a single server keeps
 * every call across crashes and restarts, `kill -9` included.
 *
 * - WAL with `synchronous=NORMAL`: a commit is in the WAL file (the OS has it) before
 *   `put` returns, so a killed process loses nothing; only a power cut or OS crash
 *   can lose the last commits, and calls do not survive those anyway (the phone
 *   network drops them). `FULL` would add an fsync to every step.
 * - `<file>.lock` is held for as long as the store is open (`FileLock`), so a second
 *   server pointed at the same file refuses to start (`StoreInUseError`) instead of
 *   running calls twice; the OS drops the lock when a process dies, `kill -9`
 *   included. One process writes: call locks are in-process (`LocalLocks`).
 * - better-sqlite3 is synchronous: each write blocks the event loop for its
 *   duration, about 0.1 ms. Checkpoints, whose fsyncs take milliseconds (tens,
 *   inside the commit that filled 4 MB of WAL, when SQLite ran them), run on a
 *   thread of their own (`SqliteCheckpointer`), which also starts the WAL over;
 *   meanwhile writes wait for its gate without blocking the event loop. See
 *   docs/stores.md for measurements.
 * - A transcript row per write (the entries it added, as one JSON array), appended
 *   to one table in rowid order and listed in the call's row: the per-step cost is
 *   one small insert into the table's last page, not one into a random page of a
 *   table keyed by call, which under load would dirty (and checkpoint) a page per step.
 * - Group commit: the writes made in one turn of the event loop share a transaction.
 */
export class SqliteStore implements SessionStore {
  readonly kind = 'sqlite';
  readonly durable: boolean;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly timings: StoreTimings;
  private readonly transcriptLimit: number;
  private readonly locks: LocalLocks;
  private readonly q: ReturnType<typeof prepare>;
  private readonly putTx: (state: CallState, entries: readonly TranscriptEntry[] | undefined) => void;
  private readonly putBatchTx: (batch: readonly PendingWrite[]) => void;
  /** Writes waiting for the group commit at the end of this turn of the event loop. */
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private readonly deleteTx: (id: string) => void;
  private closed = false;
  private readonly fileLock: FileLock | undefined;
  private readonly checkpointer: SqliteCheckpointer | undefined;
  /**
   * Taken around every write while the checkpoint thread runs: the thread closes it while it
   * starts the WAL over, and writes then wait for it asynchronously instead of blocking the
   * event loop on SQLite's lock. Undefined without a thread (or once it failed).
   */
  private gate: WriteGate | undefined;
  /**
   * Calls active when the file was opened and not written since: the process before this one
   * held every lock, and may have died in the middle of any call's work. A write settles one.
   */
  private readonly unsettled: Set<string>;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path === ':memory:' ? path : resolve(path);
    this.durable = path !== ':memory:';
    this.timings = {
      idleTtlMs: options.idleTtlMs ?? DEFAULT_STORE_TIMINGS.idleTtlMs,
      endedRetentionMs: options.endedRetentionMs ?? DEFAULT_STORE_TIMINGS.endedRetentionMs,
    };
    this.transcriptLimit = options.transcriptLimit ?? TRANSCRIPT_LIMIT;
    this.locks = new LocalLocks(options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    if (this.durable) makeFolder(this.path);
    this.fileLock = this.durable ? lockFile(this.path) : undefined;
    try {
      this.db = openDatabase(this.path);
    } catch (err) {
      this.fileLock?.release();
      throw err;
    }
    this.q = prepare(this.db);
    this.unsettled = new Set(this.q.activeIds.pluck().all() as string[]);
    const every = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    if (this.durable && every > 0) {
      const gate = new WriteGate();
      this.gate = gate;
      this.checkpointer = new SqliteCheckpointer(this.path, {
        intervalMs: every,
        restartPages: options.restartPages ?? DEFAULT_RESTART_PAGES,
        walSizeLimit: WAL_SIZE_LIMIT,
        gate,
        ...(options.onCheckpoint !== undefined ? { onCheckpoint: options.onCheckpoint } : {}),
        // Checkpoints inside commits again: stalls, but a WAL that cannot grow without bound.
        onFailure: () => {
          this.gate = undefined;
          if (!this.closed) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES_ALONE}`);
        },
      });
    }

    const q = this.q;
    const write = (state: CallState, entries: readonly TranscriptEntry[] | undefined): void => {
      const keep = entries !== undefined && entries.length > 0 && this.transcriptLimit > 0;
      const row = keep ? String(q.addEntries.run(JSON.stringify(entries)).lastInsertRowid) : '';
      const trows = q.upsertCall.pluck().get(
        state.id,
        JSON.stringify(state),
        state.script,
        state.version,
        state.status === 'ended' ? 1 : 0,
        state.updatedAt,
        row,
      ) as string;
      // Each row holds at least one entry, so the newest `transcriptLimit` rows hold enough.
      if (!keep || trows.length < this.transcriptLimit) return;
      const rows = trows.split(',');
      if (rows.length <= this.transcriptLimit) return;
      q.deleteEntries.run(`[${rows.slice(0, rows.length - this.transcriptLimit).join(',')}]`);
      q.setTrows.run(rows.slice(rows.length - this.transcriptLimit).join(','), state.id);
    };
    this.putTx = this.db.transaction(write);
    this.putBatchTx = this.db.transaction((batch: readonly PendingWrite[]) => {
      for (const w of batch) write(w.state, w.entries);
    });
    this.deleteTx = this.db.transaction((id: string) => {
      const trows = q.getTrows.pluck().get(id) as string | undefined;
      if (trows !== undefined && trows !== '') q.deleteEntries.run(`[${trows}]`);
      q.deleteCall.run(id);
      q.deleteSessions.run(id);
    });
  }

  async get(id: string): Promise<CallState | undefined> {
    // A write of this call still waiting for the batch's commit is its latest state. Reading
    // it here, instead of committing the batch first, keeps the batch whole: under load a
    // step of another call otherwise committed every pending write one transaction at a time.
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const w = this.pending[i];
      if (w !== undefined && w.state.id === id) return w.state;
    }
    const json = await this.gated(() => this.q.getCall.pluck().get(id) as string | undefined, false);
    return json === undefined ? undefined : (JSON.parse(json) as CallState);
  }

  /**
   * Resolves once the write is committed. Writes made in the same turn of the event
   * loop (several calls' steps under load) share one transaction: one WAL commit
   * instead of one each, so the cost per step falls as load rises.
   */
  put(state: CallState, options: PutOptions = {}): Promise<void> {
    if (options.lease !== undefined && !this.locks.holds(options.lease)) {
      return Promise.reject(new StaleLeaseError(state.id, options.lease.fence));
    }
    if (this.closed) return Promise.reject(new StoreUnavailableError(`${this.path} is closed`));
    // Settled once committed; a crash before that finds it unsettled again at the next open.
    if (this.unsettled.size > 0) this.unsettled.delete(state.id);
    return new Promise((resolve, reject) => {
      this.pending.push({ state, entries: options.transcript, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async delete(id: string): Promise<void> {
    this.unsettled.delete(id);
    await this.gated(() => this.deleteTx(id));
  }

  claimSession(session: string, id: string): Promise<boolean> {
    return this.gated(() => {
      this.q.claimSession.run(session, id);
      return this.q.findSession.pluck().get(session) === id;
    });
  }

  findBySession(session: string): Promise<string | undefined> {
    return this.gated(() => this.q.findSession.pluck().get(session) as string | undefined, false);
  }

  async lock(id: string, options: LockOptions = {}): Promise<Lease> {
    const lease = await this.locks.acquire(id, options.waitMs);
    if (!this.unsettled.has(id)) return lease;
    // Not a spread: a lease's release is a method of its class, which a spread would leave behind.
    return { id: lease.id, fence: lease.fence, interrupted: true, release: () => lease.release() };
  }

  async interrupted(options: ActiveOptions = {}): Promise<string[]> {
    const after = options.after;
    const ids = [...this.unsettled].filter((id) => after === undefined || id > after).sort();
    return ids.slice(0, options.limit ?? DEFAULT_ACTIVE_LIMIT);
  }

  active(options: ActiveOptions = {}): Promise<CallState[]> {
    return this.gated(() => {
      const rows = this.q.active.pluck().all(options.after ?? '', options.limit ?? DEFAULT_ACTIVE_LIMIT) as string[];
      return rows.map((json) => JSON.parse(json) as CallState);
    });
  }

  transcript(id: string): Promise<TranscriptEntry[]> {
    return this.gated(() => {
      const trows = this.q.getTrows.pluck().get(id) as string | undefined;
      if (trows === undefined || trows === '') return [];
      const rows = this.q.entries.pluck().all(`[${trows}]`) as string[];
      const entries = rows.flatMap((json) => JSON.parse(json) as TranscriptEntry[]);
      return entries.length > this.transcriptLimit ? entries.slice(entries.length - this.transcriptLimit) : entries;
    });
  }

  async putScript(script: StoredScript): Promise<void> {
    await this.gated(() => {
      this.q.putScript.run(script.name, script.version, script.source, script.file ?? null, Date.now());
    });
  }

  async getScript(name: string, version: string): Promise<StoredScript | undefined> {
    const row = await this.gated(
      () => this.q.getScript.get(name, version) as { source: string; file: string | null } | undefined,
      false,
    );
    if (row === undefined) return undefined;
    return { name, version, source: row.source, ...(row.file !== null ? { file: row.file } : {}) };
  }

  sweep(now: number): Promise<CallState[]> {
    return this.gated(() => {
      const idle = (this.q.idle.pluck().all(now - this.timings.idleTtlMs, SWEEP_BATCH) as string[]).map(
        (json) => JSON.parse(json) as CallState,
      );
      const ended = this.q.endedBefore.pluck().all(now - this.timings.endedRetentionMs, SWEEP_BATCH) as string[];
      this.db.transaction(() => {
        for (const state of idle) {
          this.unsettled.delete(state.id);
          this.deleteTx(state.id);
        }
        for (const id of ended) this.deleteTx(id);
        this.q.pruneScripts.run(now - SCRIPT_GRACE_MS);
      })();
      return idle;
    });
  }

  async clear(): Promise<void> {
    await this.gated(() => {
      this.unsettled.clear();
      this.db.exec('DELETE FROM calls; DELETE FROM sessions; DELETE FROM transcript;');
    });
  }

  /**
   * Runs `work` on the server's connection: at once unless the checkpoint thread holds the
   * gate (it is starting the WAL over), else as soon as it lets go, the event loop running
   * meanwhile. The server's connection is never used while the thread holds the gate, so the
   * thread never waits for the server's readers or writers. `commitFirst` (writes, and reads
   * that must see every write made): the pending writes are committed first.
   */
  private async gated<T>(work: () => T, commitFirst = true): Promise<T> {
    for (;;) {
      const gate = this.gate;
      if (gate === undefined || gate.enter()) {
        try {
          if (commitFirst) this.commit();
          return work();
        } finally {
          gate?.leave();
        }
      }
      await gate.opened();
    }
  }

  /** The group commit at the end of a turn of the event loop; later while the thread holds the gate. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const gate = this.gate;
    if (gate === undefined) {
      this.commit();
      return;
    }
    if (gate.enter()) {
      try {
        this.commit();
      } finally {
        gate.leave();
      }
      return;
    }
    this.flushScheduled = true;
    void gate.opened().then(() => this.flush());
  }

  /** Commits the pending writes, on the server's connection (the caller holds the gate if there is one). */
  private commit(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.putBatchTx(batch);
    } catch {
      // One bad write must not fail the others: retry them one by one, each with its own answer.
      for (const w of batch) {
        try {
          this.putTx(w.state, w.entries);
          w.resolve();
        } catch (err) {
          w.reject(err);
        }
      }
      return;
    }
    for (const w of batch) w.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.gated(() => {
      if (this.closed) return;
      this.closed = true;
      // Not waited for: a thread still starting would hold up every close by a tenth of a second.
      void this.checkpointer?.stop();
      // The last connection to close (this one or the thread's) checkpoints the WAL into the file and removes it.
      this.db.close();
      this.fileLock?.release();
    });
  }
}

interface PendingWrite {
  readonly state: CallState;
  readonly entries: readonly TranscriptEntry[] | undefined;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

function makeFolder(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new StoreUnavailableError(`cannot create the folder of ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function openDatabase(path: string): Database.Database {
  let db: Database.Database;
  try {
    // The checkpoint thread's connection never makes a writer wait; the timeout is for the moment it opens.
    db = new Database(path, { timeout: 1000 });
  } catch (err) {
    throw new StoreUnavailableError(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // Before WAL: a new file gets the smaller pages (an existing one keeps its own).
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreUnavailableError(`${path} was written by a newer callscript (schema ${version}; this one knows ${SCHEMA_VERSION})`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreUnavailableError) throw err;
    if (isBusy(err)) throw new StoreInUseError(path, { cause: err });
    throw new StoreUnavailableError(`cannot use ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function lockFile(path: string): FileLock {
  try {
    return FileLock.acquire(`${path}.lock`);
  } catch (err) {
    if (isBusy(err)) throw new StoreInUseError(path, { cause: err });
    throw new StoreUnavailableError(`cannot lock ${path}.lock: ${(err as Error).message}`, { cause: err });
  }
}

function isBusy(err: unknown): boolean {
  return err instanceof Database.SqliteError && (err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED');
}

function prepare(db: Database.Database) {
  return {
    getCall: db.prepare('SELECT state FROM calls WHERE id = ?'),
    // Adds the new transcript row (if any) to the call's list; returns the list.
    upsertCall: db.prepare(
      `INSERT INTO calls (id, state, script, version, ended, updated_at, trows) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, ended = excluded.ended, updated_at = excluded.updated_at,
         trows = CASE WHEN excluded.trows = '' THEN calls.trows WHEN calls.trows = '' THEN excluded.trows
                      ELSE calls.trows || ',' || excluded.trows END
       RETURNING trows`,
    ),
    getTrows: db.prepare('SELECT trows FROM calls WHERE id = ?'),
    setTrows: db.prepare('UPDATE calls SET trows = ? WHERE id = ?'),
    deleteCall: db.prepare('DELETE FROM calls WHERE id = ?'),
    claimSession: db.prepare('INSERT OR IGNORE INTO sessions (session, id) VALUES (?, ?)'),
    findSession: db.prepare('SELECT id FROM sessions WHERE session = ?'),
    deleteSessions: db.prepare('DELETE FROM sessions WHERE id = ?'),
    addEntries: db.prepare('INSERT INTO transcript (entries) VALUES (?)'),
    // The rowid lists are passed as JSON arrays.
    entries: db.prepare('SELECT entries FROM transcript WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid'),
    deleteEntries: db.prepare('DELETE FROM transcript WHERE rowid IN (SELECT value FROM json_each(?))'),
    active: db.prepare('SELECT state FROM calls WHERE ended = 0 AND id > ? ORDER BY id LIMIT ?'),
    activeIds: db.prepare('SELECT id FROM calls WHERE ended = 0'),
    idle: db.prepare('SELECT state FROM calls WHERE ended = 0 AND updated_at <= ? LIMIT ?'),
    endedBefore: db.prepare('SELECT id FROM calls WHERE ended = 1 AND updated_at <= ? LIMIT ?'),
    putScript: db.prepare(
      `INSERT INTO scripts (name, version, source, file, stored_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name, version) DO UPDATE SET stored_at = max(stored_at, excluded.stored_at)`,
    ),
    getScript: db.prepare('SELECT source, file FROM scripts WHERE name = ? AND version = ?'),
    pruneScripts: db.prepare(
      `DELETE FROM scripts WHERE stored_at <= ?
       AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.script = scripts.name AND calls.version = scripts.version)`,
    ),
  };
}
