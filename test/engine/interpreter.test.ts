import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/engine/events.js';
import { DEFAULT_MAX_STEPS, MAX_VALUE_LENGTH, startInbound, startOutbound, step } from '../../src/engine/interpreter.js';
import { POLITE_HANGUP } from '../../src/engine/messages.js';
import type { CallState } from '../../src/engine/state.js';
import type { Action, Transition } from '../../src/engine/transition.js';
import type { Script } from '../../src/script/model.js';
import { mustCompile, mustCompileFor } from '../helpers/compile.js';
import { readable, type ReadableBlock } from '../helpers/readable-blocks.js';
import { HOIIO_CAPABILITIES } from '../../src/provider/hoiio/capabilities.js';
import { buildSummary } from '../../src/events/summary.js';

const MENU = `
name: acme
numbers: ["+6560000001"]
vars: { company: Acme }
steps:
  welcome:
    play: "Welcome to {{company}}, caller {{call.from}}."
    next: menu
  menu:
    gather: { prompt: "For sales press 1. For support press 2.", max_digits: 1, timeout: 10, attempts: 2 }
    branches: { "1": sales, "2": support, "9": quality }
    invalid:
      message: "Sorry, that is not a valid choice."
      retries: 2
      goto: operator
    no_input: goodbye
  sales:
    transfer: { to: "+6562223333", message: "Connecting you.", caller_id: "{{call.from}}" }
    on_failure: voicemail
  support:
    transfer: "+6562224444"
  operator:
    transfer: { to: "+6562225555" }
    on_failure: goodbye
  voicemail:
    record: { prompt: "Leave a message after the tone.", max_duration: 60 }
    save_as: voicemail_url
    next: thanks
  quality:
    monitor: { message: "This call is recorded." }
    next: menu
  thanks:
    hangup: "Thank you for calling {{company}}. Transfer was {{transfer_status}}; message at {{voicemail_url}}."
  goodbye:
    hangup: "Goodbye."
`;

const ACCOUNT = `
name: account
numbers: ["+6560000002"]
vars: {}
steps:
  ask:
    gather: { prompt: "Enter your account number, then press hash.", max_digits: 8 }
    save_as: account
    next: confirm
  confirm:
    play: "You entered {{spell account}}."
    next: bye
  bye:
    hangup: {}
`;

// Hoiio's call fields (`{{call.txn_ref}}`), as the server passes them from the provider's table.
const OPTS = { now: 1_000, callFields: HOIIO_CAPABILITIES.callFields };
const CALL = { id: 'c1', token: 'tok', session: 'S1', providerRef: 'AA-C-1', from: '+6591234567', to: '+6560000001' };

/** Drives a call: applies events in order, collecting every transition. */
class Driver {
  state: CallState;
  readonly transitions: Transition[] = [];

  constructor(
    readonly script: Script,
    first: Transition,
  ) {
    this.state = first.state;
    this.transitions.push(first);
  }

  apply(event: CallEvent, maxSteps?: number): Transition {
    const t = step(this.script, this.state, event, { ...OPTS, now: 2_000, ...(maxSteps !== undefined ? { maxSteps } : {}) });
    this.state = t.state;
    this.transitions.push(t);
    return t;
  }

  /** The outstanding block finished (played, pressed, recorded...). */
  done(fields: Omit<Extract<CallEvent, { type: 'block.done' }>, 'type' | 'seq'> = {}): Transition {
    return this.apply({ type: 'block.done', seq: this.state.seq, ...fields });
  }

  blocks(): ReadableBlock[] {
    return this.transitions.flatMap((t) => t.actions.flatMap((a) => (a.type === 'send' ? [readable(a.block)] : [])));
  }

  lastBlock(): ReadableBlock | undefined {
    return this.blocks().at(-1);
  }
}

function inbound(script: Script): Driver {
  return new Driver(script, startInbound(script, CALL, OPTS));
}

function sends(actions: readonly Action[]): ReadableBlock[] {
  return actions.flatMap((a) => (a.type === 'send' ? [readable(a.block)] : []));
}

