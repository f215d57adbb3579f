/**
 * Call summaries waiting to be delivered. The memory outbox loses them on a
 * restart; the SQLite one (`<store file>-events`, beside a `sqlite:` store)
 * keeps them, so a summary that could not be delivered before a restart is sent
 * after it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface OutboxItem {
  /** The event id (the call id). */
  readonly id: string;
  readonly url: string;
  /** The environment variable holding the signing secret. */
  readonly secretEnv: string;
  readonly body: string;
  /** Delivery attempts made so far. */
  readonly attempts: number;
  /** When the next attempt is due (ms since the epoch). */
  readonly nextAt: number;
  readonly createdAt: number;
}

export interface EventOutbox {
  readonly durable: boolean;
  add(item: OutboxItem): void;
  /** Items due at `now`, oldest first. */
  due(now: number, limit: number): OutboxItem[];
  reschedule(id: string, attempts: number, nextAt: number): void;
  remove(id: string): void;
  size(): number;
  close(): void;
}

export class MemoryOutbox implements EventOutbox {
  readonly durable = false;
  private readonly items = new Map<string, OutboxItem>();

  add(item: OutboxItem): void {
    this.items.set(item.id, item);
  }

  due(now: number, limit: number): OutboxItem[] {
    return [...this.items.values()]
      .filter((i) => i.nextAt <= now)
      .sort((a, b) => a.nextAt - b.nextAt)
      .slice(0, limit);
  }

  reschedule(id: string, attempts: number, nextAt: number): void {
    const item = this.items.get(id);
    if (item !== undefined) this.items.set(id, { ...item, attempts, nextAt });
  }

  remove(id: string): void {
    this.items.delete(id);
  }

  size(): number {
    return this.items.size;
  }

  close(): void {
    this.items.clear();
  }
}

/** Opened on first use (or at start when the file exists): a server whose scripts send no summaries creates no file. */
export class SqliteOutbox implements EventOutbox {
  readonly durable = true;
  private opened: { db: Database.Database; q: Record<'add' | 'due' | 'reschedule' | 'remove' | 'size', Database.Statement> } | undefined;
  private closed = false;

  constructor(readonly path: string) {
    if (existsSync(path)) this.open();
  }

  private open(): NonNullable<SqliteOutbox['opened']> {
    if (this.opened !== undefined) return this.opened;
    mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path, { timeout: 1000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id TEXT PRIMARY KEY,
      url TEXT NOT NULL,
      secret_env TEXT NOT NULL,
      body TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_at);`);
    this.opened = {
      db,
      q: {
        add: db.prepare(
          'INSERT OR REPLACE INTO outbox (id, url, secret_env, body, attempts, next_at, created_at) VALUES (@id, @url, @secretEnv, @body, @attempts, @nextAt, @createdAt)',
        ),
        due: db.prepare(
          'SELECT id, url, secret_env AS secretEnv, body, attempts, next_at AS nextAt, created_at AS createdAt FROM outbox WHERE next_at <= ? ORDER BY next_at LIMIT ?',
        ),
        reschedule: db.prepare('UPDATE outbox SET attempts = ?, next_at = ? WHERE id = ?'),
        remove: db.prepare('DELETE FROM outbox WHERE id = ?'),
        size: db.prepare('SELECT count(*) FROM outbox'),
      },
    };
    return this.opened;
  }

  add(item: OutboxItem): void {
    if (!this.closed) this.open().q.add.run(item);
  }

  due(now: number, limit: number): OutboxItem[] {
    if (this.opened === undefined || this.closed) return [];
    return this.opened.q.due.all(now, limit) as OutboxItem[];
  }

  reschedule(id: string, attempts: number, nextAt: number): void {
    if (!this.closed) this.opened?.q.reschedule.run(attempts, nextAt, id);
  }

  remove(id: string): void {
    if (!this.closed) this.opened?.q.remove.run(id);
  }

  size(): number {
    return this.opened === undefined ? 0 : (this.opened.q.size.pluck().get() as number);
  }

  close(): void {
    this.closed = true;
    if (this.opened?.db.open) this.opened.db.close();
  }
}
