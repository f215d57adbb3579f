/** The one bearer-token check, through a real Hono app: what /calls, /scripts and /metrics answer. */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { refuseWithoutBearer } from '../../src/server/bearer.js';

const app = new Hono().get('/', (c) => refuseWithoutBearer(c, 's3cret-tøken') ?? c.text('in'));
const get = (authorization?: string): Promise<Response> =>
  Promise.resolve(app.request('/', authorization === undefined ? {} : { headers: { authorization } }));

describe('refuseWithoutBearer', () => {
  it('lets the right token in, surrounding blanks trimmed', async () => {
    expect(await (await get('Bearer s3cret-tøken')).text()).toBe('in');
    expect((await get('Bearer   s3cret-tøken  ')).status).toBe(200);
  });

  it('answers 401 CS_UNAUTHORIZED with a Bearer challenge to a missing, empty, other-scheme or wrong token', async () => {
    for (const header of [undefined, '', 'Bearer ', 'Basic czNjcmV0', 'bearer s3cret-tøken', 'Bearer s3cret-token', 'Bearer s3cret-tøken2', 's3cret-tøken']) {
      const res = await get(header);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({ error: { code: 'CS_UNAUTHORIZED', message: 'missing or wrong bearer token' } });
    }
  });
});
