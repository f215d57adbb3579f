import { describe, expect, it } from 'vitest';
import { randomIds } from '../../src/runtime/ids.js';

describe('randomIds', () => {
  it('makes URL-safe call ids and 128-bit tokens, never twice, across many refills of its random pool', () => {
    const ids = new Set<string>();
    const tokens = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = randomIds.callId();
      const token = randomIds.token();
      expect(id).toMatch(/^c[A-Za-z0-9_-]{12}$/);
      expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      ids.add(id);
      tokens.add(token);
    }
    expect(ids.size).toBe(20_000);
    expect(tokens.size).toBe(20_000);
  });

  it('hands out independent strings (no id changes when the next one is made)', () => {
    const first = randomIds.callId();
    const copy = `${first}`;
    for (let i = 0; i < 1000; i++) randomIds.callId();
    expect(first).toBe(copy);
  });
});
