/**
 * Two callscript server processes share one real Redis behind a round-robin
 * balancer: each call's notifications alternate between the servers, some are
 * duplicated by the simulator and some are delivered to both servers at once.
 * Every call must advance exactly once per notification, in order, and complete
 * with the right transcript. Then a server is killed in the middle of handling a
 * notification (holding the call's lock, its block request in flight): the other
 * server picks the call up at its next notification and finishes it.
 *
 * Child processes rather than two servers in this process: separate event loops,
 * separate Redis connections and a real SIGKILL, as in production.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  interactiveCaller,
  scriptedCaller,
  startSimulator,
  type PromptEntry,
  type SimCall,
  type Simulator,
} from '../../src/simulator/index.js';
import { spoken } from '../helpers/dev-server.js';
import { freePort, startRedisServer, type TestRedis } from '../store/redis-server.js';
import { startProxy, type RoundRobinProxy } from './round-robin-proxy.js';
import { expectedSpoken, SURVEY_NUMBER, surveyScript } from './scripts.js';
import { HOIIO, startServerProcess, type LogLine, type ServerProcess } from './server-process.js';
import { requireRedis } from '../helpers/optional-deps.js';

const withRedis = requireRedis(import.meta.url);

let redis: TestRedis;
let tmp: string;
let sim: Simulator;
let proxy: RoundRobinProxy;
let servers: ServerProcess[] = [];

beforeAll(async () => {
  // Without redis-server every test here is skipped: start nothing (afterAll copes with that).
  if (!withRedis) return;
  redis = await startRedisServer();
  tmp = mkdtempSync(join(tmpdir(), 'callscript-redis2-'));
  mkdirSync(join(tmp, 'scripts'));
  writeFileSync(join(tmp, 'scripts', 'survey.yaml'), surveyScript('v1'));
  const ports = [await freePort(), await freePort()];
  proxy = await startProxy(
    ports.map((p) => `http://127.0.0.1:${p}`),
    { route: () => 0 },
  );
  sim = await startSimulator({
    appId: HOIIO.appId,
    accessToken: HOIIO.accessToken,
    voiceNotifyUrl: `${proxy.url}/hoiio/incoming`,
    timing: { idleTimeoutMs: 0 },
  });
  servers = await Promise.all(
    ports.map((port) =>
      startServerProcess({
        scripts: join(tmp, 'scripts'),
        // A short lock TTL, so the test of a server dying while it holds a lock stays short.
        store: `${redis.url}/0?prefix=two:&lock_ttl=2s`,
        port,
        publicUrl: proxy.url,
        hoiioUrl: sim.url,
        // The tests read the per-step `notification` lines.
        logLevel: 'debug',
      }),
    ),
  );
  // Two server processes and a redis-server start here; on a loaded 2-core machine that takes seconds.
}, 60_000);

afterAll(async () => {
  await sim?.close();
  for (const s of servers) await s.kill('SIGKILL');
  await proxy?.close();
  await redis?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

function allLogs(): LogLine[] {
  return servers.flatMap((s) => s.logs());
}

function perSession(msg: string, session: string): number {
  return allLogs().filter((l) => l.msg === msg && l.session === session).length;
}

describe.skipIf(!withRedis)('two servers on one Redis', () => {
  it('alternating, duplicated and concurrent deliveries: every call completes exactly once with the right transcript', async () => {
    proxy.policy = {
      route: ({ key, count }) => {
        // Ringing goes to both servers at once: one call must start, not two.
        if (key.startsWith('session:')) return [0, 1];
        // Every fourth notification of a call reaches both servers concurrently.
        if (count % 4 === 3) return [0, 1];
        return count % 2;
      },
    };
    // And the simulator sends a copy of every third notification (one after the other, so to the other server).
    sim.setFaults({ notification: (ctx) => (ctx.callIndex % 3 === 1 ? { duplicate: 1 } : undefined) });

    const plans = Array.from({ length: 12 }, (_, i) => ({
      choice: (i % 4 === 3 ? '2' : '1') as '1' | '2',
      code: String(2000 + i * 37),
    }));
    const calls = plans.map((p, i) =>
      sim.ring({
        to: SURVEY_NUMBER,
        from: `+6592000${String(i).padStart(3, '0')}`,
        caller: scriptedCaller({ presses: p.choice === '1' ? [p.choice, p.code] : [p.choice] }),
      }),
    );
    const ends = await Promise.all(calls.map((c) => c.ended));
    await sim.settled();
    sim.setFaults(undefined);

    for (const [i, call] of calls.entries()) {
      expect(ends[i]!.reason).toBe('script-hangup');
      expect(spoken(call)).toEqual(expectedSpoken('v1', plans[i]!.choice, plans[i]!.code));
    }
    expect(sim.violations).toEqual([]);

    // Once per call, whichever server did it; the duplicates changed nothing.
    await Promise.all(
      calls.map((c) => Promise.race(servers.map((s) => s.waitForLog((l) => l.msg === 'call.ended' && l.session === c.session)))),
    );
    for (const call of calls) {
      expect(perSession('call.started', call.session)).toBe(1);
      expect(perSession('call.ended', call.session)).toBe(1);
    }
    // Both servers did real work on the calls, and both saw copies they rightly ignored.
    for (const server of servers) {
      expect(server.logs().filter((l) => l.msg === 'notification').length).toBeGreaterThan(10);
    }
    expect(allLogs().filter((l) => l.msg === 'notification.ignored').length).toBeGreaterThan(0);
    expect(allLogs().filter((l) => l.msg === 'notification.duplicate_ringing').length).toBeGreaterThanOrEqual(calls.length);
    expect(allLogs().filter((l) => l.msg === 'call.lock_timeout' || l.msg === 'call.fenced' || l.msg === 'call.internal_error')).toEqual([]);
  }, 60_000);

  it('a server killed while handling a notification loses nothing: the other server finishes the call', async () => {
    const [a] = servers;
    // Everything goes to server A (the balancer moves on only once A refuses connections).
    proxy.policy = { route: () => 0 };
    let inFlight: () => void = () => undefined;
    const aSending = new Promise<void>((resolve) => (inFlight = resolve));
    sim.setFaults({
      request: (ctx) => {
        if (ctx.block !== 'gather' || !(ctx.params.msg ?? '').includes('four digit')) return undefined;
        inFlight();
        // The block runs, but A never gets the answer: A is stuck mid-notification, holding the call's lock.
        return { hang: true, apply: true };
      },
    });
    const call: SimCall = sim.ring({ to: SURVEY_NUMBER, from: '+6593000000', caller: interactiveCaller() });
    await call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather', 10_000);
    call.act({ type: 'press', digits: '1' });
    await aSending;
    await call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && (e.prompt.msg ?? '').includes('four digit'), 10_000);

    await a!.kill('SIGKILL');
    sim.setFaults(undefined);
    call.act({ type: 'press', digits: '9876' });

    const end = await call.ended;
    expect(end.reason).toBe('script-hangup');
    expect(spoken(call)).toEqual(expectedSpoken('v1', '1', '9876'));
    await sim.settled();
    expect(sim.violations.filter((v) => v.session === call.session)).toEqual([]);
    const b = servers[1]!;
    await b.waitForLog((l) => l.msg === 'call.ended' && l.session === call.session);
    expect(b.logs().filter((l) => l.msg === 'notification' && l.session === call.session).length).toBeGreaterThan(0);
    // The caller's key press went to A first, found it dead, and was delivered to B.
    const refused = proxy.forwarded.findIndex((f) => f.backend === 0 && f.status === 'ECONNREFUSED');
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(proxy.forwarded[refused + 1]).toMatchObject({ backend: 1, status: 200 });
  }, 60_000);

  it('a server that never had a call\'s script version on disk continues the call from the version kept in Redis', async () => {
    const b = servers[1]!;
    // A third server, deployed with version two only: version one is not on its disk.
    mkdirSync(join(tmp, 'scripts-v2'));
    writeFileSync(join(tmp, 'scripts-v2', 'survey.yaml'), surveyScript('v2'));
    const port = await freePort();
    const c = await startServerProcess({
      scripts: join(tmp, 'scripts-v2'),
      store: `${redis.url}/0?prefix=two:&lock_ttl=2s`,
      port,
      publicUrl: proxy.url,
      hoiioUrl: sim.url,
    });
    servers.push(c);
    proxy.backends.push(c.url);
    const toC = proxy.backends.length - 1;

    // The call starts on server B, on version one, and waits for the caller.
    proxy.policy = { route: () => 1 };
    const call: SimCall = sim.ring({ to: SURVEY_NUMBER, from: '+6594000000', caller: interactiveCaller() });
    await call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather', 10_000);
    await sim.settled();
    const started = b.logs().find((l) => l.msg === 'call.started' && l.session === call.session);
    expect(started).toBeDefined();

    // Every later notification goes to the new server.
    proxy.policy = { route: () => toC };
    call.act({ type: 'press', digits: '1' });
    await call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && (e.prompt.msg ?? '').includes('four digit'), 10_000);
    call.act({ type: 'press', digits: '4242' });
    const end = await call.ended;
    expect(end.reason).toBe('script-hangup');
    expect(spoken(call)).toEqual(expectedSpoken('v1', '1', '4242'));
    await sim.settled();
    expect(sim.violations.filter((v) => v.session === call.session)).toEqual([]);

    const ended = await c.waitForLog((l) => l.msg === 'call.ended' && l.session === call.session);
    const restored = c.logs().find((l) => l.msg === 'script.restored' && l.call === ended.call);
    // Restored from Redis: the version the call started on, on server B.
    expect(restored).toMatchObject({ script: 'survey', version: started?.version });
    // New calls on the new server get the version on its disk.
    const fresh: SimCall = sim.ring({ to: SURVEY_NUMBER, from: '+6594000001', caller: scriptedCaller({ presses: ['2'] }) });
    await fresh.ended;
    expect(spoken(fresh)).toEqual(expectedSpoken('v2', '2'));
  }, 60_000);
});
