/** A small typed event emitter whose `on` returns the unsubscribe function. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, fn: (value: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (v: Events[K]) => void)(value);
      } catch (err) {
        // A broken listener (a test's or a UI's) must not break the call it observes.
        process.emitWarning(`simulator listener for "${String(event)}" threw: ${String(err)}`);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
