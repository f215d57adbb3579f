/**
 * `POST /dev/events` on the dev server: a local receiver for call summaries, so
 * scripts with `events_url: /dev/events` work under `npm start`. Each summary is
 * checked like a real receiver would (signature and timestamp), logged
 * (`events.received`) and kept; `GET /dev/events` lists the last ones.
 */
import { Hono } from 'hono';
import type { Logger } from '../log/logger.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../events/signature.js';

export const DEV_SINK_KEEP = 100;

export interface ReceivedSummary {
  readonly at: string;
  readonly verified: boolean;
  readonly summary: unknown;
}

export interface DevSink {
  readonly routes: Hono;
  readonly received: () => readonly ReceivedSummary[];
}

export function devEventSink(o: { readonly log: Logger; readonly secret: () => string | undefined }): DevSink {
  const received: ReceivedSummary[] = [];
  const routes = new Hono();
  routes.post('/', async (c) => {
    const body = await c.req.text();
    const secret = o.secret();
    const check = secret === undefined ? { ok: false as const, reason: 'no secret' } : verifySignature(secret, c.req.header(SIGNATURE_HEADER), c.req.header(TIMESTAMP_HEADER), body);
    let summary: unknown;
    try {
      summary = JSON.parse(body);
    } catch {
      return c.json({ error: { code: 'CS_BAD_JSON', message: 'the body is not JSON' } }, 400);
    }
    received.push({ at: new Date().toISOString(), verified: check.ok, summary });
    if (received.length > DEV_SINK_KEEP) received.shift();
    const s = summary as { script?: unknown; outcome?: unknown; call?: { id?: unknown }; path?: unknown; vars?: unknown };
    o.log.info(
      { call: s.call?.id, script: s.script, outcome: s.outcome, path: s.path, vars: s.vars, verified: check.ok, ...(check.ok ? {} : { reason: check.reason }) },
      'events.received',
    );
    return c.json({ ok: true, verified: check.ok }, check.ok ? 200 : 401);
  });
  routes.get('/', (c) => c.json({ events: received }));
  return { routes, received: () => [...received] };
}
