/**
 * The call interpreter: a pure function from (script, state, event) to the next
 * state and the actions to carry out. No I/O, no clock, no randomness: ids, tokens
 * and time come in through the arguments, so every transition is reproducible.
 *
 * Invariants it keeps (the runtime and the soak test rely on them):
 * - at most one block is outstanding (`pending`), and a new one is only sent once
 *   the previous block's notification has arrived;
 * - nothing is ever sent once `status` is `ended`;
 * - a notification for anything but the outstanding block changes nothing.
 */
import type { Block, BlockKind } from './blocks.js';
import type { CallEvent } from './events.js';
import { POLITE_HANGUP } from './messages.js';
import type { CallState, Direction, Outcome } from './state.js';
import type { Action, Note, Transition } from './transition.js';
import type { GatherStep, Script, Step, StepId } from '../script/model.js';
import type { Template, TemplateContext } from '../template/template.js';

/** Provider limits, from the Hoiio contract. */
export const MAX_MESSAGE_LENGTH = 1000;
export const MAX_TAG_LENGTH = 256;
export const DEFAULT_MAX_STEPS = 200;

export interface EngineOptions {
  /** Milliseconds since the epoch; stamped on the state. */
  readonly now: number;
  /** Steps a call may enter before it is ended politely (runaway-loop guard). */
  readonly maxSteps?: number;
}

export interface InboundCall {
  readonly id: string;
  readonly token: string;
  readonly session: string;
  readonly txnRef: string;
  readonly from: string;
  readonly to: string;
}

export interface OutboundCall {
  readonly id: string;
  readonly token: string;
  readonly to: string;
  /** Caller id to present to the callee; the provider's default when absent. */
  readonly from?: string;
  readonly vars?: Readonly<Record<string, string>>;
}

/** A mutable draft of the state for the length of one transition. */
type Draft = { -readonly [K in keyof CallState]: CallState[K] };

class Run {
  readonly actions: Action[] = [];
  readonly notes: Note[] = [];
  private ctx: TemplateContext | undefined;

  constructor(
    readonly script: Script,
    readonly s: Draft,
    readonly maxSteps: number,
  ) {}

  result(): Transition {
    return { state: this.s, actions: this.actions, notes: this.notes };
  }

  invalidateContext(): void {
    this.ctx = undefined;
  }

  context(): TemplateContext {
    if (this.ctx === undefined) {
      const s = this.s;
      this.ctx = {
        ...this.script.vars,
        ...s.vars,
        call: {
          from: s.from,
          to: s.to,
          session: s.session,
          txn_ref: s.txnRef,
          direction: s.direction,
        },
        digits: s.digits,
        record_url: s.recordUrl,
        transfer_status: s.transferStatus,
      };
    }
    return this.ctx;
  }

  send(block: Block): void {
    const s = this.s;
    s.seq += 1;
    s.pending = block.kind;
    this.actions.push({ type: 'send', seq: s.seq, block });
  }

  /** Renders a template, enforcing the provider's length limit. Throws RenderError. */
  render(template: Template, field: string, limit = MAX_MESSAGE_LENGTH): string {
    let text: string;
    try {
      text = template.render(this.context());
    } catch (err) {
      throw new RenderError(field, err instanceof Error ? err.message : String(err));
    }
    if (text.length > limit) {
      throw new RenderError(field, `rendered to ${text.length} characters; the provider accepts at most ${limit}`);
    }
    return text;
  }

  renderOptional(template: Template | undefined, field: string, limit?: number): string | undefined {
    if (template === undefined) return undefined;
    const text = this.render(template, field, limit);
    return text === '' ? undefined : text;
  }

  enter(stepId: StepId): void {
    const s = this.s;
    if (s.steps >= this.maxSteps) {
      this.notes.push({ type: 'step.limit', limit: this.maxSteps });
      this.hangupPolitely('step-limit');
      return;
    }
    const step = this.script.steps[stepId];
    if (step === undefined) {
      // Cannot happen for a compiled script; guard anyway rather than wedge the call.
      this.notes.push({ type: 'render.failed', step: stepId, field: 'step', error: 'no such step' });
      this.hangupPolitely('error');
      return;
    }
    s.step = stepId;
    s.steps += 1;
    // concat allocates exactly one more slot; a spread leaves room for 16 more in every parked call.
    s.path = s.path.concat(stepId);
    s.retries = 0;
    this.notes.push({ type: 'step.entered', step: stepId, kind: step.kind });
    try {
      this.sendStep(step, undefined);
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      this.notes.push({ type: 'render.failed', step: stepId, field: err.field, error: err.message });
      this.hangupPolitely('error');
    }
  }

