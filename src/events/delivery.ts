/**
 * Delivers call summaries to each script's `events_url`, in the background: a
 * summary is put in the outbox when the call ends, POSTed at once, and retried
 * with exponential backoff (bounded in attempts and in total time) while the
 * receiver fails. Nothing here can affect a call: the call has ended before its
 * summary exists, and every failure is a log line (and a count) only.
 *
 * A summary is never sent unsigned: when the secret's environment variable is
 * not set, it is dropped with an error log line.
 */
import { request } from 'undici';
import type { CallState, Outcome } from '../engine/state.js';
import type { Logger } from '../log/logger.js';
import { redactText, redactUrl } from '../log/redact.js';
import type { Script } from '../script/model.js';
import type { EventOutbox, OutboxItem } from './outbox.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './signature.js';
import { buildSummary } from './summary.js';

export type DeliveryResult = 'delivered' | 'retry' | 'gave-up' | 'unsigned';

export interface DeliveryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubled for each one after (ms). */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A summary older than this is given up even with attempts left (ms). */
  readonly maxAgeMs: number;
  /** Each POST's timeout (ms). */
  readonly requestTimeoutMs: number;
  /** How often due retries are looked for (ms). */
  readonly pollMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  maxAgeMs: 60 * 60_000,
  requestTimeoutMs: 5000,
  pollMs: 1000,
};

export interface EventDeliveryOptions {
  readonly outbox: EventOutbox;
  readonly log: Logger;
  /** Signing secrets by environment variable name (default: process.env). */
  readonly env?: (name: string) => string | undefined;
  /** This server's own base URL, for `events_url: /path` (known once it listens). */
  readonly selfUrl?: () => string;
  readonly policy?: Partial<DeliveryPolicy>;
  readonly now?: () => number;
  /** Counts each outcome (metrics). */
  readonly onResult?: (result: DeliveryResult) => void;
}

/** Where the runner hands finished calls. */
export interface CallSummarySink {
  callEnded(script: Script, state: CallState, outcome: Outcome): void;
}

export class EventDelivery implements CallSummarySink {
  private readonly policy: DeliveryPolicy;
  private readonly now: () => number;
  private readonly env: (name: string) => string | undefined;
  private readonly sending = new Map<string, Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly o: EventDeliveryOptions) {
    this.policy = { ...DEFAULT_DELIVERY_POLICY, ...o.policy };
    this.now = o.now ?? Date.now;
    this.env = o.env ?? ((name) => process.env[name]);
    this.timer = setInterval(() => this.flush(), this.policy.pollMs);
    this.timer.unref();
    // Summaries a previous run could not deliver go out now.
    this.flush();
  }

  callEnded(script: Script, state: CallState, outcome: Outcome): void {
    const events = script.events;
    if (events === undefined || this.closed) return;
    try {
      const now = this.now();
      const body = JSON.stringify(buildSummary(script, state, outcome, now));
      const item: OutboxItem = { id: state.id, url: events.url, secretEnv: events.secretEnv, body, attempts: 0, nextAt: now, createdAt: now };
      this.o.outbox.add(item);
      this.attempt(item);
    } catch (err) {
      this.o.log.error({ call: state.id, script: script.name, err: err instanceof Error ? err.message : String(err) }, 'events.failed');
    }
  }

  /** Waits for the deliveries in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending.values()]);
  }

  /** Attempts every due summary now. */
  flush(): void {
    if (this.closed) return;
    let due: OutboxItem[];
    try {
      due = this.o.outbox.due(this.now(), 100);
    } catch (err) {
      this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'events.outbox_failed');
      return;
    }
    for (const item of due) this.attempt(item);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.idle();
    this.o.outbox.close();
  }

  private attempt(item: OutboxItem): void {
    if (this.sending.has(item.id)) return;
    const work = this.send(item).finally(() => this.sending.delete(item.id));
    this.sending.set(item.id, work);
  }

  private target(url: string): string {
    return url.startsWith('/') ? `${(this.o.selfUrl?.() ?? '').replace(/\/+$/, '')}${url}` : url;
  }

  private async send(item: OutboxItem): Promise<void> {
    const { log } = this.o;
    const secret = this.env(item.secretEnv);
    if (secret === undefined || secret === '') {
      this.o.outbox.remove(item.id);
      log.error({ call: item.id, url: redactUrl(item.url), env: item.secretEnv }, 'events.unsigned_refused');
      this.o.onResult?.('unsigned');
      return;
    }
    const attempts = item.attempts + 1;
    const timestamp = Math.floor(this.now() / 1000);
    const url = this.target(item.url);
    // events_url may carry a token in its query: logged without it.
    const shown = redactUrl(url);
    let problem: string;
    try {
      const res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'callscript',
          [SIGNATURE_HEADER]: sign(secret, timestamp, item.body),
          [TIMESTAMP_HEADER]: String(timestamp),
          [EVENT_ID_HEADER]: item.id,
        },
        body: item.body,
        headersTimeout: this.policy.requestTimeoutMs,
        bodyTimeout: this.policy.requestTimeoutMs,
        signal: AbortSignal.timeout(this.policy.requestTimeoutMs),
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        this.o.outbox.remove(item.id);
        log.info({ call: item.id, url: shown, status: res.statusCode, attempts }, 'events.delivered');
        this.o.onResult?.('delivered');
        return;
      }
      problem = `HTTP ${res.statusCode}`;
    } catch (err) {
      problem = redactText(err instanceof Error ? err.message : String(err), { urls: [url], secrets: [secret] });
    }
    const now = this.now();
    const delay = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (attempts - 1));
    if (attempts >= this.policy.maxAttempts || now + delay - item.createdAt > this.policy.maxAgeMs) {
      this.o.outbox.remove(item.id);
      log.error({ call: item.id, url: shown, attempts, err: problem }, 'events.gave_up');
      this.o.onResult?.('gave-up');
      return;
    }
    this.o.outbox.reschedule(item.id, attempts, now + delay);
    log.warn({ call: item.id, url: shown, attempts, delayMs: delay, err: problem }, 'events.retry');
    this.o.onResult?.('retry');
  }
}
