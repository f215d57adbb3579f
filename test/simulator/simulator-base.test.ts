/**
 * The shell every provider simulator shares (SimulatorBase, WorkCounter, LoopbackServer), pinned
 * through a dialect that does nothing else: a ring's checks in their order, subscriptions to new
 * calls, the callers and fault plan swapped at run time, settled() waiting for work in flight, and
 * a close() that ends every call, lets waiters go and does not wait for a hung response.
 */
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { InvalidRingError, NoVoiceNotifyUrlError, scriptedCaller, SimulatorClosedError, WaitTimeoutError } from '../../src/simulator/index.js';
import { LoopbackServer } from '../../src/simulator/loopback-server.js';
import type { PerNumber } from '../../src/simulator/per-number.js';
import { CallSession, type CallHost } from '../../src/simulator/session.js';
import { SimulatorBase, type SimulatorBaseOptions } from '../../src/simulator/simulator-base.js';
import type { CallerAgent, FaultPlan, ForgeResult, RequestFault, RingOptions, SimCall } from '../../src/simulator/types.js';
import { WorkCounter } from '../../src/simulator/work-counter.js';

const NUMBER = '+6560001111';

/** A dialect with no protocol: rings by recording the checked ring, dials on request, hangs every HTTP request. */
class BareSimulator extends SimulatorBase implements CallHost {
  readonly shutDowns: number[] = [];
  lastRing: { from: string; url: string; caller: CallerAgent } | undefined;
  readonly #voiceUrl: PerNumber | undefined;
  readonly #server = new LoopbackServer(
    async (req, res) => {
      if (req.url === '/throw') throw new Error('broken handler');
      this.#server.hang(res);
    },
    (res: ServerResponse, err) => res.writeHead(500).end(`failed: ${String(err)}`),
  );
  #n = 0;

  constructor(options: SimulatorBaseOptions & { readonly voiceUrl?: PerNumber }) {
    super(options);
    this.#voiceUrl = options.voiceUrl;
  }

  ring(options: RingOptions): SimCall {
    this.lastRing = this.checkRing(options, this.#voiceUrl, (url) => (url.startsWith('http://') ? undefined : `not a webhook: ${url}`));
    return this.#newCall('inbound', this.lastRing.from, options.to, this.lastRing.caller);
  }

  dial(to: string): CallSession {
    return this.#newCall('outbound', this.accountNumber, to, this.calleeFor(to));
  }

  forge(): Promise<ForgeResult> {
    return Promise.resolve({ body: '' });
  }

  callerHangup(): void {}

  /** A webhook in flight until the returned function is called. */
  startWork(): () => void {
    this.work.begin();
    return () => this.work.done();
  }

  requestFault(): RequestFault | undefined {
    return this.faults.request({ kind: 'request', index: 0, block: 'dial', params: {}, callIndex: 0 });
  }

  protected serve(port: number): Promise<number> {
    return this.#server.listen(port);
  }

  protected async shutDown(): Promise<void> {
    this.shutDowns.push(this.clock());
    await this.#server.close();
  }

  #newCall(direction: 'inbound' | 'outbound', from: string, to: string, agent: CallerAgent): CallSession {
    const n = ++this.#n;
    return this.addCall(new CallSession(this, { session: `B${n}`, txnRef: `T${n}`, direction, from, to, agent, state: 'ringing' }));
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SimulatorBase', () => {
  it("checks a ring in the same order for every dialect, with the dialect's own word on the URL", async () => {
    const sim = new BareSimulator({ voiceUrl: (to) => (to === NUMBER ? 'http://app/voice' : to === '+6560002222' ? 'ftp://app/voice' : undefined) });
    expect(() => sim.ring({ to: '6560001111' })).toThrow(InvalidRingError);
    expect(() => sim.ring({ to: NUMBER, from: '' })).toThrow(/"from" must not be empty/);
    expect(() => sim.ring({ to: '+6560003333' })).toThrow(NoVoiceNotifyUrlError);
    expect(() => sim.ring({ to: '+6560002222' })).toThrow(new InvalidRingError('not a webhook: ftp://app/voice'));
    // The ring's own URL wins over the number's, and is checked all the same.
    expect(() => sim.ring({ to: '+6560003333', notifyUrl: 'mailto:x' })).toThrow(/not a webhook: mailto:x/);
    expect(sim.calls.size).toBe(0);

    sim.ring({ to: NUMBER });
    expect(sim.lastRing?.from).toBe('+6591234567');
    expect(sim.lastRing?.url).toBe('http://app/voice');
    sim.ring({ to: '+6560003333', from: '+6590000000', notifyUrl: 'http://elsewhere/' });
    expect(sim.lastRing).toMatchObject({ from: '+6590000000', url: 'http://elsewhere/' });
    expect(sim.calls.size).toBe(2);

    await sim.close();
    expect(() => sim.ring({ to: NUMBER })).toThrow(SimulatorClosedError);
  });

  it('rings with the default caller in force, or the ring’s own', async () => {
    const configured = scriptedCaller();
    const swapped = scriptedCaller();
    const own = scriptedCaller();
    const sim = new BareSimulator({ voiceUrl: 'http://app/voice', defaultCaller: configured });
    expect(sim.ring({ to: NUMBER }) as CallSession).toHaveProperty('agent', configured);
    sim.setDefaultCaller(swapped);
    expect(sim.ring({ to: NUMBER }) as CallSession).toHaveProperty('agent', swapped);
    expect(sim.ring({ to: NUMBER, caller: own }) as CallSession).toHaveProperty('agent', own);
    await sim.close();
  });

  it("answers an outbound call with the number's own callee, else the one set now, else the configured one, and restores it", async () => {
    const configured = scriptedCaller();
    const forNumber = scriptedCaller();
    const swapped = scriptedCaller();
    const sim = new BareSimulator({ outboundCaller: configured, outboundCallers: { '+6560009999': forNumber }, accountNumber: '+6561110000' });
    expect(sim.dial(NUMBER).agent).toBe(configured);
    expect(sim.dial(NUMBER).from).toBe('+6561110000');
    sim.setOutboundCaller(swapped);
    expect(sim.dial(NUMBER).agent).toBe(swapped);
    expect(sim.dial('+6560009999').agent).toBe(forNumber);
    sim.setOutboundCaller();
    expect(sim.dial(NUMBER).agent).toBe(configured);
    expect(new BareSimulator({}).dial(NUMBER).from).toBe('+6560000000');
    await sim.close();
  });

  it('tells onDial and nextDial of outbound calls only, and on() of every call', async () => {
    const sim = new BareSimulator({ voiceUrl: 'http://app/voice' });
    const dialled: string[] = [];
    const all: string[] = [];
    const off = sim.onDial((call) => dialled.push(call.session));
    sim.on('call', (call) => all.push(call.session));
    const next = sim.nextDial(1000);
    sim.ring({ to: NUMBER });
    const out = sim.dial(NUMBER);
    await expect(next).resolves.toBe(out);
    off();
    sim.dial(NUMBER);
    expect(dialled).toEqual([out.session]);
    expect(all).toEqual(['B1', 'B2', 'B3']);
    await expect(sim.nextDial(20)).rejects.toThrow(WaitTimeoutError);
    await sim.close();
  });

  it('reads the fault plan in force at each request', async () => {
    const sim = new BareSimulator({ faults: { request: () => ({ status: 'error_first' }) } });
    expect(sim.requestFault()).toEqual({ status: 'error_first' });
    const plan: FaultPlan = () => ({ httpStatus: 502 });
    sim.setFaults(plan);
    expect(sim.requestFault()).toEqual({ httpStatus: 502 });
    sim.setFaults(undefined);
    expect(sim.requestFault()).toBeUndefined();
    await sim.close();
  });

  it('settles once the work in flight is done, and close() lets waiters go when work never reports back', async () => {
    const sim = new BareSimulator({});
    await sim.settled();
    const first = sim.startWork();
    const second = sim.startWork();
    let settled = false;
    void sim.settled().then(() => (settled = true));
    first();
    await tick();
    expect(settled).toBe(false);
    second();
    await tick();
    expect(settled).toBe(true);

    sim.startWork(); // a webhook the close aborts, whose end is never counted
    let released = false;
    void sim.settled().then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    await sim.close();
    expect(released).toBe(true);
  });

  it('closes once: every call ends as simulator-closed, close is told, the dialect shuts down after the lifetime, listeners go', async () => {
    let now = 1000;
    const sim = new BareSimulator({ voiceUrl: 'http://app/voice', clock: () => now });
    await sim.listen(0);
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/`);
    expect(sim.port).toBeGreaterThan(0);
    let calls = 0;
    sim.on('call', () => calls++);
    const call = sim.ring({ to: NUMBER });
    const closes: boolean[] = [];
    sim.on('close', () => closes.push(sim.closed));
    now = 2000;
    const hung = request(`${sim.url}hang`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    const first = sim.close();
    expect(sim.close()).toBe(first);
    await first;
    expect(call.endInfo).toEqual({ reason: 'simulator-closed', at: 2000, answered: false, durationMinutes: 0 });
    expect(closes).toEqual([false]);
    expect(sim.shutDowns).toEqual([2000]);
    expect(sim.lifetime.closed).toBe(true);
    expect(await hung).toBe('dropped');
    await sim.close();
    expect(sim.shutDowns).toHaveLength(1);
    sim.dial(NUMBER);
    expect(calls).toBe(1);
  });
});

describe('WorkCounter', () => {
  it('counts work begun in batches down to zero and never below', async () => {
    const work = new WorkCounter();
    work.begin(3);
    work.done(2);
    expect(work.count).toBe(1);
    let settled = false;
    void work.settled().then(() => (settled = true));
    work.done(5);
    expect(work.count).toBe(0);
    await tick();
    expect(settled).toBe(true);
    work.begin();
    work.clear();
    expect(work.count).toBe(0);
  });
});

describe('LoopbackServer', () => {
  it("answers with the simulator's error when a handler throws before answering", async () => {
    const sim = new BareSimulator({});
    await sim.listen(0);
    const res = await request(`${sim.url}throw`);
    expect(res.statusCode).toBe(500);
    expect(await res.body.text()).toBe('failed: Error: broken handler');
    await sim.close();
  });
});
