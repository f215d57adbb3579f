/**
 * One transition in progress: the mutable draft of a call's state, the actions
 * and notes it produces, and the jobs every step kind shares — rendering
 * templates and messages (in the current language and voice, within the
 * provider's limits), entering steps, sending blocks and http requests, and
 * taking failures to `on_error`. The interpreter (interpreter.ts) decides which
 * of these an event calls for; gather.ts and http-result.ts handle those two
 * results.
 */
import type { Block, GatherBlock, HangupBlock, MonitorBlock, RecordBlock, TransferBlock } from './blocks.js';
import { evaluate } from './conditions.js';
import { isOpen } from './hours.js';
import { POLITE_HANGUP } from './messages.js';
import { said, type MessagePart } from './parts.js';
import { type CallFrame, type CallState, type Outcome } from './state.js';
import type { Action, HttpRequest, Note, Transition } from './transition.js';
import { MAX_CALL_DEPTH } from '../script/limits.js';
import {
  type HttpStep,
  type JsonTemplate,
  type Message,
  type MessageForm,
  type Script,
  type Step,
  type StepId,
  type Voice,
} from '../script/model.js';
import type { Template, TemplateContext } from '../template/template.js';
import { calledScriptDefaults, varEntries, type VarEntries } from './var-defaults.js';
import { MAX_BODY_LENGTH, MAX_ERROR_JUMPS, MAX_FIELD_LENGTH, MAX_URL_LENGTH, MAX_VALUE_LENGTH, type EngineOptions } from './options.js';

/** A mutable draft of the state for the length of one transition. */
export type Draft = { -readonly [K in keyof CallState]: CallState[K] };

export class RenderError extends Error {
  readonly code = 'CS_RENDER_FAILED';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

/** A step that cannot run for a reason other than a template (an unknown called script, too deep a call). */
export class StepError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

export class Run {
  readonly actions: Action[] = [];
  readonly notes: Note[] = [];
  /** The script of the step being run: the call's own, or the innermost one started with `call:`. */
  script: Script;
  /** Frames whose script version is not available: the call cannot go on. */
  readonly broken: boolean;
  private ctx: TemplateContext | undefined;
  private language: { readonly key: string; readonly voice?: Voice } | null | undefined;

  constructor(
    readonly root: Script,
    readonly s: Draft,
    readonly maxSteps: number,
    private readonly options: EngineOptions,
  ) {
    let script = root;
    let broken = false;
    const frames = s.frames;
    if (frames !== undefined && frames.length > 0) {
      const top = frames[frames.length - 1] as CallFrame;
      const found = options.scripts?.pinned(top.script, top.version);
      if (found === undefined) broken = true;
      else script = found;
    }
    this.script = script;
    this.broken = broken;
  }

  result(): Transition {
    return { state: this.s, actions: this.actions, notes: this.notes };
  }

  invalidateContext(): void {
    this.ctx = undefined;
    this.language = undefined;
  }

  context(): TemplateContext {
    if (this.ctx === undefined) {
      const s = this.s;
      // Built by assignment: a spread of the script's vars (a null-prototype object, so a
      // dictionary) was the costliest line of a step.
      const ctx: Record<string, unknown> = {};
      for (const [name, value] of this.defaults()) define(ctx, name, value);
      for (const name of Object.keys(s.vars)) define(ctx, name, s.vars[name]);
      const call: Record<string, string> = { from: s.from, to: s.to, session: s.session, direction: s.direction };
      const extra = this.options.callFields;
      if (extra !== undefined) for (const name of Object.keys(extra)) call[name] = s[extra[name] as 'providerRef'];
      ctx.call = call;
      ctx.digits = s.digits;
      ctx.record_url = s.recordUrl;
      ctx.transfer_status = s.transferStatus;
      ctx.http_status = s.httpStatus ?? '';
      this.ctx = ctx as TemplateContext;
    }
    return this.ctx;
  }

  /** The `vars` defaults this script's templates see: in a called script, its callers' over its own (var-defaults.ts). */
  private defaults(): VarEntries {
    const frames = this.s.frames;
    if (frames === undefined || frames.length === 0) return varEntries(this.script);
    const callers = [this.root, ...frames.slice(0, -1).map((f) => this.options.scripts?.pinned(f.script, f.version))];
    return calledScriptDefaults(this.script, callers);
  }

  /** The step's place in `path`: its id, or `<script>:<id>` inside a called script. */
  pathEntry(stepId: StepId): string {
    return this.script === this.root ? stepId : `${this.script.name}:${stepId}`;
  }

