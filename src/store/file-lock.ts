/**
 * One server per SQLite store: an exclusive lock on `<file>.lock`, held for as
 * long as the store is open and dropped by the operating system when the process
 * dies (`kill -9` included), so a crashed server never blocks its restart.
 *
 * The lock is a tiny SQLite file in `locking_mode=EXCLUSIVE`: Node has no
 * `flock`, and SQLite's locks behave the same between two processes and between
 * two connections of one process. The store itself cannot hold it: the
 * checkpoint thread needs a second connection to the store's file.
 */
import Database from 'better-sqlite3';

export class FileLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock; throws `SqliteError` SQLITE_BUSY while another holder has it. */
  static acquire(file: string): FileLock {
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      // The first write takes the exclusive lock, which EXCLUSIVE mode never gives back.
      db.exec('BEGIN EXCLUSIVE; COMMIT');
      return new FileLock(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
