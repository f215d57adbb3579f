/**
 * The most recent `capacity` keys, oldest forgotten first: "have I seen this one
 * lately" in constant time. A `Set` that evicts with `values().next()` is not:
 * V8 leaves a hole for every deleted entry at the front of the table, and each
 * `next()` walks all of them until the next rehash (5.5 µs against 0.3 µs per
 * add at 10 000 keys, measured on the webhook path; docs/performance.md).
 */
export class RecentKeys<K> {
  private readonly keys = new Set<K>();
  private readonly ring: Array<K | undefined>;
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<K | undefined>(capacity);
  }

  has(key: K): boolean {
    return this.keys.has(key);
  }

  /** Remembers `key` (a key already remembered keeps its place); returns false when it was already there. */
  add(key: K): boolean {
    if (this.keys.has(key)) return false;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) this.keys.delete(oldest);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.keys.add(key);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
