import { LockTimeoutError } from './errors.js';
import type { Lease } from './session-store.js';

interface Held {
  fence: number;
  /** Waiters in arrival order; the releaser hands the lock to the first. */
  readonly waiters: Array<(fence: number) => void>;
}

/**
 * Call locks for stores owned by one process (memory, SQLite). The runner already
 * serialises each call's work in-process, so these are rarely contended; they keep
 * the store contract (exclusion, bounded waits, fencing) honest for every caller.
 * Locks are never expired: a holder in this process cannot be "dead" while the
 * process lives. Only held locks take memory.
 */
export class LocalLocks {
  private readonly held = new Map<string, Held>();
  private nextFence = 0;

  constructor(private readonly defaultWaitMs: number) {}

  async acquire(id: string, waitMs = this.defaultWaitMs): Promise<Lease> {
    const entry = this.held.get(id);
    if (entry === undefined) {
      const fence = ++this.nextFence;
      this.held.set(id, { fence, waiters: [] });
      return this.lease(id, fence);
    }
    const fence = await new Promise<number>((resolve, reject) => {
      const waiter = (granted: number): void => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        const i = entry.waiters.indexOf(waiter);
        if (i >= 0) entry.waiters.splice(i, 1);
        reject(new LockTimeoutError(id, waitMs));
      }, waitMs);
      entry.waiters.push(waiter);
    });
    return this.lease(id, fence);
  }

  /** The lock at once if no one holds it; undefined when someone does (nothing is queued). */
  tryAcquire(id: string): Lease | undefined {
    if (this.held.has(id)) return undefined;
    const fence = ++this.nextFence;
    this.held.set(id, { fence, waiters: [] });
    return this.lease(id, fence);
  }

  /** Gives `lease`'s lock up, to the first waiter if any; nothing for a lock it no longer holds. */
  release(lease: Lease): void {
    const entry = this.held.get(lease.id);
    if (entry === undefined || entry.fence !== lease.fence) return;
    const next = entry.waiters.shift();
    if (next === undefined) {
      this.held.delete(lease.id);
      return;
    }
    entry.fence = ++this.nextFence;
    next(entry.fence);
  }

  /** True while `lease` is the current holder of its call's lock. */
  holds(lease: Lease): boolean {
    return this.held.get(lease.id)?.fence === lease.fence;
  }

  private lease(id: string, fence: number): Lease {
    return new LocalLease(this, id, fence);
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
