/** close() leaves nothing behind: no timers, sockets or servers that keep the process alive. */
import { describe, expect, it } from 'vitest';
import { interactiveCaller } from '../../src/simulator/index.js';
import { api, harness, HOIIO_NUMBER } from './helpers.js';

const count = (kind: string): number => process.getActiveResourcesInfo().filter((r) => r === kind).length;

describe('close()', () => {
  it('clears timers and sockets of rings, idle calls, delays, hanging requests and deliveries', async () => {
    await new Promise((r) => setTimeout(r, 20));
    const before = { timers: count('Timeout'), tcp: count('TCPSocketWrap'), servers: count('TCPServerWrap') };
    const h = await harness({
      defaultCaller: interactiveCaller(),
      timing: { ringTimeoutMs: 60_000, idleTimeoutMs: 60_000, speakMs: 60_000 },
      faults: {
        request: (ctx) => (ctx.block === 'record' ? { hang: true } : ctx.block === 'monitor' ? { delayMs: 60_000 } : undefined),
        notification: (ctx) => (ctx.fields.call_state === 'ongoing' ? { delayMs: 60_000 } : undefined),
      },
    });
    h.engine.handler = (n) => (n.fields.ivr_block === 'play' ? new Promise(() => undefined) : undefined);
    h.sim.ring({ to: HOIIO_NUMBER }); // rings for 60 s
    const busy = h.sim.ring({ to: HOIIO_NUMBER });
    await h.engine.next(busy.session, 'ringing');
    await api(h.sim, 'ivr/middle/gather', { session: busy.session, notify_url: h.engine.notifyUrl('g') });
    const speaking = h.sim.ring({ to: HOIIO_NUMBER });
    await h.engine.next(speaking.session, 'ringing');
    await api(h.sim, 'ivr/middle/play', { session: speaking.session, msg: 'long', notify_url: h.engine.notifyUrl('p') });
    const hanging = api(h.sim, 'ivr/middle/record', { session: busy.session, notify_url: h.engine.notifyUrl('r') }).catch(() => 'closed');
    const delayed = api(h.sim, 'ivr/middle/monitor', { session: speaking.session, notify_url: h.engine.notifyUrl('m') }).catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 30));

    const t0 = Date.now();
    await h.sim.close();
    await h.engine.close();
    expect(await hanging).toBe('closed');
    expect(await delayed).toBe('closed');
    expect(Date.now() - t0).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 20));
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
    expect(count('TCPServerWrap')).toBeLessThanOrEqual(before.servers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(before.tcp);
  });
});
