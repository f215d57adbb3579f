/**
 * Call summaries (`events_url`) against real HTTP receivers on loopback: the
 * signature verifies, a failing receiver is retried with backoff and given up on
 * after the bound, a missing secret is never sent unsigned, the SQLite outbox
 * survives a restart, and none of it touches the call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventDelivery, MemoryOutbox, SqliteOutbox, verifySignature, type CallSummary, type DeliveryPolicy } from '../../src/events/index.js';
import type { CallState } from '../../src/engine/state.js';
import { DEV_EVENTS_SECRET, type DevServer } from '../../src/dev/server.js';
import { scriptedCaller } from '../../src/simulator/index.js';
import { captureLogger, spoken, startTestServer } from '../helpers/dev-server.js';
import { mustCompile } from '../helpers/compile.js';
import { closedPort, json, localServer, type LocalServer } from './local-server.js';

const SECRET = 'test-secret';
const FAST: Partial<DeliveryPolicy> = { initialDelayMs: 20, maxDelayMs: 40, pollMs: 10, maxAttempts: 3, requestTimeoutMs: 2000 };

/** Waits (bounded) until `check` holds; tests wait for facts, never assert on time. */
async function until(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const script = mustCompile('name: s\nevents_url: http://placeholder/\nvars: { tier: "" }\nsteps:\n  a: { hangup: bye }\n', 's.yaml');

function ended(id: string): CallState {
  return {
    id,
    token: 't',
    script: 's',
    version: script.version,
    direction: 'inbound',
    from: '+6591234567',
    to: '+6560000001',
    session: `S-${id}`,
    providerRef: 'T',
    status: 'ended',
    step: 'a',
    seq: 1,
    pending: null,
    retries: 0,
    vars: { tier: 'gold' },
    digits: '',
    recordUrl: '',
    transferStatus: '',
    steps: 1,
    path: ['a'],
    ending: 'completed',
    lastResort: false,
    outcome: 'completed',
    startedAt: 1_000_000,
    updatedAt: 1_002_000,
    inputs: [{ step: 'a', digits: '1' }],
    recordings: ['http://rec/1.mp3'],
  };
}

function withUrl(url: string): typeof script {
  return { ...script, events: { url, secretEnv: 'HOOK_SECRET' } };
}

describe('delivery to a real receiver', () => {
  let receiver: LocalServer;
  beforeAll(async () => {
    receiver = await localServer();
  });
  afterAll(async () => receiver.close());

  it('POSTs the summary, signed so the receiver can verify it (and a changed body does not verify)', async () => {
    receiver.handle((_req, res) => json(res, 200, { ok: true }));
    const before = receiver.received.length;
    const logs = captureLogger();
    const delivery = new EventDelivery({ outbox: new MemoryOutbox(), log: logs.log, env: (n) => (n === 'HOOK_SECRET' ? SECRET : undefined), policy: FAST, now: () => 1_005_000 });
    delivery.callEnded(withUrl(`${receiver.url}/hooks/calls`), ended('c1'), 'completed');
    await delivery.idle();
    await delivery.close();
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    const req = got[0];
    expect(req).toMatchObject({ method: 'POST', url: '/hooks/calls' });
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-callscript-event']).toBe('c1');
    const body = req?.body ?? '';
    const sig = String(req?.headers['x-callscript-signature']);
    const ts = String(req?.headers['x-callscript-timestamp']);
    expect(ts).toBe('1005');
    expect(verifySignature(SECRET, sig, ts, body, 1_005_000)).toEqual({ ok: true });
    expect(verifySignature(SECRET, sig, ts, body.replace('gold', 'GOLD'), 1_005_000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature('other', sig, ts, body, 1_005_000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, sig, ts, body, 1_005_000 + 301_000)).toEqual({ ok: false, reason: 'stale' });
    const summary = JSON.parse(body) as CallSummary;
    expect(summary).toEqual({
      id: 'c1',
      script: 's',
      version: script.version,
      call: { id: 'c1', session: 'S-c1', txn_ref: 'T', from: '+6591234567', to: '+6560000001', direction: 'inbound' },
      path: ['a'],
      vars: { tier: 'gold' },
      digits: [{ step: 'a', digits: '1' }],
      recordings: ['http://rec/1.mp3'],
      outcome: 'completed',
      started_at: new Date(1_000_000).toISOString(),
      ended_at: new Date(1_005_000).toISOString(),
      duration_ms: 5000,
    });
    expect(logs.lines().find((l) => l.msg === 'events.delivered')).toMatchObject({ call: 'c1', status: 200, attempts: 1 });
  });

  it('retries with backoff after a 500, and delivers on a later attempt', async () => {
    let calls = 0;
    receiver.handle((_req, res) => json(res, ++calls === 1 ? 500 : 204, {}));
    const logs = captureLogger();
    const results: string[] = [];
    const outbox = new MemoryOutbox();
    const delivery = new EventDelivery({ outbox, log: logs.log, env: () => SECRET, policy: FAST, onResult: (r) => results.push(r) });
    delivery.callEnded(withUrl(receiver.url), ended('c2'), 'completed');
    await until(() => results.includes('delivered'), 'the second attempt');
    await delivery.close();
    expect(results).toEqual(['retry', 'delivered']);
    expect(calls).toBe(2);
    expect(outbox.size()).toBe(0);
    expect(logs.lines().find((l) => l.msg === 'events.retry')).toMatchObject({ call: 'c2', attempts: 1, err: 'HTTP 500', delayMs: 20 });
  });

  it('gives up after the bounded number of attempts', async () => {
    let calls = 0;
    receiver.handle((_req, res) => {
      calls++;
      json(res, 500, {});
    });
    const logs = captureLogger();
    const results: string[] = [];
    const outbox = new MemoryOutbox();
    const delivery = new EventDelivery({ outbox, log: logs.log, env: () => SECRET, policy: FAST, onResult: (r) => results.push(r) });
    delivery.callEnded(withUrl(receiver.url), ended('c3'), 'completed');
    await until(() => results.includes('gave-up'), 'giving up');
    await delivery.close();
    expect(calls).toBe(3);
    expect(results).toEqual(['retry', 'retry', 'gave-up']);
    expect(outbox.size()).toBe(0);
    // Backoff: the delay doubles from one retry to the next.
    expect(logs.lines().filter((l) => l.msg === 'events.retry').map((l) => l.delayMs)).toEqual([20, 40]);
    expect(logs.lines().find((l) => l.msg === 'events.gave_up')).toMatchObject({ call: 'c3', attempts: 3, err: 'HTTP 500' });
  });

  it('a receiver that does not answer within the request timeout is retried, and delivered to once it answers', async () => {
    let calls = 0;
    receiver.handle((_req, res) => {
      if (++calls > 1) return json(res, 200, {});
      const timer = setTimeout(() => json(res, 200, {}), 3000);
      res.on('close', () => clearTimeout(timer));
    });
    const logs = captureLogger();
    const results: string[] = [];
    const outbox = new MemoryOutbox();
    const delivery = new EventDelivery({ outbox, log: logs.log, env: () => SECRET, policy: { ...FAST, requestTimeoutMs: 200 }, onResult: (r) => results.push(r) });
    const started = Date.now();
    delivery.callEnded(withUrl(receiver.url), ended('c8'), 'completed');
    await until(() => results.includes('delivered'), 'the attempt after the timeout');
    await delivery.close();
    expect(results).toEqual(['retry', 'delivered']);
    expect(calls).toBe(2);
    expect(outbox.size()).toBe(0);
    // The hanging receiver held the summary back for about the request timeout, not for its 3 s.
    expect(Date.now() - started).toBeLessThan(2500);
    expect(logs.lines().find((l) => l.msg === 'events.retry')).toMatchObject({ call: 'c8', attempts: 1 });
  });

  it('a 2xx answer that is not JSON (or empty) counts as delivered: the receiver\'s body is not read', async () => {
    receiver.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>{"not": json');
    });
    const results: string[] = [];
    const outbox = new MemoryOutbox();
    const delivery = new EventDelivery({ outbox, log: captureLogger().log, env: () => SECRET, policy: FAST, onResult: (r) => results.push(r) });
    delivery.callEnded(withUrl(receiver.url), ended('c9'), 'completed');
    await delivery.idle();
    await delivery.close();
    expect(results).toEqual(['delivered']);
    expect(outbox.size()).toBe(0);
  });

  it('gives up when the summary is older than the bound, attempts left or not', async () => {
    const port = await closedPort();
    let now = 0;
    const results: string[] = [];
    const delivery = new EventDelivery({
      outbox: new MemoryOutbox(),
      log: captureLogger().log,
      env: () => SECRET,
      policy: { ...FAST, maxAttempts: 100, maxAgeMs: 1000, initialDelayMs: 600, maxDelayMs: 600 },
      now: () => now,
      onResult: (r) => results.push(r),
    });
    delivery.callEnded(withUrl(`http://127.0.0.1:${port}/`), ended('c4'), 'completed');
    await until(() => results.length === 1, 'the first attempt');
    now = 700;
    await until(() => results.length === 2, 'the second attempt');
    await delivery.close();
    expect(results).toEqual(['retry', 'gave-up']);
  });

  it('never sends a summary unsigned: no secret, no request, an error line', async () => {
    const before = receiver.received.length;
    const logs = captureLogger();
    const results: string[] = [];
    const delivery = new EventDelivery({ outbox: new MemoryOutbox(), log: logs.log, env: () => undefined, policy: FAST, onResult: (r) => results.push(r) });
    delivery.callEnded(withUrl(receiver.url), ended('c5'), 'completed');
    await delivery.idle();
    await delivery.close();
    expect(receiver.received.length).toBe(before);
    expect(results).toEqual(['unsigned']);
    expect(logs.lines().find((l) => l.msg === 'events.unsigned_refused')).toMatchObject({ call: 'c5', env: 'HOOK_SECRET', level: 50 });
  });

  it('a path URL goes to this server\'s own address', async () => {
    receiver.handle((_req, res) => json(res, 200, {}));
    const delivery = new EventDelivery({ outbox: new MemoryOutbox(), log: captureLogger().log, env: () => SECRET, policy: FAST, selfUrl: () => receiver.url });
    delivery.callEnded(withUrl('/dev/events'), ended('c6'), 'completed');
    await delivery.idle();
    await delivery.close();
    expect(receiver.received.at(-1)?.url).toBe('/dev/events');
  });

  it('the SQLite outbox keeps an undelivered summary across a restart, and the next process delivers it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-outbox-'));
    try {
      const path = join(dir, 'sessions.db-events');
      const port = await closedPort();
      const results: string[] = [];
      const first = new EventDelivery({ outbox: new SqliteOutbox(path), log: captureLogger().log, env: () => SECRET, policy: { ...FAST, maxAttempts: 10 }, onResult: (r) => results.push(r) });
      first.callEnded(withUrl(`http://127.0.0.1:${port}/x`), ended('c7'), 'completed');
      await until(() => results.length > 0, 'a failed attempt');
      await first.close();
      expect(results[0]).toBe('retry');

      // The receiver comes up where the summary was going; a new process finds the summary due.
      const late = await localServer((_req, res) => json(res, 200, {}));
      try {
        const reopened = new SqliteOutbox(path);
        const item = reopened.due(Number.MAX_SAFE_INTEGER, 10)[0];
        expect(item).toMatchObject({ id: 'c7', attempts: 1 });
        reopened.add({ ...(item as NonNullable<typeof item>), url: `${late.url}/x`, nextAt: 0 });
        const second = new EventDelivery({ outbox: reopened, log: captureLogger().log, env: () => SECRET, policy: FAST });
        await until(() => late.received.length === 1, 'the delivery after the restart');
        await second.idle();
        expect(reopened.size()).toBe(0);
        await second.close();
        expect(JSON.parse(late.received[0]?.body ?? '{}')).toMatchObject({ id: 'c7', outcome: 'completed' });
      } finally {
        await late.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a server whose scripts send no summaries creates no outbox file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-outbox-'));
    try {
      const outbox = new SqliteOutbox(join(dir, 'never'));
      expect(outbox.due(Date.now(), 10)).toEqual([]);
      outbox.close();
      const { existsSync } = await import('node:fs');
      expect(existsSync(join(dir, 'never'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('summaries of real calls', () => {
  let receiver: LocalServer;
  let dev: DevServer;
  const logs = captureLogger();

  beforeAll(async () => {
    receiver = await localServer((_req, res) => json(res, 500, {}));
    const menu = (name: string, number: string, url: string): string => `
name: ${name}
numbers: ["${number}"]
events_url: ${url}
vars: { choice: "" }
steps:
  menu:
    gather: { prompt: "Press 1 to leave a message.", max_digits: 1 }
    branches: { "1": message }
  message:
    record: "Speak after the tone."
    save_as: message_url
    next: bye
  bye:
    set: { choice: "{{digits}}" }
    next: done
  done:
    hangup: "Thanks."
`;
    dev = await startTestServer({
      scripts: [
        mustCompile(menu('failing', '+6560000071', receiver.url), 'failing.yaml'),
        mustCompile(menu('sink', '+6560000072', '/dev/events'), 'sink.yaml'),
      ],
      log: logs.log,
      events: { policy: FAST },
      // No CALLSCRIPT_EVENTS_SECRET: the dev server signs with its default, which its sink checks.
      env: () => undefined,
    });
  });
  afterAll(async () => {
    await dev.close();
    await receiver.close();
  });

  it('a receiver that always fails changes nothing for the call: it runs and ends as usual', async () => {
    const call = dev.simulator.ring({ to: '+6560000071', from: '+6591234567', caller: scriptedCaller({ presses: ['1'] }) });
    await call.ended;
    await dev.runner.drain();
    expect(spoken(call)).toEqual([
      ['gather', 'Press 1 to leave a message.'],
      ['record', 'Speak after the tone.'],
      ['hangup', 'Thanks.'],
    ]);
    await until(() => logs.lines().some((l) => l.msg === 'events.gave_up'), 'the delivery to give up');
    const ended = logs.lines().find((l) => l.msg === 'call.ended' && l.session === call.session);
    expect(ended).toMatchObject({ outcome: 'completed' });
    expect(receiver.received.length).toBe(3);
    const summary = JSON.parse(receiver.received[0]?.body ?? '{}') as CallSummary;
    expect(summary).toMatchObject({
      script: 'failing',
      call: { session: call.session, from: '+6591234567', to: '+6560000071', direction: 'inbound' },
      path: ['menu', 'message', 'bye', 'done'],
      digits: [{ step: 'menu', digits: '1' }],
      vars: { choice: '1', message_url: expect.stringMatching(/\/recordings\/rec-\d+\.mp3/) },
      outcome: 'completed',
    });
    expect(summary.recordings).toHaveLength(1);
    expect(summary.duration_ms).toBeGreaterThanOrEqual(0);
    expect(verifySignature(DEV_EVENTS_SECRET, String(receiver.received[0]?.headers['x-callscript-signature']), String(receiver.received[0]?.headers['x-callscript-timestamp']), receiver.received[0]?.body ?? '')).toEqual({ ok: true });
    const metrics = await (await request(`${dev.url}/metrics`)).body.text();
    expect(metrics).toContain('callscript_event_deliveries_total{result="retry"} 2');
    expect(metrics).toContain('callscript_event_deliveries_total{result="gave-up"} 1');
  });

  it('the dev server\'s sink receives, verifies and lists summaries sent to /dev/events', async () => {
    const call = dev.simulator.ring({ to: '+6560000072', from: '+6598765432', caller: scriptedCaller({ presses: ['1'] }) });
    await call.ended;
    await dev.runner.drain();
    await until(() => dev.eventSink.received().length > 0, 'the sink to receive');
    await dev.events.idle();
    const res = await request(`${dev.url}/dev/events`);
    const body = (await res.body.json()) as { events: Array<{ verified: boolean; summary: CallSummary }> };
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({ verified: true, summary: { script: 'sink', call: { from: '+6598765432' }, outcome: 'completed' } });
    expect(logs.lines().find((l) => l.msg === 'events.received')).toMatchObject({ script: 'sink', outcome: 'completed', verified: true });
    const forged = await request(`${dev.url}/dev/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"script":"x"}' });
    expect(forged.statusCode).toBe(401);
    await forged.body.dump();
  });
});
