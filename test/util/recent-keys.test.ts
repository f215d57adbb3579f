import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../../src/util/recent-keys.js';

describe('RecentKeys', () => {
  it('remembers up to its capacity and forgets the oldest first', () => {
    const recent = new RecentKeys<string>(3);
    for (const k of ['a', 'b', 'c']) expect(recent.add(k)).toBe(true);
    expect(recent.size).toBe(3);
    expect(recent.add('d')).toBe(true);
    expect(recent.has('a')).toBe(false);
    expect(['b', 'c', 'd'].every((k) => recent.has(k))).toBe(true);
    expect(recent.size).toBe(3);
  });

  it('does not move or duplicate a key added again', () => {
    const recent = new RecentKeys<string>(2);
    recent.add('a');
    expect(recent.add('a')).toBe(false);
    recent.add('b');
    recent.add('c');
    // 'a' was the oldest, whatever it was added again: it goes first.
    expect(recent.has('a')).toBe(false);
    expect(recent.has('b') && recent.has('c')).toBe(true);
  });

  it('keeps its size bounded over many keys', () => {
    const recent = new RecentKeys<number>(100);
    for (let i = 0; i < 10_000; i++) recent.add(i);
    expect(recent.size).toBe(100);
    expect(recent.has(9_999) && recent.has(9_900)).toBe(true);
    expect(recent.has(9_899)).toBe(false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentKeys(0)).toThrow(RangeError);
    expect(() => new RecentKeys(1.5)).toThrow(RangeError);
  });
});