describe('interpreter: blocks', () => {
  const script = mustCompile(MENU);

  it('answers a ringing call with the first step, rendering templates over vars and call fields', () => {
    const d = inbound(script);
    expect(d.blocks()).toEqual([{ kind: 'play', message: 'Welcome to Acme, caller +6591234567.' }]);
    expect(d.state).toMatchObject({ status: 'active', step: 'welcome', seq: 1, pending: 'play', path: ['welcome'] });
  });

  it('goes to next after a play, and sends gather with only the parameters that are set', () => {
    const d = inbound(script);
    const t = d.done();
    expect(sends(t.actions)).toEqual([
      { kind: 'gather', prompt: 'For sales press 1. For support press 2.', maxDigits: 1, timeout: 10, attempts: 2 },
    ]);
    expect(t.notes).toContainEqual({ type: 'step.entered', step: 'menu', kind: 'gather' });
  });

  it('follows the branch for the digits pressed', () => {
    const d = inbound(script);
    d.done();
    const t = d.done({ digits: '1' });
    expect(sends(t.actions)).toEqual([
      { kind: 'transfer', to: '+6562223333', message: 'Connecting you.', callerId: '+6591234567', onFailure: 'continue' },
    ]);
    expect(d.state.digits).toBe('1');
    expect(d.state.step).toBe('sales');
  });

  it('asks again on invalid input, saying the invalid message before the prompt, then gives up to goto', () => {
    const d = inbound(script);
    d.done();
    const r1 = d.done({ digits: '7' });
    expect(sends(r1.actions)).toEqual([
      {
        kind: 'gather',
        prompt: 'Sorry, that is not a valid choice. For sales press 1. For support press 2.',
        maxDigits: 1,
        timeout: 10,
        attempts: 2,
      },
    ]);
    expect(r1.notes).toContainEqual({ type: 'input.invalid', step: 'menu', digits: '7', retry: 1 });
    expect(d.state.retries).toBe(1);
    d.done({ digits: '8' });
    expect(d.state.retries).toBe(2);
    const r3 = d.done({ digits: '5' });
    expect(sends(r3.actions)).toEqual([{ kind: 'transfer', to: '+6562225555', onFailure: 'continue' }]);
    expect(d.state.step).toBe('operator');
  });

  it('hangs up politely when invalid input is exhausted and there is no goto', () => {
    const s = mustCompile(`
steps:
  menu:
    gather: { prompt: "Press 1." }
    branches: { "1": bye }
    invalid: { retries: 0 }
  bye:
    hangup: "Bye."
`);
    const d = inbound(s);
    const t = d.done({ digits: '3' });
    expect(sends(t.actions)).toEqual([{ kind: 'hangup', message: POLITE_HANGUP['invalid-input'] }]);
    expect(d.state).toMatchObject({ status: 'ending', ending: 'invalid-input' });
    d.apply({ type: 'ended', seq: d.state.seq });
    expect(d.state).toMatchObject({ status: 'ended', outcome: 'invalid-input' });
  });

  it('the invalid shorthand goes straight to its step', () => {
    const s = mustCompile(`
steps:
  menu:
    gather: "Press 1."
    branches: { "1": bye }
    invalid: oops
  oops:
    hangup: "Oops."
  bye:
    hangup: "Bye."
`);
    const d = inbound(s);
    const t = d.done({ digits: '2' });
    expect(sends(t.actions)).toEqual([{ kind: 'hangup', message: 'Oops.' }]);
  });

  it('takes no_input when nothing was pressed (empty or missing digits)', () => {
    for (const fields of [{ digits: '' }, {}]) {
      const d = inbound(script);
      d.done();
      const t = d.done(fields);
      expect(sends(t.actions)).toEqual([{ kind: 'hangup', message: 'Goodbye.' }]);
      expect(t.notes).toContainEqual({ type: 'input.none', step: 'menu' });
    }
  });

  it('hangs up politely on no input when the gather has no no_input', () => {
    const d = inbound(mustCompile(ACCOUNT));
    const t = d.done({ digits: '' });
    expect(sends(t.actions)).toEqual([{ kind: 'hangup', message: POLITE_HANGUP['no-input'] }]);
    expect(d.state.ending).toBe('no-input');
  });

  it('a gather without branches saves the digits and goes to next; templates see them', () => {
    const d = inbound(mustCompile(ACCOUNT));
    const t = d.done({ digits: '12345678' });
    expect(d.state.vars).toEqual({ account: '12345678' });
    expect(sends(t.actions)).toEqual([{ kind: 'play', message: 'You entered 1 2 3 4 5 6 7 8.' }]);
    const t2 = d.done();
    expect(sends(t2.actions)).toEqual([{ kind: 'hangup' }]);
  });

  it('a failed transfer with on_failure continues there; record saves its URL; hangup renders the saved values', () => {
    const d = inbound(script);
    d.done();
    d.done({ digits: '1' });
    const t = d.done({ status: 'busy' });
    expect(d.state.transferStatus).toBe('busy');
    expect(sends(t.actions)).toEqual([{ kind: 'record', prompt: 'Leave a message after the tone.', maxDuration: 60 }]);
    const t2 = d.done({ recordUrl: 'http://rec/1.mp3' });
    expect(d.state.vars.voicemail_url).toBe('http://rec/1.mp3');
    expect(d.state.recordUrl).toBe('http://rec/1.mp3');
    expect(sends(t2.actions)).toEqual([
      { kind: 'hangup', message: 'Thank you for calling Acme. Transfer was busy; message at http://rec/1.mp3.' },
    ]);
    const end = d.apply({ type: 'ended', seq: d.state.seq });
    expect(end.actions).toEqual([{ type: 'end', outcome: 'completed' }]);
    expect(d.state.path).toEqual(['welcome', 'menu', 'sales', 'voicemail', 'thanks']);
  });

  it('a transfer without on_failure asks the provider to hang up on failure and ends with the transfer result', () => {
    for (const [status, outcome] of [
      ['answered', 'transferred'],
      ['busy', 'transfer-failed'],
    ] as const) {
      const d = inbound(script);
      d.done();
      const t = d.done({ digits: '2' });
      expect(sends(t.actions)).toEqual([{ kind: 'transfer', to: '+6562224444', onFailure: 'hangup' }]);
      expect(d.state.status).toBe('ending');
      const end = d.apply({ type: 'ended', seq: d.state.seq, status });
      expect(end.actions).toEqual([{ type: 'end', outcome }]);
      expect(d.state.transferStatus).toBe(status);
    }
  });

  it('monitor goes on to next when it has started', () => {
    const d = inbound(script);
    d.done();
    const t = d.done({ digits: '9' });
    expect(sends(t.actions)).toEqual([{ kind: 'monitor', message: 'This call is recorded.' }]);
    const t2 = d.done();
    expect(sends(t2.actions)[0]?.kind).toBe('gather');
    expect(d.state.step).toBe('menu');
  });
});

