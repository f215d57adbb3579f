/**
 * Sends notifications to the engine the way Hoiio did: a form POST to the block's notify_url
 * (its query string kept), optionally signed, never retried.
 *
 * Each call has its own queue: one delivery at a time, in order, so a call's notifications
 * reach the engine in the order the blocks finished unless a fault says otherwise.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import { errorCode } from '../util/error-code.js';
import { KeyedQueue } from '../util/keyed-queue.js';
import type { Lifetime } from './lifetime.js';
import type { CallSession } from './session.js';
import type {
  DeliveryResult,
  ForgeOptions,
  ForgeResult,
  NotificationEncoding,
  NotificationEntry,
  NotificationFault,
  NotificationFaultContext,
} from './types.js';
import type { WorkCounter } from './work-counter.js';

export type Fields = Record<string, string>;

export interface NotifierOptions {
  readonly lifetime: Lifetime;
  readonly accessToken: string;
  readonly sign: boolean;
  readonly encoding: NotificationEncoding;
  readonly timeoutMs: number;
  readonly reorderHoldMs: number;
  readonly fault: (ctx: NotificationFaultContext) => NotificationFault | undefined;
  /** The simulator's count behind settled(): each notification counts from send() until it is delivered, dropped or discarded. */
  readonly work: WorkCounter;
}

interface Item {
  readonly url: string;
  readonly fields: Fields;
  readonly fault: NotificationFault | undefined;
}

interface Held {
  readonly items: Item[];
  cancel: () => void;
}

export function sign(body: string, key: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

export class Notifier {
  readonly #opts: NotifierOptions;
  /** Short keep-alive: the engine may restart between tests on the same port. */
  readonly #dispatcher = new Agent({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });
  readonly #queue = new KeyedQueue<CallSession>();
  readonly #held = new Map<CallSession, Held>();
  #index = 0;
  #nextId = 1;

  constructor(opts: NotifierOptions) {
    this.#opts = opts;
  }

  /** Queues a notification for `call`; returns at once. */
  send(call: CallSession, url: string, fields: Fields): void {
    if (this.#opts.lifetime.closed) return;
    const fault = this.#opts.fault({
      kind: 'notification',
      index: this.#index++,
      session: call.session,
      callIndex: call.notificationCount++,
      url,
      fields,
    });
    this.#opts.work.begin();
    const item: Item = { url, fields, fault };
    const held = this.#held.get(call);
    if (fault?.reorder) {
      if (held) {
        held.items.push(item);
        return;
      }
      const h: Held = { items: [item], cancel: () => undefined };
      h.cancel = this.#opts.lifetime.timer(this.#opts.reorderHoldMs, () => this.#release(call));
      this.#held.set(call, h);
      return;
    }
    this.#enqueue(call, item);
    // The held one goes after the notification that overtook it.
    if (held) this.#release(call);
  }

  /** Sends a notification outside any queue and returns what the engine answered. */
  async forge(
    call: CallSession | undefined,
    url: string,
    fields: Fields,
    options: ForgeOptions = {},
  ): Promise<ForgeResult> {
    const mode = options.signature ?? 'none';
    return this.#deliver(call, url, fields, 0, mode === 'none' ? 'none' : mode, true);
  }

  /** Drops held notifications and aborts deliveries in flight (the lifetime is closed first). */
  async close(): Promise<void> {
    for (const [, held] of this.#held) {
      held.cancel();
      this.#opts.work.done(held.items.length);
    }
    this.#held.clear();
    await this.#queue.drain();
    await this.#dispatcher.destroy().catch(() => undefined);
  }

  #release(call: CallSession): void {
    const held = this.#held.get(call);
    if (!held) return;
    this.#held.delete(call);
    held.cancel();
    for (const item of held.items) this.#enqueue(call, item);
  }

  #enqueue(call: CallSession, item: Item): void {
    const done = (): void => this.#opts.work.done();
    // Never before `send` returns: the call's log has what its caller adds next first.
    void this.#queue.run(call, () => Promise.resolve().then(() => this.#run(call, item))).then(done, done);
  }

  async #run(call: CallSession, item: Item): Promise<void> {
    const { lifetime } = this.#opts;
    const fault = item.fault;
    if (fault?.delayMs) {
      try {
        await lifetime.sleep(fault.delayMs);
      } catch {
        return;
      }
    }
    if (lifetime.closed) return;
    if (fault?.drop) {
      const entry = this.#entry(call, item.url, item.fields, undefined, 0, false);
      this.#result(call, entry, { error: 'dropped', ms: 0 });
      return;
    }
    const copies = 1 + Math.max(0, Math.floor(fault?.duplicate ?? 0));
    for (let copy = 0; copy < copies && !lifetime.closed; copy++) {
      const mode = this.#opts.sign ? 'valid' : 'none';
      const res = await this.#deliver(call, item.url, item.fields, copy, mode, false);
      const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
      if (ok && item.fields.call_state === 'ended') call.endKnownToEngine = true;
    }
  }

  async #deliver(
    call: CallSession | undefined,
    url: string,
    fields: Fields,
    copy: number,
    signature: 'valid' | 'invalid' | 'none',
    forged: boolean,
  ): Promise<ForgeResult> {
    const { lifetime, encoding, accessToken } = this.#opts;
    const form = new URLSearchParams(fields).toString();
    let target = url;
    if (encoding !== 'body') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(fields)) u.searchParams.append(k, v);
      target = u.toString();
    }
    const body = encoding === 'query' ? '' : form;
    const sig =
      signature === 'valid' ? sign(body, accessToken) : signature === 'invalid' ? sign(body, `not-${accessToken}`) : undefined;
    const entry = this.#entry(call, target, fields, sig, copy, forged);

    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' };
    if (sig !== undefined) headers['x-hoiio-signature'] = sig;
    const started = performance.now();
    const ac = new AbortController();
    const onClose = (): void => ac.abort(new Error('closed'));
    lifetime.signal.addEventListener('abort', onClose, { once: true });
    let timedOut = false;
    const cancelTimeout = lifetime.timer(this.#opts.timeoutMs, () => {
      timedOut = true;
      ac.abort(new Error('timeout'));
    });
    try {
      const res = await request(target, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.#dispatcher,
        signal: ac.signal,
      });
      const text = await res.body.text();
      const result = { status: res.statusCode, ms: Math.round(performance.now() - started) };
      this.#result(call, entry, result);
      return { status: res.statusCode, body: text };
    } catch (err) {
      const error = timedOut ? 'timeout' : lifetime.closed ? 'closed' : failureName(err);
      this.#result(call, entry, { error, ms: Math.round(performance.now() - started) });
      return { error, body: '' };
    } finally {
      cancelTimeout();
      lifetime.signal.removeEventListener('abort', onClose);
    }
  }

  #entry(
    call: CallSession | undefined,
    url: string,
    fields: Fields,
    signature: string | undefined,
    copy: number,
    forged: boolean,
  ): NotificationEntry | undefined {
    const id = this.#nextId++;
    if (!call) return undefined;
    const base = { kind: 'notification' as const, id, url, fields: { ...fields }, copy, forged };
    return call.add(signature === undefined ? base : { ...base, signature });
  }

  #result(call: CallSession | undefined, entry: NotificationEntry | undefined, result: DeliveryResult): void {
    if (!call || !entry) return;
    entry.result = result;
    call.add({ kind: 'delivery', notificationId: entry.id, result });
  }
}

function failureName(err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.message : String(err));
}