  send(block: Block): void {
    const s = this.s;
    s.seq += 1;
    s.pending = block.kind;
    this.actions.push({ type: 'send', seq: s.seq, block });
  }

  /** Renders a template, enforcing a length limit. Throws RenderError. */
  render(template: Template, field: string, limit = MAX_FIELD_LENGTH): string {
    let text: string;
    try {
      text = template.constant ? template.source : template.render(this.context());
    } catch (err) {
      throw new RenderError(field, err instanceof Error ? err.message : String(err));
    }
    if (text.length > limit) {
      throw new RenderError(field, `rendered to ${text.length} characters; at most ${limit} are accepted`);
    }
    return text;
  }

  /** A tag, unless the provider takes none. */
  renderTag(template: Template | undefined): string | undefined {
    const limits = this.options.limits;
    if (template === undefined || limits?.maxTagLength === 0) return undefined;
    return this.renderOptional(template, 'tag', limits?.maxTagLength ?? MAX_VALUE_LENGTH);
  }

  renderOptional(template: Template | undefined, field: string, limit?: number): string | undefined {
    if (template === undefined) return undefined;
    const text = this.render(template, field, limit);
    return text === '' ? undefined : text;
  }

  /** The current language (a script with `languages`): the key `language` renders to, else the first. */
  private currentLanguage(): { readonly key: string; readonly voice?: Voice } | null {
    if (this.language !== undefined) return this.language;
    const languages = this.script.languages;
    if (languages === undefined || languages.length === 0) return (this.language = null);
    const wanted = this.script.language !== undefined ? this.render(this.script.language, 'language').trim() : '';
    this.language = languages.find((l) => l.key === wanted) ?? languages[0] ?? null;
    return this.language;
  }

  /**
   * A message as the caller hears it: the current language's form, as parts, each
   * text in the voice that applies (its own, the step's, the language's, the
   * script's). Empty texts are left out; an empty message is an empty list.
   */
  renderMessage(message: Message, field: string, voice: Voice | undefined): MessagePart[] {
    let form: Message = message;
    let languageVoice: Voice | undefined;
    const language = this.script.languages !== undefined ? this.currentLanguage() : null;
    if (language !== null) languageVoice = language.voice;
    if ('kind' in form && form.kind === 'languages') {
      const key = language?.key ?? '';
      form = form.byLanguage[key] ?? (Object.values(form.byLanguage)[0] as MessageForm);
    }
    const spoken = voice ?? languageVoice ?? this.script.voice;
    const parts: MessagePart[] = [];
    if (!('kind' in form)) {
      const text = this.render(form, field, MAX_VALUE_LENGTH);
      if (text !== '') parts.push(spoken !== undefined ? { type: 'say', text, voice: spoken } : { type: 'say', text });
    } else if (form.kind === 'audio') {
      parts.push({ type: 'play', url: this.render(form.url, field, MAX_URL_LENGTH).trim() });
    } else if (form.kind === 'parts') {
      for (const item of form.items) {
        if (item.kind === 'pause') {
          parts.push({ type: 'pause', seconds: item.seconds });
        } else if (item.kind === 'audio') {
          parts.push({ type: 'play', url: this.render(item.url, field, MAX_URL_LENGTH).trim() });
        } else {
          const text = this.render(item.text, field, MAX_VALUE_LENGTH);
          if (text === '') continue;
          const own = item.voice ?? (item.language !== undefined ? this.script.languages?.find((l) => l.key === item.language)?.voice : undefined) ?? spoken;
          parts.push(own !== undefined ? { type: 'say', text, voice: own } : { type: 'say', text });
        }
      }
    }
    this.checkLength(parts, field);
    return parts;
  }

  /** Refuses a message longer than the provider takes (measured the provider's way). */
  checkLength(parts: readonly MessagePart[], field: string): void {
    const limits = this.options.limits;
    if (limits === undefined || parts.length === 0) return;
    const length = limits.messageLength(parts);
    if (length > limits.maxMessageLength) {
      throw new RenderError(field, `rendered to ${length} characters as the provider counts them; it accepts at most ${limits.maxMessageLength}`);
    }
  }

  renderMessageOptional(message: Message | undefined, field: string, voice: Voice | undefined): MessagePart[] | undefined {
    if (message === undefined) return undefined;
    const parts = this.renderMessage(message, field, voice);
    return parts.length === 0 ? undefined : parts;
  }