describe('interpreter: call lifecycle and hostile event orders', () => {
  const script = mustCompile(MENU);

  it('a caller hanging up mid-block ends the call and sends nothing more', () => {
    const d = inbound(script);
    d.done();
    const t = d.apply({ type: 'ended', seq: d.state.seq });
    expect(t.actions).toEqual([{ type: 'end', outcome: 'caller-hangup' }]);
    expect(d.state).toMatchObject({ status: 'ended', pending: null, outcome: 'caller-hangup' });
    // Whatever arrives afterwards changes nothing.
    for (const e of [
      { type: 'block.done', seq: d.state.seq, digits: '1' },
      { type: 'ended', seq: d.state.seq },
      { type: 'send.failed', seq: d.state.seq, code: 'x', message: 'x', sessionGone: false },
    ] as const) {
      const before = d.state;
      const after = d.apply(e);
      expect(after.actions).toEqual([]);
      expect(after.state).toBe(before);
    }
  });

  it('keeps what was recorded when the caller hangs up mid-recording', () => {
    const d = inbound(script);
    d.done();
    d.done({ digits: '1' });
    d.done({ status: 'busy' });
    d.apply({ type: 'ended', seq: d.state.seq, recordUrl: 'http://rec/partial.mp3' });
    expect(d.state.vars.voicemail_url).toBe('http://rec/partial.mp3');
    expect(d.state.outcome).toBe('caller-hangup');
  });

  it('a duplicated notification advances the call once', () => {
    const d = inbound(script);
    const seq = d.state.seq;
    d.apply({ type: 'block.done', seq });
    const stateAfterFirst = d.state;
    const dup = d.apply({ type: 'block.done', seq });
    expect(dup.actions).toEqual([]);
    expect(dup.notes).toEqual([{ type: 'notification.ignored', reason: 'stale' }]);
    expect(d.state).toBe(stateAfterFirst);
  });

  it('out-of-order notifications (an old block, a block not sent yet) change nothing', () => {
    const d = inbound(script);
    d.done();
    d.done({ digits: '9' });
    const current = d.state;
    const late = d.apply({ type: 'block.done', seq: 1 });
    expect(late.actions).toEqual([]);
    expect(late.state).toBe(current);
    const early = d.apply({ type: 'block.done', seq: current.seq + 5, digits: '1' });
    expect(early.actions).toEqual([]);
    expect(early.notes).toEqual([{ type: 'notification.ignored', reason: 'unexpected' }]);
    expect(early.state).toBe(current);
  });

  it('never has more than one block outstanding, over a long random walk of events', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let call = 0; call < 200; call++) {
      const d = inbound(script);
      for (let i = 0; i < 30 && d.state.status !== 'ended'; i++) {
        const choice = rand(10);
        const seq = rand(4) === 0 ? d.state.seq - rand(3) : d.state.seq;
        const event: CallEvent =
          choice === 0
            ? { type: 'ended', seq }
            : choice === 1
              ? { type: 'send.failed', seq, code: 'error_internal_server_error', message: 'x', sessionGone: rand(3) === 0 }
              : { type: 'block.done', seq, digits: String(rand(12)), status: rand(2) === 0 ? 'busy' : 'answered' };
        const t = d.apply(event);
        expect(t.actions.filter((a) => a.type === 'send').length).toBeLessThanOrEqual(1);
        if (t.actions.some((a) => a.type === 'send')) expect(t.state.pending).not.toBeNull();
      }
      const sentAfterEnd = d.transitions
        .slice(d.transitions.findIndex((t) => t.state.status === 'ended') + 1 || d.transitions.length)
        .flatMap((t) => t.actions);
      expect(sentAfterEnd).toEqual([]);
    }
  });
});

