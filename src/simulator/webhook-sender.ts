/**
 * One webhook to the app, as a provider that runs its calls by asking the app
 * (the TwiML family, jambonz) sends it, whatever its wire format: a
 * notification fault may delay or drop it, the provider's timeout cuts it
 * short, the simulator's close() aborts it, settled() waits for it, and the
 * call's transcript records it (a notification entry, then its delivery), so
 * a test reads what the app was sent and how it answered. The dialect builds
 * what goes on the wire (encoding, signature) once any fault delay is over,
 * so that a signature's timestamp is when the request really left.
 */
import { Agent, request } from 'undici';
import { errorCode } from '../util/error-code.js';
import type { ResolvedFaults } from './faults.js';
import type { Lifetime } from './lifetime.js';
import type { CallSession } from './session.js';
import type { ForgeResult, NotificationEntry } from './types.js';
import type { WorkCounter } from './work-counter.js';

/** Transport errors that mean the app could not be reached at all: a provider may tell them from an answer that failed or came late (Twilio: 11205, not 11200). */
const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** The request as it goes on the wire, in the dialect's encoding. */
export interface WireRequest {
  /** What is requested, a GET's query included. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** A POST's body; a GET carries none. */
  readonly body?: string;
  /** The signature header's value, for the transcript: the header's name is the dialect's. */
  readonly signature?: string;
}

export interface Webhook {
  /** The URL as the app gave it (before `reach`, without a GET's fields): what the transcript, a fault plan and an error name. */
  readonly url: string;
  /** The fields as the transcript shows them. */
  readonly fields: Readonly<Record<string, string>>;
  /** Sent by a test through `forge()`: no fault applies to it. */
  readonly forged: boolean;
  /** Builds the request on the wire; called once, after any fault delay. */
  wire(): WireRequest;
}

export type WebhookFailure = 'timeout' | 'unreachable' | 'other';

export type WebhookResult =
  | {
      readonly status: number;
      /** As undici read it: a list when the app sent the header more than once (each dialect reads that its own way). */
      readonly contentType: string | readonly string[] | undefined;
      readonly text: string;
    }
  | { readonly error: string; readonly failure: WebhookFailure };

export interface WebhookSenderOptions {
  readonly lifetime: Lifetime;
  /** The simulator's count behind settled(): a webhook counts from its start to its answer. */
  readonly work: WorkCounter;
  /** Read at each webhook, since a test may swap the plan mid-call. */
  readonly faults: () => ResolvedFaults;
  /** The provider's webhook timeout. */
  readonly timeoutMs: number;
  /** Where a URL the app wrote is actually requested (its public URL mapped to where it listens). */
  readonly reach?: (url: string) => string;
}

export class WebhookSender {
  readonly #o: WebhookSenderOptions;
  readonly #dispatcher = new Agent({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });
  #notificationIndex = 0;
  #notificationId = 0;

  constructor(options: WebhookSenderOptions) {
    this.#o = options;
  }

  /** Sends `hook` for `call` (none: a forged webhook for a call the simulator does not know); never throws. */
  async send(call: CallSession | undefined, hook: Webhook): Promise<WebhookResult> {
    const { lifetime, work, timeoutMs } = this.#o;
    const { url, fields, forged } = hook;
    work.begin();
    try {
      const fault = call !== undefined && !forged ? this.#o.faults().notification({ kind: 'notification', index: this.#notificationIndex++, session: call.session, callIndex: call.notificationCount++, url, fields }) : undefined;
      if (fault?.delayMs !== undefined && fault.delayMs > 0) await lifetime.sleep(fault.delayMs);
      const wire = hook.wire();
      const id = ++this.#notificationId;
      const entry: NotificationEntry | undefined = call?.add({ kind: 'notification', id, url, fields: { ...fields }, copy: 0, forged, ...(wire.signature !== undefined ? { signature: wire.signature } : {}) });
      const started = performance.now();
      const finish = (result: { status?: number; error?: string }): void => {
        if (call === undefined || entry === undefined) return;
        const done = { ...result, ms: Math.round(performance.now() - started) };
        entry.result = done;
        call.add({ kind: 'delivery', notificationId: id, result: done });
      };
      if (fault?.drop === true) {
        finish({ error: 'dropped' });
        return { error: 'dropped', failure: 'other' };
      }
      const ac = new AbortController();
      let timedOut = false;
      const cancel = lifetime.timer(timeoutMs, () => {
        timedOut = true;
        ac.abort(new Error('timeout'));
      });
      const onClose = (): void => ac.abort(new Error('closed'));
      lifetime.signal.addEventListener('abort', onClose, { once: true });
      try {
        const res = await request(this.#o.reach?.(wire.url) ?? wire.url, {
          method: wire.method,
          headers: wire.headers,
          ...(wire.body !== undefined ? { body: wire.body } : {}),
          dispatcher: this.#dispatcher,
          signal: ac.signal,
        });
        const text = await res.body.text();
        finish({ status: res.statusCode });
        return { status: res.statusCode, contentType: res.headers['content-type'], text };
      } catch (err) {
        const error = timedOut ? 'timeout' : lifetime.closed ? 'closed' : (errorCode(err) ?? (err instanceof Error ? err.message : String(err)));
        finish({ error });
        const failure = timedOut ? 'timeout' : UNREACHABLE.has(error) ? 'unreachable' : 'other';
        return { error: timedOut ? `no answer from ${url} within ${timeoutMs} ms` : `${url}: ${error}`, failure };
      } finally {
        cancel();
        lifetime.signal.removeEventListener('abort', onClose);
      }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err), failure: 'other' };
    } finally {
      work.done();
    }
  }

  /** Stops reaching the app: pooled connections are dropped (webhooks still out were aborted by the lifetime). */
  async close(): Promise<void> {
    await this.#dispatcher.destroy().catch(() => undefined);
  }
}

/** What a forged webhook's sender is told: the app's status and body, or why nothing came. */
export function forgeResult(result: WebhookResult): ForgeResult {
  return 'error' in result ? { error: result.error, body: '' } : { status: result.status, body: result.text };
}