  /** Enters `first` and every step that follows at once (set, switch, hours, call, return), until a block or request is out. */
  enter(first: StepId): void {
    let id: StepId | undefined = first;
    while (id !== undefined) id = this.enterOne(id);
  }

  private enterOne(stepId: StepId): StepId | undefined {
    const s = this.s;
    if (s.steps >= this.maxSteps) {
      this.notes.push({ type: 'step.limit', limit: this.maxSteps });
      this.hangupPolitely('step-limit');
      return undefined;
    }
    const step = this.script.steps[stepId];
    if (step === undefined) {
      // Cannot happen for a compiled script; guard anyway rather than wedge the call.
      this.notes.push({ type: 'render.failed', step: stepId, field: 'step', error: 'no such step' });
      this.hangupPolitely('error');
      return undefined;
    }
    s.step = stepId;
    s.steps += 1;
    s.path = appended(s.path, this.pathEntry(stepId));
    s.retries = 0;
    if (s.attempt !== undefined) delete s.attempt;
    this.notes.push(
      this.script === this.root
        ? { type: 'step.entered', step: stepId, kind: step.kind }
        : { type: 'step.entered', step: stepId, kind: step.kind, script: this.script.name },
    );
    try {
      return this.execute(step);
    } catch (err) {
      if (err instanceof RenderError) {
        this.notes.push({ type: 'render.failed', step: stepId, field: err.field, error: err.message });
        return this.failure(step, 'render');
      }
      if (err instanceof StepError) {
        this.notes.push({ type: 'render.failed', step: stepId, field: err.reason, error: err.message });
        return this.failure(step, err.reason);
      }
      throw err;
    }
  }

  /** Runs a step: sends its block (undefined) or decides at once where the call goes (the next step). */
  private execute(step: Step): StepId | undefined {
    switch (step.kind) {
      case 'set':
        for (const [name, template] of step.assign) {
          this.save(name, this.render(template, `set.${name}`, MAX_VALUE_LENGTH));
          this.invalidateContext();
        }
        return step.next;
      case 'switch': {
        const context = this.context();
        for (let i = 0; i < step.cases.length; i++) {
          const c = step.cases[i];
          if (c !== undefined && evaluate(c.when, context)) {
            this.branch(step.id, `case ${i + 1}`);
            return c.goto;
          }
        }
        this.branch(step.id, 'default');
        return step.default;
      }
      case 'hours': {
        const open = isOpen(step.hours, this.s.clock ?? this.options.clock ?? this.options.now);
        this.branch(step.id, open ? 'open' : 'closed');
        return open ? step.open : step.closed;
      }
      case 'http':
        this.request(step);
        return undefined;
      case 'call':
        return this.callScript(step.script, step.next);
      case 'return':
        return this.returnFromScript();
      default:
        this.sendStep(step, undefined);
        return undefined;
    }
  }

  branch(step: StepId, label: string): void {
    this.notes.push(this.script === this.root ? { type: 'branch', step, label } : { type: 'branch', step, label, script: this.script.name });
  }

  private callScript(name: string, returnTo: StepId): StepId {
    const frames = this.s.frames ?? [];
    if (frames.length >= MAX_CALL_DEPTH) throw new StepError('call', `calls nest deeper than ${MAX_CALL_DEPTH} scripts`);
    const target = this.options.scripts?.current(name);
    if (target === undefined) throw new StepError('call', `no script named "${name}" is loaded`);
    this.s.frames = [...frames, { script: target.name, version: target.version, returnTo }];
    this.notes.push({ type: 'call.entered', script: target.name, version: target.version, depth: frames.length + 1 });
    this.script = target;
    this.invalidateContext();
    return target.start;
  }

  /** `return`: back to the calling script's `next`; with no caller, the call ends as if the script hung up. */
  private returnFromScript(): StepId | undefined {
    const frames = this.s.frames ?? [];
    const top = frames[frames.length - 1];
    if (top === undefined) {
      this.s.status = 'ending';
      this.s.ending = 'completed';
      this.send({ kind: 'hangup' });
      return undefined;
    }
    const rest = frames.slice(0, -1);
    const below = rest[rest.length - 1];
    const caller = below === undefined ? this.root : this.options.scripts?.pinned(below.script, below.version);
    if (caller === undefined) throw new StepError('return', `the calling script ${below?.script ?? ''} is no longer available`);
    const returning = this.script.name;
    if (rest.length === 0) delete this.s.frames;
    else this.s.frames = rest;
    this.script = caller;
    this.invalidateContext();
    this.notes.push({ type: 'call.returned', script: returning, to: top.returnTo });
    return top.returnTo;
  }

