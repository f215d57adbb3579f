/**
 * What every webhook provider's player does on the line around its dialect's verbs
 * (src/simulator/call-player.ts), pinned through a player with no markup: a run that throws
 * ends the call as an application error, a call ended meanwhile is not ended again, silence
 * before a redirect is a hold, and an answered transfer lasts as long as its callee talks.
 */
import { describe, expect, it } from 'vitest';
import { scriptedCaller } from '../../src/simulator/caller.js';
import { CallPlayer, type CallPlayerHost, type Ending } from '../../src/simulator/call-player.js';
import { Lifetime } from '../../src/simulator/lifetime.js';
import { CallSession, type CallHost } from '../../src/simulator/session.js';
import type { CallerAction, DialOutcome, EndReason, HeardPart } from '../../src/simulator/types.js';

class Host implements CallPlayerHost, CallHost {
  readonly lifetime = new Lifetime();
  readonly speakMs = 7;
  readonly inputTimeoutMs = 0;
  readonly secondMs = 2;
  readonly slept: number[] = [];
  readonly ends: Array<{ reason: EndReason; detail: unknown }> = [];
  #seq = 0;

  clock(): number {
    return 0;
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  callerHangup(call: CallSession): void {
    this.end(call, 'caller-hangup');
  }

  sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    return Promise.resolve();
  }

  answer(): void {}

  end(call: CallSession, reason: EndReason, detail: { readonly dialStatus?: DialOutcome; readonly transferStatus?: DialOutcome; readonly error?: string } = {}): void {
    this.ends.push({ reason, detail });
    call.finish({ reason, at: 0, answered: call.answered, durationMinutes: 0 });
  }
}

/** Exposes the shared steps to the test. */
class BarePlayer extends CallPlayer<Host> {
  run(call: CallSession, steps: (signal: AbortSignal) => Promise<Ending | undefined>): Promise<void> {
    return this.runCall(call, steps);
  }

  holdFor(call: CallSession, silence: readonly HeardPart[], signal: AbortSignal): Promise<void> {
    return this.hold(call, silence, signal);
  }

  bridgeWith(call: CallSession, choice: CallerAction, before: readonly HeardPart[], signal: AbortSignal) {
    return this.bridge(call, choice, before, signal);
  }

  hangUpAfter(call: CallSession, heard: readonly HeardPart[], signal: AbortSignal): Promise<Ending> {
    return this.hangUp(call, heard, 'rejected', signal);
  }
}

function setUp(): { host: Host; player: BarePlayer; call: CallSession } {
  const host = new Host();
  const call = new CallSession(host, { session: 'P1', txnRef: 'P1', direction: 'inbound', from: '+15550001', to: '+15550002', agent: scriptedCaller(), state: 'busy' });
  return { host, player: new BarePlayer(host), call };
}

const say: HeardPart = { type: 'say', text: 'Hello.' };
const pause: HeardPart = { type: 'pause', seconds: 2 };

describe('CallPlayer', () => {
  it('ends the call as its steps decide, or as an application error when they throw', async () => {
    const { host, player, call } = setUp();
    await player.run(call, () => Promise.resolve({ end: 'transfer-failed', transferStatus: 'busy' }));
    const second = setUp();
    await second.player.run(second.call, () => Promise.reject(new Error('broken reply')));
    expect(host.ends).toEqual([{ reason: 'transfer-failed', detail: { transferStatus: 'busy' } }]);
    expect(second.host.ends).toEqual([{ reason: 'application-error', detail: { error: 'broken reply' } }]);
  });

  it('does not end a call that ended while it ran, and its steps see the end as an abort', async () => {
    const { host, player, call } = setUp();
    let aborted = false;
    await player.run(call, (signal) => {
      call.hangup();
      aborted = signal.aborted;
      return Promise.resolve({ end: 'script-hangup' });
    });
    expect(aborted).toBe(true);
    expect(host.ends.map((e) => e.reason)).toEqual(['caller-hangup']);
  });

  it('shows silence before a redirect as a hold, and silence takes no speaking time', async () => {
    const { host, player, call } = setUp();
    await player.holdFor(call, [pause], new AbortController().signal);
    expect(call.transcript.map((e) => (e.kind === 'call' ? e.event : e.kind))).toEqual(['held', 'unheld']);
    expect(host.slept).toEqual([0]);
  });

  it('an answered transfer lasts as long as its callee talks; a busy one only as long as the message before it', async () => {
    const { host, player, call } = setUp();
    const signal = new AbortController().signal;
    expect(await player.bridgeWith(call, { type: 'outcome', outcome: 'answered', seconds: 30 }, [say], signal)).toEqual({ outcome: 'answered', seconds: 30 });
    expect(await player.bridgeWith(call, { type: 'outcome', outcome: 'busy', seconds: 30 }, [say], signal)).toEqual({ outcome: 'busy', seconds: 0 });
    expect(await player.bridgeWith(call, { type: 'press', digits: '1' }, [], signal)).toEqual({ outcome: 'answered', seconds: 0 });
    expect(call.simulatedSeconds).toBe(30);
    expect(host.slept).toEqual([7, 60, 7, 0, 0]);
  });

  it('a hangup shows as a hangup block with what was said before it', async () => {
    const { host, player, call } = setUp();
    expect(await player.hangUpAfter(call, [say], new AbortController().signal)).toEqual({ end: 'rejected' });
    expect(call.transcript).toEqual([expect.objectContaining({ kind: 'block', block: 'hangup', params: {}, heard: [say] })]);
    expect(host.slept).toEqual([7]);
  });
});
