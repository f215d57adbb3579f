/**
 * The call interpreter: a pure function from (script, state, event) to the next
 * state and the actions to carry out. No I/O, no clock, no randomness: ids, tokens
 * and time come in through the arguments, so every transition is reproducible.
 * An http step is an action like sending a block: the runner makes the request
 * and its result comes back as an event.
 *
 * Invariants it keeps (the runtime and the soak test rely on them):
 * - at most one block (or http request) is outstanding (`pending`), and a new one
 *   is only sent once the previous one's result has arrived;
 * - nothing is ever sent once `status` is `ended`;
 * - a notification for anything but the outstanding block changes nothing.
 */
import type { BlockKind } from './blocks.js';
import type { CallEvent } from './events.js';
import { copyState, type CallState, type Direction, type Outcome } from './state.js';
import type { Transition } from './transition.js';
import type { Script } from '../script/model.js';
import { onGatherDone } from './gather.js';
import { onHttpResult } from './http-result.js';
import { DEFAULT_MAX_STEPS, type EngineOptions } from './options.js';
import { Run, type Draft } from './run.js';

export {
  DEFAULT_MAX_STEPS,
  MAX_BODY_LENGTH,
  MAX_ERROR_JUMPS,
  MAX_FIELD_LENGTH,
  MAX_URL_LENGTH,
  MAX_VALUE_LENGTH,
  type EngineOptions,
  type ScriptResolver,
} from './options.js';

interface CallExtras {
  /** Initial variables (over the script's defaults). */
  readonly vars?: Readonly<Record<string, string>>;
  /** A fixed wall-clock time for this call's `hours` steps (tests, `--now`). */
  readonly clock?: number;
}

export interface InboundCall extends CallExtras {
  readonly id: string;
  readonly token: string;
  readonly session: string;
  readonly providerRef: string;
  readonly from: string;
  readonly to: string;
}

export interface OutboundCall extends CallExtras {
  readonly id: string;
  readonly token: string;
  readonly to: string;
  /** Caller id to present to the callee; the provider's default when absent. */
  readonly from?: string;
}


function newState(
  script: Script,
  base: {
    id: string;
    token: string;
    direction: Direction;
    from: string;
    to: string;
    session: string;
    providerRef: string;
    vars: Readonly<Record<string, string>>;
  },
  now: number,
  clock: number | undefined,
): Draft {
  // Field by field, in copyState's order: every state of every call has one hidden class.
  const state: Draft = {
    id: base.id,
    token: base.token,
    script: script.name,
    version: script.version,
    direction: base.direction,
    from: base.from,
    to: base.to,
    session: base.session,
    providerRef: base.providerRef,
    status: 'active',
    step: null,
    seq: 0,
    pending: null,
    retries: 0,
    vars: base.vars,
    digits: '',
    recordUrl: '',
    transferStatus: '',
    steps: 0,
    path: [],
    ending: null,
    lastResort: false,
    outcome: null,
    startedAt: now,
    updatedAt: now,
  };
  if (clock !== undefined) state.clock = clock;
  return state;
}

function maxStepsOf(options: EngineOptions): number {
  return options.maxSteps ?? DEFAULT_MAX_STEPS;
}

/** A ringing inbound call: answer it by running the script's first step. */
export function startInbound(script: Script, call: InboundCall, options: EngineOptions): Transition {
  const s = newState(
    script,
    { id: call.id, token: call.token, direction: 'inbound', from: call.from, to: call.to, session: call.session, providerRef: call.providerRef, vars: call.vars ?? {} },
    options.now,
    call.clock,
  );
  const run = new Run(script, s, maxStepsOf(options), options);
  run.enter(script.start);
  return run.result();
}

/** An outbound call: dial first; the script starts once the callee answers. */
export function startOutbound(script: Script, call: OutboundCall, options: EngineOptions): Transition {
  const s = newState(
    script,
    {
      id: call.id,
      token: call.token,
      direction: 'outbound',
      from: call.from ?? '',
      to: call.to,
      session: '',
      providerRef: '',
      vars: call.vars ?? {},
    },
    options.now,
    call.clock,
  );
  s.status = 'dialing';
  const run = new Run(script, s, maxStepsOf(options), options);
  run.send(call.from !== undefined ? { kind: 'dial', to: call.to, callerId: call.from } : { kind: 'dial', to: call.to });
  return run.result();
}

