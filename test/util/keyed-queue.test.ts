import { describe, expect, it } from 'vitest';
import { KeyedQueue } from '../../src/util/keyed-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedQueue', () => {
  it("runs one key's tasks one at a time in order, other keys' alongside", async () => {
    const queue = new KeyedQueue<string>();
    const log: string[] = [];
    const gate = deferred();
    const a1 = queue.run('a', async () => {
      log.push('a1 start');
      await gate.promise;
      log.push('a1 end');
      return 1;
    });
    const a2 = queue.run('a', async () => {
      log.push('a2');
      return 2;
    });
    const b1 = queue.run('b', async () => {
      log.push('b1');
      return 3;
    });
    expect(await b1).toBe(3);
    // a2 waits for a1, which waits for the gate; b1 did not.
    expect(log).toEqual(['a1 start', 'b1']);
    gate.resolve();
    expect(await Promise.all([a1, a2])).toEqual([1, 2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it("a failed task rejects its own result only: the key's next task still runs", async () => {
    const queue = new KeyedQueue<string>();
    const failed = queue.run('k', () => Promise.reject(new Error('boom')));
    const next = queue.run('k', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ran');
  });

  it('keys objects by identity; drain waits for all queued work and leaves no key behind', async () => {
    const queue = new KeyedQueue<object>();
    const one = {};
    const two = {};
    const finished: string[] = [];
    const gate = deferred();
    void queue.run(one, async () => {
      await gate.promise;
      finished.push('one');
    });
    void queue.run(two, async () => void finished.push('two'));
    void queue.run(one, async () => void finished.push('one again'));
    const drained = queue.drain().then(() => finished.push('drained'));
    gate.resolve();
    await drained;
    expect(finished).toEqual(['two', 'one', 'one again', 'drained']);
    expect(queue.size).toBe(0);
  });
});