  private request(step: HttpStep): void {
    const url = this.render(step.url, 'http.url', MAX_URL_LENGTH).trim();
    const headers = step.headers.map(
      (h) => [h.name, 'env' in h.value ? { env: h.value.env } : this.render(h.value, `http.headers.${h.name}`, MAX_VALUE_LENGTH)] as const,
    );
    let body: string | undefined;
    let contentType: string | undefined;
    if (step.body?.type === 'json') {
      body = JSON.stringify(this.json(step.body.value));
      contentType = 'application/json';
    } else if (step.body?.type === 'form') {
      const form = new URLSearchParams();
      for (const [name, template] of step.body.fields) form.append(name, this.render(template, `http.form.${name}`, MAX_VALUE_LENGTH));
      body = form.toString();
      contentType = 'application/x-www-form-urlencoded';
    }
    if (body !== undefined && body.length > MAX_BODY_LENGTH) throw new RenderError('http.body', `rendered to ${body.length} characters; at most ${MAX_BODY_LENGTH}`);
    const request: HttpRequest = {
      method: step.method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
      timeoutMs: step.timeoutMs,
      save: step.save,
    };
    const s = this.s;
    s.seq += 1;
    s.pending = 'http';
    this.actions.push({ type: 'http', seq: s.seq, step: step.id, request });
  }

  private json(value: JsonTemplate): unknown {
    switch (value.t) {
      case 'text':
        return this.render(value.template, 'http.json', MAX_VALUE_LENGTH);
      case 'value':
        return value.value;
      case 'list':
        return value.items.map((item) => this.json(item));
      case 'object': {
        // No prototype: a key such as `__proto__` stays an ordinary key of the body.
        const out = Object.create(null) as Record<string, unknown>;
        for (const [key, item] of value.entries) out[key] = this.json(item);
        return out;
      }
    }
  }

  /** Sends the block for `step`; `prefix` is said before a gather prompt (invalid-input retries). */
  sendStep(step: Step, prefix: readonly MessagePart[] | undefined): void {
    const tag = this.renderTag(step.tag);
    switch (step.kind) {
      case 'play':
        this.send(withTag({ kind: 'play', message: this.renderMessage(step.message, 'play', step.voice) }, tag));
        return;
      case 'gather': {
        const message = step.prompts !== undefined ? step.prompts[Math.min(this.s.attempt ?? 0, step.prompts.length - 1)] : step.prompt;
        const prompt = this.renderMessageOptional(message, 'prompt', step.voice);
        // A retry says the invalid-input message, then the prompt.
        const text = prefix !== undefined && prompt !== undefined ? prefix.concat(prompt) : (prompt ?? prefix);
        if (text !== undefined && prefix !== undefined && prompt !== undefined) this.checkLength(text, 'prompt');
        const block: Mutable<GatherBlock> = { kind: 'gather' };
        if (text !== undefined) block.prompt = text;
        if (step.maxDigits !== undefined) block.maxDigits = step.maxDigits;
        if (step.timeout !== undefined) block.timeout = step.timeout;
        const attempts = step.prompts !== undefined ? 1 : step.attempts;
        if (attempts !== undefined) block.attempts = attempts;
        this.send(withTag(block, tag));
        return;
      }
      case 'record': {
        const block: Mutable<RecordBlock> = { kind: 'record' };
        const prompt = this.renderMessageOptional(step.prompt, 'prompt', step.voice);
        if (prompt !== undefined) block.prompt = prompt;
        if (step.maxDuration !== undefined) block.maxDuration = step.maxDuration;
        this.send(withTag(block, tag));
        return;
      }
      case 'monitor': {
        const block: Mutable<MonitorBlock> = { kind: 'monitor' };
        const message = this.renderMessageOptional(step.message, 'message', step.voice);
        if (message !== undefined) block.message = message;
        this.send(withTag(block, tag));
        return;
      }
      case 'transfer': {
        const to = this.render(step.to, 'to');
        if (to === '') throw new RenderError('to', 'rendered to an empty number');
        const block: Mutable<TransferBlock> = { kind: 'transfer', to, onFailure: step.onFailure !== undefined ? 'continue' : 'hangup' };
        const message = this.renderMessageOptional(step.message, 'message', step.voice);
        if (message !== undefined) block.message = message;
        const callerId = this.renderOptional(step.callerId, 'caller_id');
        if (callerId !== undefined) block.callerId = callerId;
        this.send(withTag(block, tag));
        if (step.onFailure === undefined) this.s.status = 'ending';
        return;
      }
      case 'hangup': {
        this.s.status = 'ending';
        this.s.ending = 'completed';
        const block: Mutable<HangupBlock> = { kind: 'hangup' };
        const message = this.renderMessageOptional(step.message, 'hangup', step.voice);
        if (message !== undefined) block.message = message;
        this.send(withTag(block, tag));
        return;
      }
      default:
        // Steps without a block never get here (execute handles them).
        throw new StepError('step', `a ${step.kind} step has no block to send`);
    }
  }