/** Applies one event to a call. `script` must be the version the call is pinned to. */
export function step(script: Script, state: CallState, event: CallEvent, options: EngineOptions): Transition {
  const run = new Run(script, copyState(state, options.now), maxStepsOf(options), options);
  const s = run.s;
  const ignore = (reason: 'stale' | 'duplicate' | 'after-end' | 'unexpected'): Transition => {
    // Nothing changed: hand back the original state so stores can skip the write.
    return { state, actions: [], notes: [{ type: 'notification.ignored', reason }] };
  };

  switch (event.type) {
    case 'dial.accepted': {
      if (s.status === 'ended') return ignore('after-end');
      s.session = event.session;
      s.providerRef = event.providerRef;
      return run.result();
    }

    case 'ended': {
      if (s.status === 'ended') return ignore('duplicate');
      if (event.recordUrl !== undefined && event.recordUrl !== '') {
        s.recordUrl = event.recordUrl;
        run.keepRecording(event.recordUrl);
        // A caller who hangs up mid-recording still leaves what was recorded.
        const current = s.step !== null && !run.broken ? run.script.steps[s.step] : undefined;
        if (current?.kind === 'record' && s.pending === 'record') run.save(current.saveAs, event.recordUrl);
      }
      if (event.status !== undefined && event.status !== '' && s.pending === 'transfer') s.transferStatus = event.status;
      run.finish(endedOutcome(s, event.status));
      return run.result();
    }

    case 'block.done': {
      if (s.status === 'ended') return ignore('after-end');
      if (s.pending === null || s.pending === 'http' || event.seq !== s.seq) return ignore(event.seq < s.seq ? 'stale' : 'unexpected');
      const kind = s.pending;
      s.pending = null;
      onBlockDone(run, kind, event);
      return run.result();
    }

    case 'http.result': {
      if (s.status === 'ended') return ignore('after-end');
      if (s.pending !== 'http' || event.seq !== s.seq) return ignore('stale');
      s.pending = null;
      onHttpResult(run, event);
      return run.result();
    }

    case 'send.failed': {
      if (s.status === 'ended') return ignore('after-end');
      if (s.pending === null || s.pending === 'http' || event.seq !== s.seq) return ignore('stale');
      const kind = s.pending;
      s.pending = null;
      run.notes.push({ type: 'send.failed', step: s.step, code: event.code, error: event.message });
      if (kind === 'dial') {
        // The call never started.
        run.finish('error');
      } else if (event.sessionGone) {
        // Nothing can be sent any more; most often the caller hung up before `ended` reached us.
        run.finish(s.ending ?? 'caller-hangup');
      } else if (kind === 'hangup' && s.lastResort) {
        run.finish(s.ending ?? 'error');
      } else if (kind === 'hangup') {
        // The goodbye could not be said; a forced hangup carries no message, so it cannot fail on one.
        // The outcome stays what the script meant (a `completed` goodbye is still completed); the
        // call's summary says the goodbye was refused and why.
        run.forceHangup('error', event.code);
      } else if (s.status === 'ending' || run.broken) {
        run.hangupPolitely('error');
      } else {
        const current = s.step !== null ? run.script.steps[s.step] : undefined;
        const next = run.failure(current, `provider:${event.code}`);
        if (next !== undefined) run.enter(next);
      }
      return run.result();
    }
  }
}

function endedOutcome(s: Draft, status: string | undefined): Outcome {
  if (s.ending !== null) return s.ending;
  switch (s.pending) {
    case 'dial':
      return 'not-answered';
    case 'transfer':
      if (status === 'answered') return 'transferred';
      return status !== undefined && status !== '' ? 'transfer-failed' : 'caller-hangup';
    default:
      return 'caller-hangup';
  }
}

function onBlockDone(run: Run, kind: BlockKind, event: Extract<CallEvent, { type: 'block.done' }>): void {
  const s = run.s;

  if (kind === 'dial') {
    if (event.status !== undefined && event.status !== 'answered') {
      run.finish('not-answered');
      return;
    }
    s.status = 'active';
    run.enter(run.root.start);
    return;
  }

  const current = s.step !== null && !run.broken ? run.script.steps[s.step] : undefined;
  if (kind === 'hangup' || s.status === 'ending' || current === undefined) {
    // A hangup (or a polite hangup) does not come back as `ongoing`; wait for `ended`.
    s.pending = kind;
    run.notes.push({ type: 'notification.ignored', reason: 'unexpected' });
    if (current === undefined && run.broken && kind !== 'hangup' && s.status !== 'ending') run.hangupPolitely('error');
    return;
  }

  switch (current.kind) {
    case 'play':
    case 'monitor':
      run.enter(current.next);
      return;
    case 'record': {
      const url = event.recordUrl ?? '';
      s.recordUrl = url;
      run.keepRecording(url);
      run.save(current.saveAs, url);
      run.invalidateContext();
      run.enter(current.next);
      return;
    }
    case 'transfer': {
      const status = event.status ?? 'failed';
      s.transferStatus = status;
      run.invalidateContext();
      if (current.onFailure === undefined) {
        s.pending = kind;
        run.notes.push({ type: 'notification.ignored', reason: 'unexpected' });
        return;
      }
      run.enter(current.onFailure);
      return;
    }
    case 'gather':
      onGatherDone(run, current, event.digits ?? '');
      return;
    default:
      s.pending = kind;
      return;
  }
}