describe('interpreter: failures', () => {
  const script = mustCompile(MENU);

  it('a block the provider refuses ends the call with an apology', () => {
    const d = inbound(script);
    const t = d.apply({ type: 'send.failed', seq: d.state.seq, code: 'error_internal_server_error', message: 'x', sessionGone: false });
    expect(sends(t.actions)).toEqual([{ kind: 'hangup', message: POLITE_HANGUP.error }]);
    expect(d.state.ending).toBe('error');
  });

  it('if the apology fails too, a forced hangup follows; if that fails, the engine gives up', () => {
    const d = inbound(script);
    d.apply({ type: 'send.failed', seq: d.state.seq, code: 'e', message: 'x', sessionGone: false });
    const t = d.apply({ type: 'send.failed', seq: d.state.seq, code: 'error_msg_cannot_convert_text', message: 'x', sessionGone: false });
    expect(sends(t.actions)).toEqual([{ kind: 'hangup', force: true }]);
    const last = d.apply({ type: 'send.failed', seq: d.state.seq, code: 'e', message: 'x', sessionGone: false });
    expect(last.actions).toEqual([{ type: 'end', outcome: 'error' }]);
    expect(d.state.status).toBe('ended');
  });

  it('a script\'s own goodbye refused: a forced hangup, the outcome stays completed, and the summary says the goodbye was forced and why', () => {
    const bye = mustCompile(`
events_url: https://events.example/calls
steps:
  bye: { hangup: "Goodbye." }
`);
    const d = inbound(bye);
    expect(d.lastBlock()).toEqual({ kind: 'hangup', message: 'Goodbye.' });
    const t = d.apply({ type: 'send.failed', seq: d.state.seq, code: 'error_msg_invalid_length', message: 'x', sessionGone: false });
    expect(sends(t.actions)).toEqual([{ kind: 'hangup', force: true }]);
    expect(d.state.forced).toBe('error_msg_invalid_length');
    const ended = d.apply({ type: 'ended', seq: d.state.seq });
    expect(ended.actions).toEqual([{ type: 'end', outcome: 'completed' }]);
    const summary = buildSummary(bye, d.state, 'completed', 5_000);
    expect(summary).toMatchObject({ outcome: 'completed', forced_hangup: 'error_msg_invalid_length' });
    // A call whose goodbye went through says nothing of the kind.
    const normal = inbound(bye);
    normal.done();
    normal.apply({ type: 'ended', seq: normal.state.seq });
    expect(buildSummary(bye, normal.state, 'completed', 5_000)).not.toHaveProperty('forced_hangup');
  });

  it('a session the provider no longer knows ends the call without sending anything', () => {
    const d = inbound(script);
    const t = d.apply({ type: 'send.failed', seq: d.state.seq, code: 'error_session_ended', message: 'x', sessionGone: true });
    expect(t.actions).toEqual([{ type: 'end', outcome: 'caller-hangup' }]);
  });

  it('a message that renders past the provider limit ends the call politely instead of sending it', () => {
    const s = mustCompile(`
vars: { long: "" }
steps:
  a:
    play: "{{long}}"
    next: b
  b:
    hangup: {}
`);
    // Past the engine's own bound on a rendered value (provider limits are tested with the provider's table).
    const t = startOutbound(s, { id: 'c', token: 't', to: '+6591234567', vars: { long: 'x'.repeat(MAX_VALUE_LENGTH + 1) } }, OPTS);
    const d = new Driver(s, t);
    const answered = d.done({ status: 'answered' });
    expect(sends(answered.actions)).toEqual([{ kind: 'hangup', message: POLITE_HANGUP.error }]);
    expect(answered.notes).toContainEqual(expect.objectContaining({ type: 'render.failed', step: 'a', field: 'play' }));
  });

  it('caps runaway flows at the step limit and ends them politely', () => {
    // A loop without input (play → play) no longer compiles (CS_LOOP_WITHOUT_INPUT); a caller
    // who keeps asking for the menu again is the runaway flow left for the runtime cap.
    const s = mustCompile(`
steps:
  a:
    gather: "Press 1 to hear this again."
    branches: { "1": b }
  b:
    play: "B"
    next: a
`);
    const d = new Driver(s, startInbound(s, CALL, { now: 0, maxSteps: 5 }));
    const answer = (): CallEvent => ({ type: 'block.done', seq: d.state.seq, ...(d.state.pending === 'gather' ? { digits: '1' } : {}) });
    for (let i = 0; i < 4; i++) d.apply(answer(), 5);
    expect(d.state.steps).toBe(5);
    const t = d.apply(answer(), 5);
    expect(t.notes).toContainEqual({ type: 'step.limit', limit: 5 });
    expect(sends(t.actions)).toEqual([{ kind: 'hangup', message: POLITE_HANGUP['step-limit'] }]);
  });

  it('without a configured limit, a call is capped at 200 steps (the default of --max-steps)', () => {
    expect(DEFAULT_MAX_STEPS).toBe(200);
    const s = mustCompile(`
steps:
  a:
    gather: "Press 1 to hear this again."
    branches: { "1": a }
`);
    const d = new Driver(s, startInbound(s, CALL, OPTS));
    let last: Transition | undefined;
    for (let i = 0; i < 250 && d.state.status !== 'ended' && d.state.pending === 'gather'; i++) last = d.done({ digits: '1' });
    expect(d.state.steps).toBe(200);
    expect(last?.notes).toContainEqual({ type: 'step.limit', limit: 200 });
    expect(d.lastBlock()).toEqual({ kind: 'hangup', message: POLITE_HANGUP['step-limit'] });
    expect(d.blocks().filter((b) => b.kind === 'gather')).toHaveLength(200);
  });
});

