import { LockTimeoutError } from './errors.js';
import type { Lease } from './session-store.js';

/** A lock no one holds (fences start at 1). */
const FREE = 0;

/** Released locks the table keeps before it forgets them together (see `fences`). */
const KEPT_FREE = 1024;

/**
 * Call locks for stores owned by one process (memory, SQLite). The runner already
 * serialises each call's work in-process, so these are rarely contended; they keep
 * the store contract (exclusion, bounded waits, fencing) honest for every caller.
 * Locks are never expired: a holder in this process cannot be "dead" while the
 * process lives.
 */
export class LocalLocks {
  /**
   * Each call's lock: its holder's fence, or FREE. A released lock keeps its entry, and the
   * table forgets released locks all at once when it holds `KEPT_FREE` of them: a lock taken
   * and released per webhook was an entry added and deleted per webhook, and a long-lived Map
   * rebuilds its table, in the old generation, as entries come and go (54 bytes of old-generation
   * garbage per add and delete, seven per call, for the collector's threads to mark and sweep;
   * docs/performance.md, "The eleventh look"). Updating an entry in place allocates nothing.
   */
  private readonly fences = new Map<string, number>();
  /** Waiters in arrival order, only for locks someone waits for; the releaser hands the lock to the first. */
  private readonly waiting = new Map<string, Array<(fence: number) => void>>();
  private nextFence = 0;
  private held = 0;

  constructor(private readonly defaultWaitMs: number) {}

  async acquire(id: string, waitMs = this.defaultWaitMs): Promise<Lease> {
    const current = this.fences.get(id);
    if (current === undefined || current === FREE) return this.grant(id, current === undefined);
    const queue = this.waitersOf(id);
    const fence = await new Promise<number>((resolve, reject) => {
      const waiter = (granted: number): void => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        if (queue.length === 0 && this.waiting.get(id) === queue) this.waiting.delete(id);
        reject(new LockTimeoutError(id, waitMs));
      }, waitMs);
      queue.push(waiter);
    });
    return new LocalLease(this, id, fence);
  }

  /** The lock at once if no one holds it; undefined when someone does (nothing is queued). */
  tryAcquire(id: string): Lease | undefined {
    const current = this.fences.get(id);
    if (current !== undefined && current !== FREE) return undefined;
    return this.grant(id, current === undefined);
  }

  /** Gives `lease`'s lock up, to the first waiter if any; nothing for a lock it no longer holds. */
  release(lease: Lease): void {
    const { id } = lease;
    if (this.fences.get(id) !== lease.fence) return;
    const waiters = this.waiting.get(id);
    const next = waiters?.shift();
    if (next === undefined) {
      this.fences.set(id, FREE);
      this.held--;
      return;
    }
    if (waiters?.length === 0) this.waiting.delete(id);
    const fence = ++this.nextFence;
    this.fences.set(id, fence);
    next(fence);
  }

  /** True while `lease` is the current holder of its call's lock. */
  holds(lease: Lease): boolean {
    return this.fences.get(lease.id) === lease.fence;
  }

  /** Locks held now (for tests and checks). */
  get heldCount(): number {
    return this.held;
  }

  /** Entries in the table, held or kept free (for tests). */
  get size(): number {
    return this.fences.size;
  }

  private waitersOf(id: string): Array<(fence: number) => void> {
    let waiters = this.waiting.get(id);
    if (waiters === undefined) {
      waiters = [];
      this.waiting.set(id, waiters);
    }
    return waiters;
  }

  private grant(id: string, added: boolean): Lease {
    if (added && this.fences.size - this.held >= KEPT_FREE) this.forgetFree();
    const fence = ++this.nextFence;
    this.fences.set(id, fence);
    this.held++;
    return new LocalLease(this, id, fence);
  }

  /** Drops every released lock: with none held (the usual case), a new empty table rather than a thousand deletes, each of which may rebuild it. */
  private forgetFree(): void {
    if (this.held === 0) {
      this.fences.clear();
      return;
    }
    for (const [id, fence] of this.fences) if (fence === FREE) this.fences.delete(id);
  }
}

/** A lease as a class: every webhook takes one, and a closure per lease was an allocation more. */
class LocalLease implements Lease {
  constructor(
    private readonly locks: LocalLocks,
    readonly id: string,
    readonly fence: number,
  ) {}

  async release(): Promise<void> {
    this.locks.release(this);
  }
}
