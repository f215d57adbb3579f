/** The HTTP control plane: ring, list, inspect, act (409s), SSE, outbound callee, mounting. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatorControl, type SimEntry } from '../../src/simulator/index.js';
import { api, harness, HOIIO_NUMBER, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h?.close());

async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

/** Reads SSE `entry` events until `until` says stop. */
async function readEvents(url: string, until: (entries: SimEntry[]) => boolean, onOpen?: () => void): Promise<SimEntry[]> {
  const ac = new AbortController();
  const res = await request(url, { signal: ac.signal });
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  onOpen?.();
  const entries: SimEntry[] = [];
  let buffer = '';
  try {
    for await (const chunk of res.body) {
      buffer += (chunk as Buffer).toString('utf8');
      let idx;
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (frame.includes('event: entry') && data) entries.push(JSON.parse(data.slice(6)) as SimEntry);
      }
      if (until(entries)) break;
    }
  } finally {
    ac.abort();
  }
  return entries;
}

describe('control plane', () => {
  it('rings an interactive call, shows it, and lets the caller press keys', async () => {
    h = await harness();
    const base = `${h.sim.url}sim`;
    const rung = await call(base, 'POST', '/calls', { to: HOIIO_NUMBER, from: '+6591112222' });
    expect(rung.status).toBe(201);
    const session = String(rung.json.session);
    await h.engine.next(session, 'ringing');

    const list = await call(base, 'GET', '/calls');
    expect(list.json.calls).toEqual([
      expect.objectContaining({ session, direction: 'inbound', from: '+6591112222', to: HOIIO_NUMBER, state: 'ringing', pending: null }),
    ]);

    await api(h.sim, 'ivr/middle/gather', { session, msg: 'PIN?', max_digits: '4', notify_url: h.engine.notifyUrl('g') });
    await h.sim.calls.get(session)!.waitFor((e) => e.kind === 'prompt');
    const detail = await call(base, 'GET', `/calls/${session}`);
    expect(detail.json).toMatchObject({
      state: 'busy',
      pending: { block: 'gather', msg: 'PIN?', maxDigits: 4 },
      allowedActions: ['press', 'no-input', 'hangup'],
    });
    expect((detail.json.transcript as SimEntry[]).map((e) => e.kind)).toContain('block');

    const acted = await call(base, 'POST', `/calls/${session}/act`, { type: 'press', digits: '1234' });
    expect(acted.status).toBe(200);
    expect((await h.engine.next(session, 'ongoing')).fields.digits).toBe('1234');
  });

  it('answers 409 when nothing is pending or the action does not fit, 400 and 404 otherwise', async () => {
    h = await harness();
    const base = `${h.sim.url}sim`;
    const session = String((await call(base, 'POST', '/calls', { to: HOIIO_NUMBER })).json.session);
    await h.engine.next(session, 'ringing');

    const none = await call(base, 'POST', `/calls/${session}/act`, { type: 'press', digits: '1' });
    expect(none.status).toBe(409);
    expect(none.json.error).toMatchObject({ code: 'no_pending_decision' });

    await api(h.sim, 'ivr/end/transfer', { session, dest: '+6581234567', notify_url: h.engine.notifyUrl('x') });
    await h.sim.calls.get(session)!.waitFor((e) => e.kind === 'prompt');
    const mismatch = await call(base, 'POST', `/calls/${session}/act`, { type: 'press', digits: '1' });
    expect(mismatch.status).toBe(409);
    expect(mismatch.json.error).toMatchObject({ code: 'action_not_allowed' });

    expect((await call(base, 'POST', `/calls/${session}/act`, { type: 'dance' })).status).toBe(400);
    expect((await call(base, 'POST', `/calls/${session}/act`, '{not json')).status).toBe(400);
    expect((await call(base, 'POST', `/calls/${session}/act`, { type: 'outcome', outcome: 'maybe' })).status).toBe(400);
    expect((await call(base, 'GET', '/calls/S999')).status).toBe(404);
    expect((await call(base, 'POST', '/calls', { from: '+65' })).status).toBe(400);

    const ok = await call(base, 'POST', `/calls/${session}/act`, { type: 'outcome', outcome: 'busy' });
    expect(ok.status).toBe(200);
    expect((await h.engine.next(session, 'ended')).fields.transfer_status).toBe('busy');
    const after = await call(base, 'POST', `/calls/${session}/act`, { type: 'hangup' });
    expect(after.status).toBe(409);
    expect(after.json.error).toMatchObject({ code: 'call_ended' });
  });

  it('hangs up through POST /calls/:session/hangup', async () => {
    h = await harness();
    const base = `${h.sim.url}sim`;
    const session = String((await call(base, 'POST', '/calls', { to: HOIIO_NUMBER })).json.session);
    const res = await call(base, 'POST', `/calls/${session}/hangup`);
    expect(res.json).toMatchObject({ state: 'ended', endInfo: { reason: 'caller-hangup' } });
  });

  it('streams the transcript over SSE, existing entries first', async () => {
    h = await harness();
    const base = `${h.sim.url}sim`;
    const session = String((await call(base, 'POST', '/calls', { to: HOIIO_NUMBER })).json.session);
    await h.engine.next(session, 'ringing');
    await h.sim.settled();
    const entries = await readEvents(
      `${base}/calls/${session}/events`,
      (es) => es.some((e) => e.kind === 'call' && e.event === 'ended'),
      () => {
        void api(h.sim, 'ivr/end/hangup', { session, notify_url: h.engine.notifyUrl('bye') });
      },
    );
    expect(entries.slice(0, 3).map((e) => e.kind)).toEqual(['call', 'notification', 'delivery']);
    expect(entries.map((e) => e.kind)).toContain('block');
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it('ends SSE streams when the simulator closes', async () => {
    h = await harness();
    const base = `${h.sim.url}sim`;
    const session = String((await call(base, 'POST', '/calls', { to: HOIIO_NUMBER })).json.session);
    const res = await request(`${base}/calls/${session}/events`);
    const done = res.body.text();
    await h.sim.close();
    await expect(done).resolves.toContain('event: entry');
  });

  it('makes outbound callees interactive', async () => {
    h = await harness();
    const base = `${h.sim.url}sim`;
    expect((await call(base, 'POST', '/outbound-caller', { interactive: true })).json).toEqual({ interactive: true });
    expect((await call(base, 'GET', '/outbound-caller')).json).toEqual({ interactive: true });
    const dial = await api(h.sim, 'ivr/start/dial', { dest: '+6598765432', msg: 'Hello', notify_url: h.engine.notifyUrl('d') });
    const session = dial.body.session ?? '';
    await h.sim.calls.get(session)!.waitFor((e) => e.kind === 'prompt');
    const detail = await call(base, 'GET', `/calls/${session}`);
    expect(detail.json).toMatchObject({ direction: 'outbound', pending: { block: 'dial', dest: '+6598765432', msg: 'Hello' } });
    await call(base, 'POST', `/calls/${session}/act`, { type: 'outcome', outcome: 'answered' });
    expect((await h.engine.next(session, 'ongoing')).fields.dial_status).toBe('answered');
    await call(base, 'POST', '/outbound-caller', { interactive: false });
    const auto = await api(h.sim, 'ivr/start/dial', { dest: '+6598765432', notify_url: h.engine.notifyUrl('d') });
    await h.engine.next(auto.body.session ?? '', 'ongoing');
  });

  it('lists violations', async () => {
    h = await harness();
    await api(h.sim, 'ivr/middle/play', { session: 'S77' });
    const res = await call(`${h.sim.url}sim`, 'GET', '/violations');
    expect(res.json.violations).toEqual([expect.objectContaining({ kind: 'invalid-session', session: 'S77' })]);
  });

  it('can be mounted on another Hono app (the dev server)', async () => {
    h = await harness();
    const app = new Hono().route('/sim', createSimulatorControl(h.sim));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sim`;
      const rung = await call(base, 'POST', '/calls', { to: HOIIO_NUMBER, interactive: false });
      expect(rung.status).toBe(201);
      expect(h.sim.calls.has(String(rung.json.session))).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
