import { Hono } from 'hono';
import type { EngineMetrics } from '../../metrics/engine-metrics.js';
import { refuseWithoutBearer } from '../bearer.js';

export interface MetricsRoutesOptions {
  readonly metrics: EngineMetrics;
  /** When set, scrapes must send `Authorization: Bearer <token>` (CALLSCRIPT_METRICS_TOKEN). */
  readonly token?: string;
}

/**
 * `GET /metrics`: Prometheus text format. Open by default, like most exporters:
 * it carries counts, latencies and script names, never numbers, sessions or
 * digits. A server reachable from the internet can require a token.
 */
export function metricsRoutes(o: MetricsRoutesOptions): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const refused = o.token !== undefined && o.token !== '' ? refuseWithoutBearer(c, o.token) : undefined;
    if (refused !== undefined) return refused;
    return c.body(await o.metrics.text(), 200, { 'content-type': o.metrics.contentType });
  });
  return app;
}
