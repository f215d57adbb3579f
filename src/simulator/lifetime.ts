/**
 * Owns every timer and pending wait of one simulator, so `close()` can end them all and
 * nothing keeps the process alive afterwards.
 */
import { setMaxListeners } from 'node:events';
import { SimulatorClosedError } from './errors.js';

/** Rejection reason of a wait cut short by a cancelled block or a closed simulator. */
export class CancelledError extends Error {
  readonly code = 'cancelled';
  constructor(readonly why: string) {
    super(`cancelled: ${why}`);
    this.name = 'CancelledError';
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || err instanceof SimulatorClosedError;
}

export class Lifetime {
  readonly #ac = new AbortController();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor() {
    // Every pending wait and delivery listens for close; hundreds of calls are normal.
    setMaxListeners(0, this.#ac.signal);
  }

  get signal(): AbortSignal {
    return this.#ac.signal;
  }

  get closed(): boolean {
    return this.#ac.signal.aborted;
  }

  /** Waits `ms`; rejects when `signal` aborts or the simulator closes. `ms <= 0` does not yield to timers. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const reason = this.#abortReason(signal);
    if (reason) return Promise.reject(reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(t);
        this.#timers.delete(t);
        cleanup();
        reject(this.#abortReason(signal) ?? new CancelledError('aborted'));
      };
      const cleanup = (): void => {
        this.#ac.signal.removeEventListener('abort', onAbort);
        signal?.removeEventListener('abort', onAbort);
      };
      const t = setTimeout(() => {
        this.#timers.delete(t);
        cleanup();
        resolve();
      }, ms);
      this.#timers.add(t);
      this.#ac.signal.addEventListener('abort', onAbort, { once: true });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `fn` after `ms` unless cancelled (by the returned function or by close). */
  timer(ms: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
    return () => {
      clearTimeout(t);
      this.#timers.delete(t);
    };
  }

  /**
   * Races `promise` against `signal` and close. The loser is not cancelled: callers use this
   * for agent decisions, which cannot be interrupted, only ignored.
   */
  race<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
    const reason = this.#abortReason(signal);
    if (reason) return Promise.reject(reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        cleanup();
        reject(this.#abortReason(signal) ?? new CancelledError('aborted'));
      };
      const cleanup = (): void => {
        this.#ac.signal.removeEventListener('abort', onAbort);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#ac.signal.addEventListener('abort', onAbort, { once: true });
      signal?.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (v) => {
          cleanup();
          resolve(v);
        },
        (e: unknown) => {
          cleanup();
          reject(e);
        },
      );
    });
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#ac.abort(new SimulatorClosedError());
  }

  #abortReason(signal?: AbortSignal): Error | undefined {
    if (this.#ac.signal.aborted) return new SimulatorClosedError();
    if (signal?.aborted) {
      const r: unknown = signal.reason;
      return r instanceof Error ? r : new CancelledError(String(r));
    }
    return undefined;
  }
}