  /** Sends the block for `step`; `prefix` is said before a gather prompt (invalid-input retries). */
  sendStep(step: Step, prefix: string | undefined): void {
    const tag = this.renderOptional(step.tag, 'tag', MAX_TAG_LENGTH);
    switch (step.kind) {
      case 'play':
        this.send({ kind: 'play', message: this.render(step.message, 'play'), ...opt('tag', tag) });
        return;
      case 'gather': {
        const prompt = this.renderOptional(step.prompt, 'prompt');
        const text = prefix !== undefined && prompt !== undefined ? `${prefix} ${prompt}` : (prompt ?? prefix);
        if (text !== undefined && text.length > MAX_MESSAGE_LENGTH) {
          throw new RenderError('prompt', `rendered to ${text.length} characters; the provider accepts at most ${MAX_MESSAGE_LENGTH}`);
        }
        this.send({
          kind: 'gather',
          ...opt('prompt', text),
          ...opt('maxDigits', step.maxDigits),
          ...opt('timeout', step.timeout),
          ...opt('attempts', step.attempts),
          ...opt('tag', tag),
        });
        return;
      }
      case 'record':
        this.send({
          kind: 'record',
          ...opt('prompt', this.renderOptional(step.prompt, 'prompt')),
          ...opt('maxDuration', step.maxDuration),
          ...opt('tag', tag),
        });
        return;
      case 'monitor':
        this.send({ kind: 'monitor', ...opt('message', this.renderOptional(step.message, 'message')), ...opt('tag', tag) });
        return;
      case 'transfer': {
        const to = this.render(step.to, 'to');
        if (to === '') throw new RenderError('to', 'rendered to an empty number');
        this.send({
          kind: 'transfer',
          to,
          ...opt('message', this.renderOptional(step.message, 'message')),
          ...opt('callerId', this.renderOptional(step.callerId, 'caller_id')),
          onFailure: step.onFailure !== undefined ? 'continue' : 'hangup',
          ...opt('tag', tag),
        });
        if (step.onFailure === undefined) this.s.status = 'ending';
        return;
      }
      case 'hangup':
        this.s.status = 'ending';
        this.s.ending = 'completed';
        this.send({ kind: 'hangup', ...opt('message', this.renderOptional(step.message, 'hangup')), ...opt('tag', tag) });
        return;
    }
  }

  /** Ends the call from the engine's side with a short message saying why. */
  hangupPolitely(reason: Outcome): void {
    const s = this.s;
    s.status = 'ending';
    s.ending = reason;
    const message = POLITE_HANGUP[reason];
    this.send({ kind: 'hangup', ...opt('message', message) });
  }

  /** Hang up now, without a message: used when a message cannot be delivered. */
  forceHangup(reason: Outcome): void {
    const s = this.s;
    s.status = 'ending';
    s.ending ??= reason;
    s.lastResort = true;
    this.send({ kind: 'hangup', force: true });
  }

  finish(outcome: Outcome): void {
    const s = this.s;
    s.status = 'ended';
    s.pending = null;
    s.outcome = outcome;
    this.notes.push({ type: 'call.ended', outcome });
    this.actions.push({ type: 'end', outcome });
  }

  save(name: string | undefined, value: string): void {
    if (name === undefined) return;
    this.s.vars = { ...this.s.vars, [name]: value };
  }
}

class RenderError extends Error {
  readonly code = 'CS_RENDER_FAILED';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

/** `{ [key]: value }` when value is set, `{}` otherwise: blocks carry only the fields that are set. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
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
    txnRef: string;
    vars: Readonly<Record<string, string>>;
  },
  now: number,
): Draft {
  return {
    ...base,
    script: script.name,
    version: script.version,
    status: 'active',
    step: null,
    seq: 0,
    pending: null,
    retries: 0,
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
}

/** A ringing inbound call: answer it by running the script's first step. */
export function startInbound(script: Script, call: InboundCall, options: EngineOptions): Transition {
  const s = newState(
    script,
    { ...call, direction: 'inbound', vars: {} },
    options.now,
  );
  const run = new Run(script, s, options.maxSteps ?? DEFAULT_MAX_STEPS);
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
      txnRef: '',
      vars: call.vars ?? {},
    },
    options.now,
  );
  s.status = 'dialing';
  const run = new Run(script, s, options.maxSteps ?? DEFAULT_MAX_STEPS);
  run.send({ kind: 'dial', to: call.to, ...opt('callerId', call.from) });
  return run.result();
}

