/**
 * The memory store keeps at most `endedLimit` ended calls: the oldest ended goes
 * first, with its session binding and transcript; calls in progress are never
 * dropped for the limit, and an ended call written again counts once.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEMORY_ENDED_LIMIT, MemoryStore } from '../../src/store/memory-store.js';
import { openStore } from '../../src/store/open-store.js';
import { callState, sentEntry } from './states.js';

async function endCall(store: MemoryStore, id: string, session: string): Promise<void> {
  const state = callState({ id, session });
  await store.claimSession(session, id);
  await store.put(state, { transcript: [sentEntry(1, `hello ${id}`)] });
  await store.put({ ...state, status: 'ended', outcome: 'completed', pending: null });
}

describe('MemoryStore endedLimit', () => {
  it('keeps the most recently ended calls, dropping the oldest with its session and transcript', async () => {
    const store = new MemoryStore({ endedLimit: 3, transcriptLimit: 10 });
    const inProgress = callState({ id: 'live', session: 'S-live' });
    await store.claimSession('S-live', 'live');
    await store.put(inProgress);
    for (let i = 1; i <= 5; i++) await endCall(store, `e${i}`, `S-e${i}`);
    for (const gone of ['e1', 'e2']) {
      expect(await store.get(gone)).toBeUndefined();
      expect(await store.findBySession(`S-${gone}`)).toBeUndefined();
      expect(await store.transcript(gone)).toEqual([]);
    }
    for (const kept of ['e3', 'e4', 'e5']) {
      expect((await store.get(kept))?.status).toBe('ended');
      expect(await store.findBySession(`S-${kept}`)).toBe(kept);
      expect(await store.transcript(kept)).toHaveLength(1);
    }
    // The call in progress is older than all of them, and stays.
    expect(await store.get('live')).toEqual(inProgress);
    expect(store.size).toBe(4);
  });

  it('counts an ended call written again once', async () => {
    const store = new MemoryStore({ endedLimit: 2 });
    await endCall(store, 'a', 'S-a');
    await endCall(store, 'b', 'S-b');
    const b = await store.get('b');
    // A duplicate end (a retried status callback) writes the ended state again: nothing is dropped for it.
    await store.put({ ...b!, updatedAt: b!.updatedAt + 1 });
    await store.put({ ...b!, updatedAt: b!.updatedAt + 2 });
    expect((await store.get('a'))?.status).toBe('ended');
    expect((await store.get('b'))?.status).toBe('ended');
    await endCall(store, 'c', 'S-c');
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
  });

  it('skips calls already swept or deleted when their turn to be dropped comes', async () => {
    const store = new MemoryStore({ endedLimit: 2, endedRetentionMs: 0 });
    await endCall(store, 'a', 'S-a');
    await endCall(store, 'b', 'S-b');
    await store.sweep(Date.now() + 1);
    expect(store.size).toBe(0);
    await endCall(store, 'c', 'S-c');
    await endCall(store, 'd', 'S-d');
    expect(store.size).toBe(2);
    await endCall(store, 'e', 'S-e');
    expect(await store.get('c')).toBeUndefined();
    expect((await store.get('d'))?.status).toBe('ended');
    expect((await store.get('e'))?.status).toBe('ended');
  });

  it('reads what was written last for an id, in progress or ended, and lists only calls in progress as active', async () => {
    const store = new MemoryStore({ endedLimit: 5 });
    const state = callState({ id: 'x', session: 'S-x' });
    await store.put(state);
    const ended = { ...state, status: 'ended' as const, outcome: 'completed' as const };
    await store.put(ended);
    expect(await store.get('x')).toEqual(ended);
    expect(await store.active()).toEqual([]);
    // Never done by the runner (an ended call stays ended); the store still answers with the last write.
    await store.put(state);
    expect(await store.get('x')).toEqual(state);
    expect((await store.active()).map((s) => s.id)).toEqual(['x']);
    await store.delete('x');
    expect(await store.get('x')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('defaults to 10,000, takes its limit from the store spec, and refuses one that is not a positive integer', async () => {
    expect(DEFAULT_MEMORY_ENDED_LIMIT).toBe(10_000);
    const store = await openStore('memory?ended_limit=1');
    expect(store).toBeInstanceOf(MemoryStore);
    await endCall(store as MemoryStore, 'x', 'S-x');
    await endCall(store as MemoryStore, 'y', 'S-y');
    expect(await store.get('x')).toBeUndefined();
    expect(await store.get('y')).toBeDefined();
    expect(() => new MemoryStore({ endedLimit: 0 })).toThrow(RangeError);
    expect(() => new MemoryStore({ endedLimit: 1.5 })).toThrow(RangeError);
  });
});
