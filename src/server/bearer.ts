/**
 * The one bearer-token check of the HTTP API (`/calls`, `/scripts`, `/metrics`).
 * hono/bearer-auth was considered: it answers a malformed header with 400, allows
 * only token68 characters in a token and sends a different challenge, so keeping
 * the API's answers would have meant overriding each of its replies.
 */
import type { Context } from 'hono';
import { sameSecret } from '../util/secure-compare.js';
import { jsonError } from './http-error.js';

/** undefined when the request carries `Authorization: Bearer <token>`; else the 401 answer (CS_UNAUTHORIZED, with a Bearer challenge). */
export function refuseWithoutBearer(c: Context, token: string): Response | undefined {
  const header = c.req.header('authorization') ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (given !== '' && sameSecret(given, token)) return undefined;
  c.header('WWW-Authenticate', 'Bearer');
  return jsonError(c, 401, 'CS_UNAUTHORIZED', 'missing or wrong bearer token');
}
