import { describe, expect, it } from 'vitest';
import { LockTimeoutError } from '../../src/store/errors.js';
import { LocalLocks } from '../../src/store/local-locks.js';

describe('LocalLocks', () => {
  it('excludes a second holder until the first releases, with a new fence each time', async () => {
    const locks = new LocalLocks(1000);
    const first = locks.tryAcquire('c1');
    expect(first).toBeDefined();
    expect(locks.tryAcquire('c1')).toBeUndefined();
    // Another call's lock is its own.
    const other = locks.tryAcquire('c2');
    expect(other).toBeDefined();
    await first?.release();
    const second = locks.tryAcquire('c1');
    expect(second?.fence).toBeGreaterThan(first?.fence ?? Number.POSITIVE_INFINITY);
    expect(locks.holds(second!)).toBe(true);
    expect(locks.holds(first!)).toBe(false);
    expect(locks.heldCount).toBe(2);
  });

  it('ignores the release of a lease it no longer holds', async () => {
    const locks = new LocalLocks(1000);
    const first = locks.tryAcquire('c1')!;
    await first.release();
    const second = locks.tryAcquire('c1')!;
    await first.release();
    expect(locks.holds(second)).toBe(true);
    expect(locks.tryAcquire('c1')).toBeUndefined();
    expect(locks.heldCount).toBe(1);
  });

  it('hands the lock to waiters in arrival order, each with a newer fence', async () => {
    const locks = new LocalLocks(1000);
    const holder = await locks.acquire('c1');
    const order: string[] = [];
    const a = locks.acquire('c1').then((l) => (order.push('a'), l));
    const b = locks.acquire('c1').then((l) => (order.push('b'), l));
    await holder.release();
    const la = await a;
    expect(locks.holds(la)).toBe(true);
    expect(la.fence).toBeGreaterThan(holder.fence);
    expect(locks.tryAcquire('c1')).toBeUndefined();
    await la.release();
    const lb = await b;
    expect(order).toEqual(['a', 'b']);
    expect(lb.fence).toBeGreaterThan(la.fence);
    await lb.release();
    expect(locks.heldCount).toBe(0);
    expect(locks.tryAcquire('c1')).toBeDefined();
  });

  it('times a waiter out without disturbing the holder or the waiters behind it', async () => {
    const locks = new LocalLocks(1000);
    const holder = await locks.acquire('c1');
    const early = locks.acquire('c1', 20);
    const patient = locks.acquire('c1', 5000);
    await expect(early).rejects.toBeInstanceOf(LockTimeoutError);
    expect(locks.holds(holder)).toBe(true);
    await holder.release();
    const next = await patient;
    expect(locks.holds(next)).toBe(true);
    await next.release();
    // The timed-out waiter left nothing behind: the lock is free at once.
    expect(locks.tryAcquire('c1')).toBeDefined();
  });

  it('forgets released locks once it keeps a thousand, and keeps every held one', async () => {
    const locks = new LocalLocks(1000);
    const held = [locks.tryAcquire('held-1')!, locks.tryAcquire('held-2')!];
    for (let i = 0; i < 5000; i++) await locks.tryAcquire(`c${i}`)!.release();
    expect(locks.size).toBeLessThanOrEqual(1024 + held.length + 1);
    for (const lease of held) expect(locks.holds(lease)).toBe(true);
    expect(locks.tryAcquire('held-1')).toBeUndefined();
    expect(locks.heldCount).toBe(2);
    for (const lease of held) await lease.release();
    // With none held, the table starts again empty.
    for (let i = 0; i < 2000; i++) await locks.tryAcquire(`d${i}`)!.release();
    expect(locks.size).toBeLessThanOrEqual(1025);
    expect(locks.heldCount).toBe(0);
  });

  it('keeps a lock held across the table forgetting released ones, so its holder still excludes others', async () => {
    const locks = new LocalLocks(1000);
    const long = await locks.acquire('long');
    const waiter = locks.acquire('long');
    for (let i = 0; i < 3000; i++) await locks.tryAcquire(`c${i}`)!.release();
    expect(locks.holds(long)).toBe(true);
    await long.release();
    const next = await waiter;
    expect(locks.holds(next)).toBe(true);
    await next.release();
  });
});
