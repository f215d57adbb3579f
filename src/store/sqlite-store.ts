import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { CallState } from '../engine/state.js';
import { StaleLeaseError, StoreInUseError, StoreUnavailableError } from './errors.js';
import { LocalLocks } from './local-locks.js';
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
 * 2 KiB pages: a step dirties a few pages (the call's row, its age index entry, a
 * transcript row), and smaller pages halve what each commit appends to the WAL and
 * each checkpoint copies back; a call's state (under 1 KB) still fits in a page.
 */
const PAGE_SIZE = 2048;
/** Checkpoint every 4 MB of WAL, as SQLite's default does with 4 KiB pages. */
const AUTOCHECKPOINT_PAGES = 2000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS calls (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  script TEXT NOT NULL,
  version TEXT NOT NULL,
  ended INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- transcript rows written so far (the number of the last one)
  tn INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_by_age ON calls (ended, updated_at);
CREATE INDEX IF NOT EXISTS calls_by_script ON calls (script, version);
CREATE TABLE IF NOT EXISTS sessions (
  session TEXT PRIMARY KEY,
  id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_call ON sessions (id);
-- one row per write: the JSON array of the entries that write added
CREATE TABLE IF NOT EXISTS transcript (
  id TEXT NOT NULL,
  n INTEGER NOT NULL,
  entries TEXT NOT NULL,
  PRIMARY KEY (id, n)
) WITHOUT ROWID;
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
 * - `locking_mode=EXCLUSIVE`: the file is locked for as long as the process lives, so
 *   a second server pointed at the same file refuses to start (`StoreInUseError`)
 *   instead of running calls twice; the OS drops the lock when a process dies,
 *   `kill -9` included. One process, one connection: call locks are in-process
 *   (`LocalLocks`), and the WAL index lives in process memory.
 * - better-sqlite3 is synchronous: each write blocks the event loop for its
 *   duration, about 0.1 ms, and a checkpoint (every 4 MB of WAL, with its fsyncs)
 *   for tens of milliseconds; see docs/stores.md for measurements.
 * - A transcript row per write (the entries it added, as one JSON array) keeps
 *   the per-step cost at one small insert; reads flatten them and keep the cap.
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
  private readonly deleteTx: (id: string) => void;
  private closed = false;

  constructor(path: string, options: StoreOptions = {}) {
    this.path = path === ':memory:' ? path : resolve(path);
    this.durable = path !== ':memory:';
    this.timings = {
      idleTtlMs: options.idleTtlMs ?? DEFAULT_STORE_TIMINGS.idleTtlMs,
      endedRetentionMs: options.endedRetentionMs ?? DEFAULT_STORE_TIMINGS.endedRetentionMs,
    };
    this.transcriptLimit = options.transcriptLimit ?? TRANSCRIPT_LIMIT;
    this.locks = new LocalLocks(options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    this.db = openDatabase(this.path);
    this.q = prepare(this.db);

    const q = this.q;
    this.putTx = this.db.transaction((state: CallState, entries: readonly TranscriptEntry[] | undefined) => {
      const keep = entries !== undefined && entries.length > 0 && this.transcriptLimit > 0;
      const n = q.upsertCall.pluck().get(
        state.id,
        JSON.stringify(state),
        state.script,
        state.version,
        state.status === 'ended' ? 1 : 0,
        state.updatedAt,
        keep ? 1 : 0,
      ) as number;
      if (!keep) return;
      q.addEntries.run(state.id, n, JSON.stringify(entries));
      // Each row holds at least one entry, so the newest `transcriptLimit` rows hold enough.
      if (n > this.transcriptLimit) q.trimEntries.run(state.id, n - this.transcriptLimit);
    });
    this.deleteTx = this.db.transaction((id: string) => {
      q.deleteCall.run(id);
      q.deleteEntries.run(id);
      q.deleteSessions.run(id);
    });
  }

  async get(id: string): Promise<CallState | undefined> {
    const json = this.q.getCall.pluck().get(id) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as CallState);
  }

  async put(state: CallState, options: PutOptions = {}): Promise<void> {
    if (options.lease !== undefined && !this.locks.holds(options.lease)) throw new StaleLeaseError(state.id, options.lease.fence);
    this.putTx(state, options.transcript);
  }

  async delete(id: string): Promise<void> {
    this.deleteTx(id);
  }

  async claimSession(session: string, id: string): Promise<boolean> {
    this.q.claimSession.run(session, id);
    return this.q.findSession.pluck().get(session) === id;
  }

  async findBySession(session: string): Promise<string | undefined> {
    return this.q.findSession.pluck().get(session) as string | undefined;
  }

  lock(id: string, options: LockOptions = {}): Promise<Lease> {
    return this.locks.acquire(id, options.waitMs);
  }

  async active(options: ActiveOptions = {}): Promise<CallState[]> {
    const rows = this.q.active.pluck().all(options.after ?? '', options.limit ?? DEFAULT_ACTIVE_LIMIT) as string[];
    return rows.map((json) => JSON.parse(json) as CallState);
  }

  async transcript(id: string): Promise<TranscriptEntry[]> {
    const rows = this.q.entries.pluck().all(id) as string[];
    const entries = rows.flatMap((json) => JSON.parse(json) as TranscriptEntry[]);
    return entries.length > this.transcriptLimit ? entries.slice(entries.length - this.transcriptLimit) : entries;
  }

  async putScript(script: StoredScript): Promise<void> {
    this.q.putScript.run(script.name, script.version, script.source, script.file ?? null, Date.now());
  }

  async getScript(name: string, version: string): Promise<StoredScript | undefined> {
    const row = this.q.getScript.get(name, version) as { source: string; file: string | null } | undefined;
    if (row === undefined) return undefined;
    return { name, version, source: row.source, ...(row.file !== null ? { file: row.file } : {}) };
  }

  async sweep(now: number): Promise<CallState[]> {
    const idle = (this.q.idle.pluck().all(now - this.timings.idleTtlMs, SWEEP_BATCH) as string[]).map(
      (json) => JSON.parse(json) as CallState,
    );
    const ended = this.q.endedBefore.pluck().all(now - this.timings.endedRetentionMs, SWEEP_BATCH) as string[];
    this.db.transaction(() => {
      for (const state of idle) this.deleteTx(state.id);
      for (const id of ended) this.deleteTx(id);
      this.q.pruneScripts.run(now - SCRIPT_GRACE_MS);
    })();
    return idle;
  }

  async clear(): Promise<void> {
    this.db.exec('DELETE FROM calls; DELETE FROM sessions; DELETE FROM transcript;');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Closing checkpoints the WAL into the file and removes it.
    this.db.close();
  }
}

function openDatabase(path: string): Database.Database {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new StoreUnavailableError(`cannot create the folder of ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 0 });
  } catch (err) {
    throw new StoreUnavailableError(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // Before WAL: the WAL index then lives in process memory (no -shm file), and a
    // new file gets the smaller pages (an existing one keeps its own).
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    // Takes the exclusive lock now, not at the first call: a second server fails at startup.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
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

function isBusy(err: unknown): boolean {
  return err instanceof Database.SqliteError && (err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED');
}

function prepare(db: Database.Database) {
  return {
    getCall: db.prepare('SELECT state FROM calls WHERE id = ?'),
    // Returns the call's transcript row count, moved on by one when the write adds entries.
    upsertCall: db.prepare(
      `INSERT INTO calls (id, state, script, version, ended, updated_at, tn) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, ended = excluded.ended, updated_at = excluded.updated_at,
         tn = calls.tn + excluded.tn
       RETURNING tn`,
    ),
    deleteCall: db.prepare('DELETE FROM calls WHERE id = ?'),
    claimSession: db.prepare('INSERT OR IGNORE INTO sessions (session, id) VALUES (?, ?)'),
    findSession: db.prepare('SELECT id FROM sessions WHERE session = ?'),
    deleteSessions: db.prepare('DELETE FROM sessions WHERE id = ?'),
    addEntries: db.prepare('INSERT OR REPLACE INTO transcript (id, n, entries) VALUES (?, ?, ?)'),
    trimEntries: db.prepare('DELETE FROM transcript WHERE id = ? AND n <= ?'),
    entries: db.prepare('SELECT entries FROM transcript WHERE id = ? ORDER BY n'),
    deleteEntries: db.prepare('DELETE FROM transcript WHERE id = ?'),
    active: db.prepare('SELECT state FROM calls WHERE ended = 0 AND id > ? ORDER BY id LIMIT ?'),
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