/** Applies one event to a call. `script` must be the version the call is pinned to. */
export function step(script: Script, state: CallState, event: CallEvent, options: EngineOptions): Transition {
  const run = new Run(script, { ...state, updatedAt: options.now }, options.maxSteps ?? DEFAULT_MAX_STEPS);
  const s = run.s;
  const ignore = (reason: 'stale' | 'duplicate' | 'after-end' | 'unexpected'): Transition => {
    // Nothing changed: hand back the original state so stores can skip the write.
    return { state, actions: [], notes: [{ type: 'notification.ignored', reason }] };
  };

  switch (event.type) {
    case 'dial.accepted': {
      if (s.status === 'ended') return ignore('after-end');
      s.session = event.session;
      s.txnRef = event.txnRef;
      return run.result();
    }

    case 'ended': {
      if (s.status === 'ended') return ignore('duplicate');
      if (event.recordUrl !== undefined && event.recordUrl !== '') {
        s.recordUrl = event.recordUrl;
        // A caller who hangs up mid-recording still leaves what was recorded.
        const current = s.step !== null ? script.steps[s.step] : undefined;
        if (current?.kind === 'record' && s.pending === 'record') run.save(current.saveAs, event.recordUrl);
      }
      if (event.status !== undefined && event.status !== '' && s.pending === 'transfer') s.transferStatus = event.status;
      run.finish(endedOutcome(s, event.status));
      return run.result();
    }

    case 'block.done': {
      if (s.status === 'ended') return ignore('after-end');
      if (s.pending === null || event.seq !== s.seq) return ignore(event.seq < s.seq ? 'stale' : 'unexpected');
      const kind = s.pending;
      s.pending = null;
      onBlockDone(run, kind, event);
      return run.result();
    }

    case 'send.failed': {
      if (s.status === 'ended') return ignore('after-end');
      if (s.pending === null || event.seq !== s.seq) return ignore('stale');
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
        run.forceHangup('error');
      } else {
        run.hangupPolitely('error');
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
  const script = run.script;

  if (kind === 'dial') {
    if (event.status !== undefined && event.status !== 'answered') {
      run.finish('not-answered');
      return;
    }
    s.status = 'active';
    run.enter(script.start);
    return;
  }

  const current = s.step !== null ? script.steps[s.step] : undefined;
  if (kind === 'hangup' || s.status === 'ending' || current === undefined) {
    // A hangup (or a polite hangup) does not come back as `ongoing`; wait for `ended`.
    s.pending = kind;
    run.notes.push({ type: 'notification.ignored', reason: 'unexpected' });
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
    case 'hangup':
      s.pending = kind;
      return;
  }
}

function onGatherDone(run: Run, step: GatherStep, digits: string): void {
  const s = run.s;
  s.digits = digits;
  run.invalidateContext();

  if (digits === '') {
    run.notes.push({ type: 'input.none', step: step.id });
    if (step.noInput !== undefined) run.enter(step.noInput);
    else run.hangupPolitely('no-input');
    return;
  }

  if (step.branches === undefined) {
    run.save(step.saveAs, digits);
    run.invalidateContext();
    if (step.next !== undefined) run.enter(step.next);
    else run.hangupPolitely('error');
    return;
  }

  const target = Object.hasOwn(step.branches, digits) ? step.branches[digits] : undefined;
  if (target !== undefined) {
    run.save(step.saveAs, digits);
    run.invalidateContext();
    run.enter(target);
    return;
  }

  const { invalid } = step;
  if (s.retries < invalid.retries) {
    s.retries += 1;
    run.notes.push({ type: 'input.invalid', step: step.id, digits, retry: s.retries });
    try {
      const prefix = invalid.message !== undefined ? run.render(invalid.message, 'invalid.message') : undefined;
      run.sendStep(step, prefix === '' ? undefined : prefix);
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      run.notes.push({ type: 'render.failed', step: step.id, field: err.field, error: err.message });
      run.hangupPolitely('error');
    }
    return;
  }
  run.notes.push({ type: 'input.invalid', step: step.id, digits, retry: s.retries + 1 });
  if (invalid.goto !== undefined) run.enter(invalid.goto);
  else run.hangupPolitely('invalid-input');
}