describe('interpreter: outbound', () => {
  const script = mustCompile(`
name: reminder
vars: { name: there }
steps:
  hello:
    play: "Hello {{name}}, this is a reminder."
    next: bye
  bye:
    hangup: "Goodbye {{name}}."
`);

  it('dials first, binds the session, and runs the script once answered', () => {
    const first = startOutbound(script, { id: 'c9', token: 't', to: '+6591234567', vars: { name: 'Bob' } }, OPTS);
    expect(sends(first.actions)).toEqual([{ kind: 'dial', to: '+6591234567' }]);
    expect(first.state).toMatchObject({ status: 'dialing', pending: 'dial', session: '' });
    const d = new Driver(script, first);
    d.apply({ type: 'dial.accepted', session: 'S9', providerRef: 'AA-C-9' });
    expect(d.state).toMatchObject({ session: 'S9', providerRef: 'AA-C-9', pending: 'dial' });
    const t = d.done({ status: 'answered' });
    expect(sends(t.actions)).toEqual([{ kind: 'play', message: 'Hello Bob, this is a reminder.' }]);
    expect(d.state.status).toBe('active');
  });

  it('ends as not-answered when the callee is busy', () => {
    const d = new Driver(script, startOutbound(script, { id: 'c9', token: 't', to: '+6591234567' }, OPTS));
    const t = d.apply({ type: 'ended', seq: 1, status: 'busy' });
    expect(t.actions).toEqual([{ type: 'end', outcome: 'not-answered' }]);
  });

  it('uses the script default for vars the request did not set', () => {
    const d = new Driver(script, startOutbound(script, { id: 'c9', token: 't', to: '+6591234567' }, OPTS));
    const t = d.done({ status: 'answered' });
    expect(sends(t.actions)).toEqual([{ kind: 'play', message: 'Hello there, this is a reminder.' }]);
  });
});

