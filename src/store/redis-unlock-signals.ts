import type { Redis } from 'ioredis';

interface Channel {
  readonly listeners: Set<() => void>;
  readonly subscribed: Promise<unknown>;
}

/**
 * Wakes lock waiters when a holder releases: the release script PUBLISHes on the
 * call's unlock channel and waiters listen on a shared subscriber connection, so a
 * waiter retries the moment the lock is free instead of polling. Channels are
 * subscribed only while someone waits on them (uncontended locks cost nothing here).
 * A lost message only delays a waiter until the holder's lock would expire.
 */
export class UnlockSignals {
  private subscriber: Redis | undefined;
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly main: Redis) {}

  /** Calls `onSignal` on every release of the channel until the returned function is called. */
  async listen(channel: string, onSignal: () => void): Promise<() => void> {
    const sub = this.connection();
    let entry = this.channels.get(channel);
    if (entry === undefined) {
      const subscribed = sub.subscribe(channel).catch((err: unknown) => {
        // Let the next waiter try again rather than inherit this failure.
        if (this.channels.get(channel) === created) this.channels.delete(channel);
        throw err;
      });
      const created: Channel = { listeners: new Set(), subscribed };
      entry = created;
      this.channels.set(channel, entry);
    }
    const current = entry;
    current.listeners.add(onSignal);
    await current.subscribed;
    return () => {
      current.listeners.delete(onSignal);
      if (current.listeners.size === 0 && this.channels.get(channel) === current) {
        this.channels.delete(channel);
        sub.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub !== undefined) await sub.quit().catch(() => sub.disconnect());
  }

  private connection(): Redis {
    if (this.subscriber === undefined) {
      const sub = this.main.duplicate({ enableAutoPipelining: false });
      sub.on('message', (channel: string) => {
        const entry = this.channels.get(channel);
        if (entry !== undefined) for (const listener of [...entry.listeners]) listener();
      });
      // Errors surface as waits that end at the holder's expiry; keep them off the process.
      sub.on('error', () => undefined);
      this.subscriber = sub;
    }
    return this.subscriber;
  }
}
