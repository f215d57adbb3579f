import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import type { Hono } from 'hono';
import type { Logger } from '../log/logger.js';
import { messageLimits } from '../engine/capabilities.js';
import { hoiioAdapter } from '../provider/hoiio/adapter.js';
import type { ProviderAdapter } from '../provider/port.js';
import type { ProviderClient } from '../provider/provider.js';
import { CallRunner } from '../runtime/call-runner.js';
import { mergeHooks, type RunnerHooks } from '../runtime/hooks.js';
import { EngineMetrics } from '../metrics/engine-metrics.js';
import type { IdSource } from '../runtime/ids.js';
import { ScriptRegistry } from '../runtime/script-registry.js';
import type { ScriptReloader } from '../reload/reloader.js';
import { startReloader, type ReloadSetup } from '../reload/setup.js';
import type { Script } from '../script/model.js';
import { MemoryStore } from '../store/memory-store.js';
import { describeStore, openStore } from '../store/open-store.js';
import type { SessionStore } from '../store/session-store.js';
import { createApp } from './app.js';
import { nodeWebhooks, serverWithWebhooks } from './webhook-node.js';
import type { ServerConfig } from './config.js';
import type { CallRunnerOptions } from '../runtime/call-runner.js';
import { EventDelivery, type DeliveryPolicy } from '../events/delivery.js';
import { scriptingMetrics } from '../events/metrics.js';
import { MemoryOutbox, SqliteOutbox, type EventOutbox } from '../events/outbox.js';
import { HttpExecutor } from '../http-step/execute.js';
import { parseStoreSpec } from '../store/open-store.js';

/** Call summaries waiting for delivery live beside a `sqlite:` store (`<file>-events`), so a restart does not drop them. */
function eventOutbox(config: ServerConfig, storeGiven: boolean): EventOutbox {
  if (storeGiven || config.store === undefined) return new MemoryOutbox();
  const spec = parseStoreSpec(config.store.spec);
  return spec.kind === 'sqlite' && spec.path !== ':memory:' ? new SqliteOutbox(`${spec.path}-events`) : new MemoryOutbox();
}

export interface StartOptions {
  readonly config: ServerConfig;
  readonly scripts: readonly Script[];
  readonly log: Logger;
  readonly store?: SessionStore;
  /** The provider's client: with no adapter given, Hoiio's adapter around this client (tests stand in for Hoiio's API this way). */
  readonly provider?: ProviderClient;
  /** The provider (Hoiio from `config.hoiio` when absent). */
  readonly adapter?: ProviderAdapter;
  /** Reply-mode providers: how long a webhook waits for the next block before answering with a hold (default 8 s, under the providers' 10–15 s deadlines). */
  readonly replyWaitMs?: number;
  readonly hooks?: RunnerHooks;
  readonly ids?: IdSource;
  readonly mount?: (app: Hono) => void;
  /** Hot reload: keep the scripts in step with their folder (GET /scripts shows it). */
  readonly reload?: ReloadSetup;
  /** Scripting features (see CallRunnerOptions): per-call setup by tools, the wall clock of `hours` steps. */
  readonly callSetup?: CallRunnerOptions['callSetup'];
  readonly clock?: () => number;
  /** Environment variables for http headers and event secrets (default: process.env). */
  readonly env?: (name: string) => string | undefined;
  /** Call summaries: the outbox (default: beside a `sqlite:` store, else in memory) and the retry policy. */
  readonly events?: { readonly outbox?: EventOutbox; readonly policy?: Partial<DeliveryPolicy> };
}

export interface RunningServer {
  /** Where the server listens, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The base URL put in notify URLs. */
  readonly publicUrl: string;
  readonly port: number;
  readonly app: Hono;
  readonly runner: CallRunner;
  readonly scripts: ScriptRegistry;
  readonly store: SessionStore;
  readonly provider: ProviderClient;
  /** Present when started with `reload`: `reload('signal')` on SIGHUP. */
  readonly reloader?: ScriptReloader;
  /** What `GET /metrics` serves. */
  readonly metrics: EngineMetrics;
  /** Delivers call summaries of scripts with `events_url`. */
  readonly events: EventDelivery;
  close(): Promise<void>;
}