  /**
   * A runtime failure at `step`: to the step's `on_error`, else the script's (then
   * the calling scripts'), counted and bounded; or, with none of those, a polite
   * hangup. Returns the step to continue with.
   */
  failure(step: Step | undefined, reason: string): StepId | undefined {
    const s = this.s;
    const where = s.step === null ? undefined : this.pathEntry(s.step);
    const onErrorPath = where !== undefined && s.errorStep === where;
    if ((s.errors ?? 0) >= MAX_ERROR_JUMPS || onErrorPath) {
      this.hangupPolitely('error');
      return undefined;
    }
    let target = step?.onError;
    if (target !== undefined) {
      this.branch(step?.id ?? '', 'on_error');
    } else {
      target = this.unwindToOnError();
    }
    if (target === undefined) {
      this.hangupPolitely('error');
      return undefined;
    }
    s.errors = (s.errors ?? 0) + 1;
    s.errorStep = this.pathEntry(target);
    this.notes.push({ type: 'error.caught', step: s.step, target, reason });
    return target;
  }

  /** The nearest script-level `on_error`: this script's, else a calling script's (its frames are left). */
  private unwindToOnError(): StepId | undefined {
    const frames = this.s.frames ?? [];
    for (let depth = frames.length; depth >= 0; depth--) {
      const frame = frames[depth - 1];
      const script = depth === frames.length ? this.script : frame === undefined ? this.root : this.options.scripts?.pinned(frame.script, frame.version);
      if (script?.onError === undefined) continue;
      if (depth < frames.length) {
        if (depth === 0) delete this.s.frames;
        else this.s.frames = frames.slice(0, depth);
        this.script = script;
        this.invalidateContext();
      }
      return script.onError;
    }
    return undefined;
  }

  /** Ends the call from the engine's side with a short message saying why. */
  hangupPolitely(reason: Outcome): void {
    const s = this.s;
    s.status = 'ending';
    s.ending = reason;
    const message = POLITE_HANGUP[reason];
    this.send(message !== undefined ? { kind: 'hangup', message: said(message) } : { kind: 'hangup' });
  }

  /** Hang up now, without a message: used when a message cannot be delivered. */
  forceHangup(reason: Outcome, refusedBecause: string): void {
    const s = this.s;
    s.status = 'ending';
    s.ending ??= reason;
    s.lastResort = true;
    s.forced = refusedBecause;
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

  /** The call's summary keeps what the caller pressed and recorded (scripts with `events_url` only). */
  keepInput(step: StepId, digits: string): void {
    if (this.root.events === undefined || digits === '') return;
    this.s.inputs = [...(this.s.inputs ?? []), { step: this.pathEntry(step), digits }];
  }

  keepRecording(url: string): void {
    if (this.root.events === undefined || url === '') return;
    this.s.recordings = [...(this.s.recordings ?? []), url];
  }
}

/** `target[name] = value` as an own property, even for `__proto__` (which plain assignment would take as the prototype). */
function define(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Blocks are built by assignment, not by spreading optional fields: this runs on every step. */
function withTag<B extends Block>(block: B, tag: string | undefined): B {
  if (tag !== undefined) (block as Mutable<B> & { tag?: string }).tag = tag;
  return block;
}

/**
 * `path` with `entry` added, in an array of exactly that length: a spread leaves room for
 * 16 more in every parked call, and `concat` runs in C++ (12k instructions per call in the
 * TwiML round; docs/performance.md, "The seventh look").
 */
function appended(path: readonly StepId[], entry: StepId): StepId[] {
  const n = path.length;
  const out = new Array<StepId>(n + 1);
  for (let i = 0; i < n; i++) out[i] = path[i] as StepId;
  out[n] = entry;
  return out;
}