describe('interpreter: the template context', () => {
  // Every context field the issue lists: vars, outbound request vars, save_as values, call.*
  // (from, to, session, direction, and Hoiio's txn_ref) and the last digits, record_url and
  // transfer_status; transfer `to` and `caller_id` are templates too.
  const script = mustCompileFor(HOIIO_CAPABILITIES, `
name: context
numbers: ["+6560000001"]
vars: { desk: "+6562229999", greeting: Hi }
steps:
  hello:
    play: "{{greeting}} {{call.from}} on {{call.to}}, {{call.direction}} call {{call.session}} / {{call.txn_ref}}."
    next: ask
  ask:
    gather: { prompt: "Enter a code.", max_digits: 4 }
    save_as: code
    next: leave
  leave:
    record: "You pressed {{digits}} (code {{code}}). Leave a message."
    next: route
  route:
    transfer: { to: "{{desk}}", caller_id: "{{call.to}}", message: "Recording {{record_url}}." }
    on_failure: bye
  bye:
    hangup: "Transfer {{transfer_status}}; code {{spell code}}; {{greeting}}."
`);

  it('inbound: call fields, digits, save_as, record_url, transfer_status; transfer to and caller_id rendered', () => {
    const d = inbound(script);
    expect(d.lastBlock()).toEqual({ kind: 'play', message: 'Hi +6591234567 on +6560000001, inbound call S1 / AA-C-1.' });
    d.done();
    d.done({ digits: '4711' });
    expect(d.lastBlock()).toEqual({ kind: 'record', prompt: 'You pressed 4711 (code 4711). Leave a message.' });
    d.done({ recordUrl: 'http://rec/9.mp3' });
    expect(d.lastBlock()).toEqual({ kind: 'transfer', to: '+6562229999', callerId: '+6560000001', message: 'Recording http://rec/9.mp3.', onFailure: 'continue' });
    d.done({ status: 'unanswered' });
    expect(d.lastBlock()).toEqual({ kind: 'hangup', message: 'Transfer unanswered; code 4 7 1 1; Hi.' });
  });

  it('outbound: the request vars override the defaults; direction, session and txn_ref come from the dial', () => {
    const first = startOutbound(script, { id: 'c2', token: 't', to: '+6598765432', from: '+6560000001', vars: { greeting: 'Hello', desk: '+6562228888' } }, OPTS);
    const d = new Driver(script, first);
    d.apply({ type: 'dial.accepted', session: 'S7', providerRef: 'AA-C-7' });
    d.done({ status: 'answered' });
    expect(d.lastBlock()).toEqual({ kind: 'play', message: 'Hello +6560000001 on +6598765432, outbound call S7 / AA-C-7.' });
    d.done();
    d.done({ digits: '1' });
    d.done({ recordUrl: 'http://rec/1.mp3' });
    expect(d.lastBlock()).toMatchObject({ kind: 'transfer', to: '+6562228888', callerId: '+6598765432' });
  });
});