/** Wires scripts, store, provider client and HTTP routes together and listens. */
export async function startServer(o: StartOptions): Promise<RunningServer> {
  const { config, log } = o;
  const scripts = new ScriptRegistry(o.scripts);
  const store = o.store ?? (config.store !== undefined ? await openStore(config.store.spec, config.store) : new MemoryStore());
  if (o.store === undefined && config.store !== undefined) {
    // Calls parked in a durable store continue on their next notification; any a crash left mid-step are reconciled once listening.
    const parked = await store.active({ limit: 1000 });
    log.info({ store: describeStore(config.store.spec), durable: store.durable, activeCalls: parked.length }, 'store.opened');
    if (!store.durable) log.warn({ store: store.kind }, 'store.not_durable');
  }
  const adapter = o.adapter ?? hoiioAdapter(config.hoiio, o.provider);
  const provider = adapter.client;
  // The public URL may depend on the port the OS picks, known only after listen().
  let publicUrl = config.publicUrl?.replace(/\/+$/, '') ?? '';
  const metrics = new EngineMetrics(scripts);
  const env = o.env ?? ((name: string) => process.env[name]);
  const scripting = scriptingMetrics(metrics.registry);
  let listening = '';
  const events = new EventDelivery({
    outbox: o.events?.outbox ?? eventOutbox(config, o.store !== undefined),
    log,
    env,
    selfUrl: () => listening,
    ...(o.events?.policy !== undefined ? { policy: o.events.policy } : {}),
    onResult: scripting.onDelivery,
  });
  const runner = new CallRunner({
    scripts,
    store,
    provider,
    log,
    notifyUrl: (id, seq, token) => adapter.callbackUrl(publicUrl, id, seq, token),
    delivery: adapter.capabilities.delivery,
    ...(o.replyWaitMs !== undefined ? { replyWaitMs: o.replyWaitMs } : {}),
    limits: messageLimits(adapter.capabilities),
    capabilities: adapter.capabilities,
    ...(adapter.capabilities.callFields !== undefined ? { callFields: adapter.capabilities.callFields } : {}),
    maxSteps: config.maxSteps,
    hooks: mergeHooks(metrics.hooks(), scripting.hooks, o.hooks),
    http: new HttpExecutor({ env }),
    summaries: events,
    ...(o.callSetup !== undefined ? { callSetup: o.callSetup } : {}),
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
    ...(o.ids !== undefined ? { ids: o.ids } : {}),
  });
  const reload = o.reload;
  const reloader =
    reload !== undefined
      ? await startReloader(
          {
            ...reload,
            onReload: (report) => {
              metrics.reloaded(report);
              reload.onReload?.(report);
            },
          },
          scripts,
          log,
        )
      : undefined;
  const webhooks = adapter.routes({
    runner,
    log,
    maxBodyBytes: config.maxBodyBytes,
    publicUrl: () => publicUrl,
    onRefused: (reason) => metrics.notificationRefused(reason),
  });
  const app = createApp({
    runner,
    scripts,
    log,
    adapter,
    webhooks,
    maxBodyBytes: config.maxBodyBytes,
    ...(config.apiToken !== undefined ? { apiToken: config.apiToken } : {}),
    ...(o.mount !== undefined ? { mount: o.mount } : {}),
    ...(reloader !== undefined ? { catalog: reloader } : {}),
    metrics,
    ...(config.metricsToken !== undefined ? { metricsToken: config.metricsToken } : {}),
  });

  // Only for adapters whose routes take WebSocket upgrades; audio frames are small, so a large one is refused.
  const sockets = adapter.websockets === true ? new WebSocketServer({ noServer: true, maxPayload: 1 << 20 }) : undefined;
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve(
        {
          fetch: app.fetch,
          port: config.port,
          hostname: config.host,
          // The provider's webhooks go straight to their handlers; everything else to Hono (webhook-node.ts).
          createServer: serverWithWebhooks(nodeWebhooks(`/${adapter.capabilities.name}`, webhooks.webhooks, log)),
          ...(sockets !== undefined ? { websocket: { server: sockets } } : {}),
        },
        () => resolve(s),
      );
      s.once('error', reject);
    });
  } catch (err) {
    await reloader?.close();
    await runner.close();
    await events.close();
    // A store opened here is ours to close (a SQLite file stays locked while open).
    if (o.store === undefined) await store.close();
    throw err;
  }
  server.on('error', (err) => log.error({ err }, 'server.error'));
  // Providers and load balancers reuse connections; Node's 5 s default (minus undici's
  // 2 s margin) would make most webhook deliveries open a new connection.
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (publicUrl === '') publicUrl = `http://localhost:${port}`;
  listening = url;
  log.info({ url, publicUrl, scripts: scripts.list().map((s) => s.name), store: store.kind }, 'server.listening');
  // Calls a killed predecessor (or, on Redis, a dead server) left in the middle of a step; only once
  // listening, so a notification for such a call settles it instead of being refused (docs/durability.md).
  void runner.recoverLogged(true);

  let closing: Promise<void> | undefined;
  return {
    url,
    publicUrl,
    port,
    app,
    runner,
    scripts,
    store,
    provider,
    ...(reloader !== undefined ? { reloader } : {}),
    metrics,
    events,
    close: () =>
      (closing ??= (async () => {
        await reloader?.close();
        // An open WebSocket would hold close() open: its peer sees the connection end, and its handlers finish up.
        for (const ws of sockets?.clients ?? []) ws.terminate();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive sockets would hold close() open until they time out.
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await runner.close();
        await events.close();
        await provider.close();
        await store.close();
        log.info({}, 'server.closed');
      })()),
  };
}
