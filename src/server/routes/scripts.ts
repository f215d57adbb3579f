import { Hono } from 'hono';
import type { CatalogSource } from '../../reload/catalog.js';
import { requireBearer } from './calls.js';

export interface ScriptsRoutesOptions {
  readonly catalog: CatalogSource;
  /** The same token as `/calls`; absent: 403. */
  readonly apiToken?: string;
}

/** `GET /scripts`: what is live — every script file, its status, versions and calls (see src/reload/catalog.ts). */
export function scriptsRoutes(o: ScriptsRoutesOptions): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const denied = requireBearer(c, o.apiToken);
    if (denied !== undefined) return denied;
    c.header('Cache-Control', 'no-store');
    return c.json(await o.catalog.catalog());
  });
  return app;
}
