/**
 * `callscript phone --browser`: the browser phone of `callscript dev`, pointed
 * at someone's voice app instead of callscript's engine. The page and the
 * simulator's `/sim` control plane are served as the dev server serves them;
 * the phone's routes run in their app mode (no scripts, no engine state).
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { CalleeDirectory } from '../dev/callees.js';
import { phoneRoutes } from '../dev/phone-routes.js';
import { createSimulatorControl } from '../simulator/control.js';
import type { Simulator } from '../simulator/types.js';

export interface BrowserPhone {
  /** The page: `<url>/phone`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBrowserPhone(o: { readonly simulator: Simulator; readonly provider: string; readonly appUrl: string; readonly host: string; readonly port: number }): Promise<BrowserPhone> {
  const app = new Hono();
  app.route('/sim', createSimulatorControl(o.simulator));
  app.route('/phone', phoneRoutes({ simulator: o.simulator, callees: new CalleeDirectory(), server: () => undefined, app: { provider: o.provider, url: o.appUrl } }));
  app.get('/', (c) => c.redirect('/phone'));
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: o.host, port: o.port }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
