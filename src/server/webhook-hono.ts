/**
 * Serves webhook routes on Hono: `app.request()` in tests drives the same
 * handlers the node server dispatches to directly (`webhook-node.ts`).
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { rawPath, rawQuery, readBody } from './read-body.js';
import { queryValue, type WebhookRequest, type WebhookRoute } from './webhook.js';

/** A Hono app with `routes` as POST routes; `more` adds the adapter's other routes (WebSockets, downloads). */
export function honoWebhooks(routes: readonly WebhookRoute[], more?: (app: Hono) => void): Hono {
  const app = new Hono();
  for (const route of routes) {
    app.post(route.path, async (c) => {
      const answer = await route.handle(honoRequest(c));
      return c.body(answer.body, answer.status as ContentfulStatusCode, { 'content-type': answer.contentType });
    });
  }
  more?.(app);
  return app;
}

function honoRequest(c: Context): WebhookRequest {
  const query = rawQuery(c.req.url);
  return {
    // As sent: a signature covers the path the provider requested, escapes and all.
    path: rawPath(c.req.url),
    query,
    header: (name) => c.req.header(name),
    param: (name) => c.req.param(name) ?? '',
    queryParam: (name) => queryValue(query, name),
    body: (maxBytes) => readBody(c, maxBytes),
  };
}
