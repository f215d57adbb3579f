/**
 * The port every provider adapter plugs into. The runtime knows providers only
 * through this: a capability table (what the provider can do, and whether it is
 * driven by *push* — each block sent over REST — or by *reply* — each webhook's
 * answer is the next block), a REST client (every block for push providers;
 * outbound dials and forced hangups for reply providers), the callback URL the
 * provider reports a block's result to, and the webhook routes, mounted at
 * `/<name>`. Everything that knows a provider's wire format lives in its folder.
 */
import type { Hono } from 'hono';
import type { ProviderCapabilities } from '../engine/capabilities.js';
import type { Logger } from '../log/logger.js';
import type { CallRunner } from '../runtime/call-runner.js';
import type { WebhookRoute } from '../server/webhook.js';
import type { ProviderClient } from './provider.js';

/** Why a webhook was answered with an error status (a metrics label). */
export type RefusalReason =
  | 'too-large'
  | 'aborted'
  | 'unsupported-media-type'
  | 'signature-invalid'
  | 'signature-missing'
  | 'bad-notification'
  | 'unknown-call'
  | 'bad-token'
  | 'session-mismatch'
  | 'unknown-script'
  | 'busy'
  | 'error';

/**
 * The part of the runtime an adapter's routes drive: what a webhook reports goes
 * in here, the block to answer with comes out. Adapters see no more of the runner
 * than this (the bench's replayed runtime, bench/twiml/floor.ts, stands in for it).
 */
export type AdapterRuntime = Pick<CallRunner, 'inbound' | 'endedWhileRinging' | 'notify' | 'inboundReply' | 'replyTo' | 'callEnded' | 'store'>;

/** What an adapter's routes get from the server. */
export interface AdapterContext {
  readonly runner: AdapterRuntime;
  readonly log: Logger;
  /** Largest webhook body accepted (bytes); larger ones get 413. */
  readonly maxBodyBytes: number;
  /** The base URL the provider reaches this server at (known once it listens). */
  readonly publicUrl: () => string;
  /** Told about every webhook answered with an error, by reason (for metrics). */
  readonly onRefused?: (reason: RefusalReason) => void;
}

/**
 * An adapter's routes: its POST webhooks, written against `WebhookRequest` so
 * the node server can dispatch them without Hono (the hot path) while Hono
 * serves them too (`app.request()` in tests), and any routes only Hono serves.
 */
export interface AdapterRoutes {
  readonly webhooks: readonly WebhookRoute[];
  /** Adds the adapter's other routes (a WebSocket upgrade, downloads) to its Hono app. */
  readonly more?: (app: Hono) => void;
}

export interface ProviderAdapter {
  readonly capabilities: ProviderCapabilities;
  readonly client: ProviderClient;
  /** The absolute URL the provider reports on block `seq` of call `id` at; `token` binds it to that call. */
  callbackUrl(publicUrl: string, id: string, seq: number, token: string): string;
  /** The provider's webhooks, mounted at `/<capabilities.name>`. */
  routes(context: AdapterContext): AdapterRoutes;
  /**
   * The routes take WebSocket upgrades (with `upgradeWebSocket` from
   * @hono/node-server): jambonz streams a caller's audio to one to record it.
   */
  readonly websockets?: boolean;
}
