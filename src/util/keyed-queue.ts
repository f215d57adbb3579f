/**
 * Runs tasks one at a time per key, in the order they were queued, and lets
 * tasks for different keys run concurrently: the runtime applies a call's
 * notifications in arrival order, one at a time; the Hoiio simulator delivers a
 * call's notifications the same way. Keys are compared as Map keys (a string, or
 * an object by identity).
 */
export class KeyedQueue<K> {
  private readonly tails = new Map<K, Promise<void>>();

  /**
   * Queues `task` behind every task already queued for `key`; resolves with its
   * result. With nothing queued for the key, the task starts at once (before `run` returns).
   */
  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous === undefined ? task() : previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** True when nothing is queued or running for `key` (a task that just finished may still count for a tick). */
  idle(key: K): boolean {
    return !this.tails.has(key);
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves once everything queued so far has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
