import { Hono } from 'hono';
import type { EngineMetrics } from '../../metrics/engine-metrics.js';
import { jsonError } from '../http-error.js';
import { sameSecret } from '../../util/secure-compare.js';

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
    if (o.token !== undefined && o.token !== '') {
      const header = c.req.header('authorization') ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!sameSecret(given, o.token)) {
        c.header('WWW-Authenticate', 'Bearer');
        return jsonError(c, 401, 'CS_UNAUTHORIZED', 'missing or wrong bearer token');
      }
    }
    return c.body(await o.metrics.text(), 200, { 'content-type': o.metrics.contentType });
  });
  return app;
}
