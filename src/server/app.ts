import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../log/logger.js';
import type { AdapterRoutes, ProviderAdapter } from '../provider/port.js';
import type { CallRunner } from '../runtime/call-runner.js';
import type { ScriptRegistry } from '../runtime/script-registry.js';
import { jsonError } from './http-error.js';
import { honoWebhooks } from './webhook-hono.js';
import { callsRoutes } from './routes/calls.js';
import { metricsRoutes } from './routes/metrics.js';
import { scriptsRoutes } from './routes/scripts.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { registryCatalog, type CatalogSource } from '../reload/catalog.js';

export interface AppOptions {
  readonly runner: CallRunner;
  readonly scripts: ScriptRegistry;
  readonly log: Logger;
  /** The provider: its webhook routes are mounted at `/<name>`. */
  readonly adapter: ProviderAdapter;
  /** The adapter's routes, built once (the node server dispatches the same webhooks ahead of Hono). */
  readonly webhooks: AdapterRoutes;
  readonly apiToken?: string;
  readonly maxBodyBytes: number;
  /** Extra routes mounted by the caller (the dev server mounts the simulator's control plane). */
  readonly mount?: (app: Hono) => void;
  /** What `GET /scripts` lists (the hot reloader's view); the registry's scripts when absent. */
  readonly catalog?: CatalogSource;
  /** Served at `GET /metrics` when present; refused webhooks are counted in it. */
  readonly metrics?: EngineMetrics;
  /** Bearer token `GET /metrics` requires (open when absent). */
  readonly metricsToken?: string;
}

/** The HTTP surface of a callscript server. */
export function createApp(o: AppOptions): Hono {
  const app = new Hono();

  const limit = bodyLimit({
    maxSize: o.maxBodyBytes,
    onError: (c) => {
      o.log.warn({ path: c.req.path, limit: o.maxBodyBytes }, 'request.too_large');
      return jsonError(c, 413, 'CS_BODY_TOO_LARGE', `request bodies are limited to ${o.maxBodyBytes} bytes`);
    },
  });
  // The webhooks read their bodies themselves, with the same limit (the middleware is slow on the hot path).
  app.use('/calls', limit);
  app.use('/calls/*', limit);

  app.get('/healthz', (c) => c.json({ status: 'ok', scripts: o.scripts.list().length }));
  app.route(`/${o.adapter.capabilities.name}`, honoWebhooks(o.webhooks.webhooks, o.webhooks.more));
  app.route('/calls', callsRoutes({ runner: o.runner, scripts: o.scripts, log: o.log, ...(o.apiToken !== undefined ? { apiToken: o.apiToken } : {}) }));
  app.route(
    '/scripts',
    scriptsRoutes({ catalog: o.catalog ?? registryCatalog(o.scripts), ...(o.apiToken !== undefined ? { apiToken: o.apiToken } : {}) }),
  );
  if (o.metrics !== undefined) {
    app.route('/metrics', metricsRoutes({ metrics: o.metrics, ...(o.metricsToken !== undefined ? { token: o.metricsToken } : {}) }));
  }
  o.mount?.(app);

  app.notFound((c) => jsonError(c, 404, 'CS_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    o.log.error({ err, path: c.req.path, method: c.req.method }, 'request.failed');
    return jsonError(c, 500, 'CS_INTERNAL', 'internal error');
  });
  return app;
}
