/**
 * The interpreter under arbitrary sequences of provider events (results of the
 * outstanding block, stale and early ones, duplicates, `ended` at any point,
 * failed sends, dial acceptances): at most one block is outstanding, nothing is
 * sent once the call has ended, and an event that is not for the outstanding
 * block changes nothing at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/engine/events.js';
import { startInbound, startOutbound, step } from '../../src/engine/interpreter.js';
import type { CallState } from '../../src/engine/state.js';
import type { Transition } from '../../src/engine/transition.js';
import type { Script } from '../../src/script/model.js';
import { SOAK_SCRIPTS } from '../../soak/scripts.js';
import { mustCompile } from '../helpers/compile.js';

const scripts: Script[] = Object.entries(SOAK_SCRIPTS).map(([file, text]) => mustCompile(text, file));
const NOW = Date.UTC(2026, 0, 5, 10, 0, 0);

interface EventTemplate {
  readonly type: 'block.done' | 'ended' | 'send.failed' | 'dial.accepted';
  /** Added to the call's current seq: -2 and -1 are stale, 0 the outstanding block, +1 one never sent. */
  readonly seqDelta: number;
  readonly withSeq: boolean;
  readonly digits: string | undefined;
  readonly status: string | undefined;
  readonly recordUrl: string | undefined;
  readonly code: string;
  readonly sessionGone: boolean;
}

const template: fc.Arbitrary<EventTemplate> = fc.record({
  type: fc.constantFrom('block.done', 'block.done', 'block.done', 'ended', 'send.failed', 'dial.accepted'),
  seqDelta: fc.constantFrom(-2, -1, 0, 0, 0, 0, 1),
  withSeq: fc.boolean(),
  digits: fc.option(fc.stringMatching(/^[0-9*#]{0,4}$/), { nil: undefined }),
  status: fc.option(fc.constantFrom('answered', 'busy', 'unanswered', 'failed', ''), { nil: undefined }),
  recordUrl: fc.option(fc.constantFrom('https://rec.example/a.mp3', ''), { nil: undefined }),
  code: fc.constantFrom('error_internal_server_error', 'E_PROVIDER_TIMEOUT', 'error_session_ended'),
  sessionGone: fc.boolean(),
});

function eventFor(t: EventTemplate, state: CallState): CallEvent {
  const seq = Math.max(0, state.seq + t.seqDelta);
  const extra = {
    ...(t.status !== undefined ? { status: t.status } : {}),
    ...(t.recordUrl !== undefined ? { recordUrl: t.recordUrl } : {}),
  };
  switch (t.type) {
    case 'block.done':
      return { type: 'block.done', seq, ...(t.digits !== undefined ? { digits: t.digits } : {}), ...extra };
    case 'ended':
      return { type: 'ended', ...(t.withSeq ? { seq } : {}), ...extra };
    case 'send.failed':
      return { type: 'send.failed', seq, code: t.code, message: t.code, sessionGone: t.sessionGone };
    case 'dial.accepted':
      return { type: 'dial.accepted', session: 'S1', providerRef: 'AA-C-1' };
  }
}

function sends(t: Transition): number {
  return t.actions.filter((a) => a.type === 'send').length;
}

/** What holds after every transition, whatever the event. */
function checkTransition(before: CallState | undefined, event: CallEvent | undefined, t: Transition): void {
  const s = t.state;
  expect(sends(t)).toBeLessThanOrEqual(1);
  expect(s.seq).toBe((before?.seq ?? 0) + sends(t));
  const endAt = t.actions.findIndex((a) => a.type === 'end');
  if (endAt >= 0) {
    // Nothing is sent after the call is over, and an ended call waits for nothing.
    expect(t.actions.slice(endAt + 1).some((a) => a.type === 'send')).toBe(false);
    expect(s.status).toBe('ended');
  }
  if (s.status === 'ended') expect(s.pending).toBeNull();
  const sent = t.actions.find((a) => a.type === 'send');
  if (sent !== undefined && sent.type === 'send') {
    expect(s.pending).toBe(sent.block.kind);
    expect(sent.seq).toBe(s.seq);
  }
  if (before === undefined || event === undefined) return;
  if (before.status === 'ended') {
    // Anything after the end changes nothing.
    expect(t.actions).toEqual([]);
    expect(s).toBe(before);
    return;
  }
  const forOutstanding = (event.type === 'block.done' || event.type === 'send.failed') && before.pending !== null && event.seq === before.seq;
  if (event.type === 'block.done' || event.type === 'send.failed') {
    if (!forOutstanding) {
      // A stale, duplicate or early result changes nothing.
      expect(t.actions).toEqual([]);
      expect(s).toBe(before);
    }
  }
  // A new block goes out only once the outstanding one is resolved by this event.
  if (sends(t) === 1) expect(forOutstanding || before.pending === null).toBe(true);
  if (event.type === 'ended' || event.type === 'dial.accepted') expect(sends(t)).toBe(0);
}

describe('interpreter invariants under any sequence of events', () => {
  it('inbound and outbound calls of the soak scripts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...scripts), fc.array(template, { maxLength: 80 }), (script, events) => {
        const outbound = script.numbers.length === 0;
        let t = outbound
          ? startOutbound(script, { id: 'c1', token: 'tok', to: '+6591234567' }, { now: NOW, maxSteps: 50 })
          : startInbound(script, { id: 'c1', token: 'tok', session: 'S1', providerRef: 'AA-C-1', from: '+6591234567', to: script.numbers[0] ?? '' }, { now: NOW, maxSteps: 50 });
        checkTransition(undefined, undefined, t);
        for (const template of events) {
          const before = t.state;
          const event = eventFor(template, before);
          t = step(script, before, event, { now: NOW, maxSteps: 50 });
          checkTransition(before, event, t);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('replaying every event a second time changes nothing the first time did not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...scripts.filter((s) => s.numbers.length > 0)), fc.array(template, { maxLength: 40 }), (script, events) => {
        let state = startInbound(script, { id: 'c1', token: 'tok', session: 'S1', providerRef: 'AA-C-1', from: '+6591234567', to: script.numbers[0] ?? '' }, { now: NOW }).state;
        for (const template of events) {
          const event = eventFor(template, state);
          const once = step(script, state, event, { now: NOW });
          const twice = step(script, once.state, event, { now: NOW });
          // The duplicate of a result is stale once the first one was applied (or the call has ended).
          if (event.type !== 'dial.accepted') {
            expect(sends(twice)).toBe(0);
            if (event.type !== 'ended' || once.state.status === 'ended') expect({ ...twice.state, updatedAt: 0 }).toEqual({ ...once.state, updatedAt: 0 });
          }
          state = once.state;
        }
      }),
      { numRuns: 400 },
    );
  });
});
