/**
 * The count behind a simulator's `settled()`: the webhooks and notifications
 * it has started and not finished. A test awaits `settled()` before reading a
 * transcript, so the answers to what the simulator sent are in it.
 */
export class WorkCounter {
  readonly #waiters: Array<() => void> = [];
  #count = 0;

  get count(): number {
    return this.#count;
  }

  begin(n = 1): void {
    this.#count += n;
  }

  done(n = 1): void {
    this.#count = Math.max(0, this.#count - n);
    if (this.#count === 0) for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Forgets all of it: at close, work that was aborted may never report back, and nobody may be left waiting for it. */
  clear(): void {
    this.done(this.#count);
  }

  /** Resolves once nothing is in flight: at once when nothing is. */
  settled(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
