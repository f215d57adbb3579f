/**
 * The shell around the pure interpreter: loads a call's state, applies one event,
 * stores the result, then carries out the actions (sending blocks to the
 * provider). One call's events run one at a time, in arrival order; calls run
 * concurrently. On a store that writes at once (memory), a reply provider's
 * webhook that finds its call idle is applied in one synchronous pass, with the
 * same checks, lock and commit (`replyNow`, `inboundNow`, `endedNow`); anything
 * else takes the queued path.
 */
import type { Block } from '../engine/blocks.js';
import type { CallEvent } from '../engine/events.js';
import { DEFAULT_MAX_STEPS, startInbound, startOutbound, step, type EngineOptions } from '../engine/interpreter.js';
import { POLITE_HANGUP, UNKNOWN_NUMBER_MESSAGE } from '../engine/messages.js';
import { said } from '../engine/parts.js';
import type { DeliveryMode, MessageLimits, ProviderCapabilities } from '../engine/capabilities.js';
import { copyState, type CallState, type Outcome } from '../engine/state.js';
import type { Action, Note, Transition } from '../engine/transition.js';
import type { Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import { ProviderError } from '../provider/errors.js';
import type { ProviderClient, SendResult } from '../provider/provider.js';
import { DEFAULT_RETRY_POLICY, sendWithRetry, type RetryPolicy } from '../provider/retry.js';
import type { Script } from '../script/model.js';
import { LockTimeoutError, StaleLeaseError } from '../store/errors.js';
import { ScriptArchive } from '../store/script-archive.js';
import type { ImmediateStore, Lease, SessionStore } from '../store/session-store.js';
import { transcriptEntries, type TranscriptEntry } from '../store/transcript.js';
import { randomIds, type IdSource } from './ids.js';
import type { RunnerHooks } from './hooks.js';
import type { ScriptRegistry } from './script-registry.js';
import { CallFeatures, type CallSetup, type CallSetupQuery } from './call-features.js';
import { crashPoint } from './crash-points.js';
import type { HttpExecutor } from '../http-step/execute.js';
import type { CallSummarySink } from '../events/delivery.js';
import { KeyedQueue } from '../util/keyed-queue.js';
import { RecentKeys } from '../util/recent-keys.js';
import { sameSecret } from '../util/secure-compare.js';

export interface CallRunnerOptions {
  readonly scripts: ScriptRegistry;
  readonly store: SessionStore;
  readonly provider: ProviderClient;
  /** The URL the provider posts block `seq`'s result to. */
  readonly notifyUrl: (id: string, seq: number, token: string) => string;
  readonly log: Logger;
  readonly now?: () => number;
  readonly ids?: IdSource;
  readonly maxSteps?: number;
  readonly retry?: RetryPolicy;
  readonly hooks?: RunnerHooks;
  /** How often expired calls are swept (ms); 0 disables the timer. */
  readonly sweepIntervalMs?: number;
  /** Wall-clock time `hours` steps see (default `now`): an injectable clock for tests and `dev`. */
  readonly clock?: () => number;
  /** Tools (the test bench) set up a call they place: initial vars, a fixed clock, environment values. */
  readonly callSetup?: (query: CallSetupQuery) => CallSetup | undefined;
  /** Carries out http steps (a default undici executor when absent). */
  readonly http?: HttpExecutor;
  /** Receives finished calls of scripts with `events_url`. */
  readonly summaries?: CallSummarySink;
  /**
   * `push` (default): blocks are sent to the provider over its REST API. `reply`:
   * blocks wait in the call's outbox for the provider's next webhook to collect
   * as its answer; only dials and forced hangups go over REST.
   */
  readonly delivery?: DeliveryMode;
  /** The provider's message limits (from its capability table), applied when messages are rendered. */
  readonly limits?: MessageLimits;
  /** The provider's own `{{call.<name>}}` fields (its capability table's `callFields`). */
  readonly callFields?: EngineOptions['callFields'];
  /** The provider's table, for compiling a script version back from the store as it was loaded. */
  readonly capabilities?: ProviderCapabilities;
  /** Reply mode: how long a webhook waits for the block (an http step may be out) before answering with a hold. */
  readonly replyWaitMs?: number;
}

/**
 * What a reply-mode webhook answers with. `block`: run this block, and report
 * on it with `seq`. `hold`: the engine is still working (an http step is out):
 * wait a moment and ask again for `seq`. `none`: nothing to run (the call is over).
 */
export type Reply =
  | { readonly type: 'block'; readonly id: string; readonly token: string; readonly seq: number; readonly block: Block }
  | { readonly type: 'hold'; readonly id: string; readonly token: string; readonly seq: number }
  | { readonly type: 'none' };

export type ReplyResult = { readonly verdict: 'accepted'; readonly reply: Reply } | { readonly verdict: Exclude<NotifyVerdict, 'accepted'> };

export interface IncomingCall {
  readonly session: string;
  readonly providerRef: string;
  readonly from: string;
  readonly to: string;
}

/** Sessions with no call that the provider said ended (`endedWhileRinging`, `callEnded`): a few hundred KB at most. */
const ENDED_SESSIONS_KEPT = 10_000;

export type InboundResult =
  | { readonly result: 'started'; readonly id: string; readonly script: string }
  | { readonly result: 'duplicate'; readonly id: string }
  /** The provider already said this session ended (the caller gave up while it rang): nothing to answer. */
  | { readonly result: 'ended' }
  | { readonly result: 'unknown-number' }
  | { readonly result: 'unknown-script' };

export interface OutboundRequest {
  readonly script: string;
  readonly to: string;
  readonly from?: string;
  readonly vars?: Readonly<Record<string, string>>;
}

export interface OutboundResult {
  readonly id: string;
  readonly session: string;
  readonly providerRef: string;
}

/** Why the runner refused or could not place a call. */
export class CallRequestError extends Error {
  constructor(
    readonly code: 'CS_UNKNOWN_SCRIPT' | 'CS_DIAL_FAILED',
    message: string,
    readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'CallRequestError';
  }
}

/**
 * What a notification did: the HTTP layer turns this into a status code. `busy`:
 * another server held the call's lock for longer than the store's lock wait.
 */
export type NotifyVerdict = 'accepted' | 'unknown-call' | 'bad-token' | 'session-mismatch' | 'busy' | 'error';

export class CallRunner {
  private readonly queue = new KeyedQueue<string>();
  private readonly now: () => number;
  private readonly ids: IdSource;
  private readonly maxSteps: number;
  private readonly retry: RetryPolicy;
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private readonly archive: ScriptArchive;
  private readonly features: CallFeatures;
  private closed = false;
  private readonly delivery: DeliveryMode;
  /** Reply mode: webhooks waiting for a call's next block, woken when one is put in its outbox. */
  private readonly outboxWaiters = new Map<string, Set<() => void>>();

  constructor(private readonly o: CallRunnerOptions) {
    this.delivery = o.delivery ?? 'push';
    this.now = o.now ?? Date.now;
    this.ids = o.ids ?? randomIds;
    this.maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;
    this.retry = o.retry ?? DEFAULT_RETRY_POLICY;
    this.archive = new ScriptArchive(o.store, this.now, o.capabilities);
    this.features = new CallFeatures(o.scripts, this.archive, o.log, o.http);
    const every = o.sweepIntervalMs ?? 30_000;
    if (every > 0) {
      this.sweepTimer = setInterval(() => void this.sweep().then(() => this.recoverLogged()), every);
      this.sweepTimer.unref();
    }
  }

  get store(): SessionStore {
    return this.o.store;
  }

  /**
   * The provider reported `session` ended at the Voice Notify URL (an authenticated
   * notification): the caller gave up while it rang. If its ringing notification
   * arrives only now (notifications can be reordered), no call is started for it.
   * Remembered in this process only, for the most recent sessions.
   */
  endedWhileRinging(session: string): void {
    // A call answered whose steps so far sent no block (an http step first) has no block URL
    // for the provider to tell: its end arrives here, and is the caller hanging up.
    void this.endAnswered(session);
    this.endedSessions.add(session);
  }

  private readonly endedSessions = new RecentKeys<string>(ENDED_SESSIONS_KEPT);

  /**
   * The provider says the call with this handle is over (a reply provider's
   * status callback, which names no block): the call ends as when a block's
   * result says so, and a ringing webhook arriving late for it starts nothing.
   * `status` is the provider's final status mapped to the engine's words
   * (`busy`, `unanswered`, `failed`), if any.
   */
  async callEnded(session: string, status?: string): Promise<'ended' | 'unknown-call'> {
    const store = this.immediateStore();
    const id = store !== undefined ? store.findBySession(session) : await this.o.store.findBySession(session);
    if (id === undefined) {
      this.endedSessions.add(session);
      return 'unknown-call';
    }
    // A call the store knows keeps its session binding while it is retained (`--ended-retention`), and that
    // binding turns a late ringing webhook away: only sessions with no call need the list (a set of
    // 10,000 cold keys cost about 2.5 µs a call to keep; docs/performance.md, "The tenth look").
    const event: CallEvent = status !== undefined && status !== '' ? { type: 'ended', status } : { type: 'ended' };
    if (store === undefined || !this.endedNow(store, id, event)) await this.internalEvent(id, event);
    return 'ended';
  }

  /**
   * `internalEvent` for the provider's end of a call, in one synchronous pass (see `replyNow`);
   * false: take the queued path, nothing was changed.
   */
  private endedNow(store: ImmediateStore, id: string, event: CallEvent): boolean {
    if (!this.queue.idle(id)) return false;
    const lease = store.tryLock(id);
    if (lease === undefined) return false;
    try {
      const state = store.get(id);
      // A call that ended already (its hangup was the last reply) has nothing more to do.
      if (state === undefined || state.status === 'ended') return true;
      const script = this.o.scripts.pinned(state.script, state.version);
      if (script === undefined || state.frames !== undefined) return false;
      let t = step(script, state, event, this.engineOptions());
      if (!applicableNow(t)) return false;
      if (t.state !== state) t = this.commitNow(store, t, lease, this.entries(event, t));
      this.carryOutNow(store, script, t, lease, performance.now());
      return true;
    } catch (err) {
      this.failedNow(id, err);
      return true;
    } finally {
      store.unlock(lease);
    }
  }

  /** A ringing inbound call, routed by number, or to `scriptName` when the URL names one. */
  async inbound(call: IncomingCall, scriptName?: string): Promise<InboundResult> {
    return (await this.startCall(call, scriptName)).result;
  }

  /** `inbound`, and the state the call's first work left (undefined when it started none). */
  private async startCall(call: IncomingCall, scriptName?: string): Promise<{ readonly result: InboundResult; readonly state?: CallState }> {
    const { log } = this.o;
    if (this.endedSessions.has(call.session)) {
      log.info({ session: call.session }, 'notification.ringing_after_end');
      return { result: { result: 'ended' } };
    }
    const script = scriptName !== undefined ? this.o.scripts.current(scriptName) : this.o.scripts.forNumber(call.to);
    if (script === undefined) {
      // A session a call already has is not refused: a ringing notification naming it (a forgery, or a
      // duplicate after a reload removed the number) must not hang up the call in progress.
      const holder = await this.o.store.findBySession(call.session);
      if (holder !== undefined) {
        log.warn({ session: call.session, call: holder, to: call.to, script: scriptName }, 'notification.duplicate_ringing');
        return { result: { result: 'duplicate', id: holder } };
      }
      log.warn(
        { session: call.session, to: call.to, from: call.from, script: scriptName },
        scriptName !== undefined ? 'call.unknown_script' : 'call.unknown_number',
      );
      await this.reject(call.session);
      return { result: scriptName !== undefined ? { result: 'unknown-script' } : { result: 'unknown-number' } };
    }
    const id = this.ids.callId();
    if (!(await this.o.store.claimSession(call.session, id))) {
      const holder = (await this.o.store.findBySession(call.session)) ?? '';
      log.info({ session: call.session, call: holder }, 'notification.duplicate_ringing');
      return { result: { result: 'duplicate', id: holder } };
    }
    const received = performance.now();
    let final: CallState | undefined;
    await this.queue.run(id, () =>
      this.locked(id, async (lease) => {
        const t = this.firstStep(script, id, call);
        this.callStarted(script, t.state, call);
        await this.archive.keep(script);
        final = await this.carryOut(script, await this.commit(t, lease, this.entries(undefined, t)), lease, received);
      }),
    );
    return { result: { result: 'started', id, script: script.name }, ...(final !== undefined ? { state: final } : {}) };
  }

  /** A ringing call's first transition, with what the tools set up for it. */
  private firstStep(script: Script, id: string, call: IncomingCall): Transition {
    const setup = this.o.callSetup?.({ direction: 'inbound', session: call.session, from: call.from, to: call.to });
    this.features.rememberEnv(id, setup?.env);
    return startInbound(
      script,
      { id, token: this.ids.token(), ...call, ...(setup?.vars !== undefined ? { vars: setup.vars } : {}), ...(setup?.clock !== undefined ? { clock: setup.clock } : {}) },
      this.engineOptions(),
    );
  }

  private callStarted(script: Script, state: CallState, call: IncomingCall): void {
    this.o.log.info(
      { call: state.id, session: call.session, script: script.name, version: script.version, direction: 'inbound', from: call.from, to: call.to },
      'call.started',
    );
    this.o.hooks?.callStarted?.(state);
    this.o.scripts.track(state.id, script);
  }

  /**
   * `inboundReply` in one synchronous pass (see `replyNow`): a ringing call on a number with a
   * script whose version the store already keeps, for a session no call has. Undefined: take
   * the queued path; nothing was changed. A first step that needs the queue (an http step)
   * continues there, the session claimed.
   */
  private inboundNow(call: IncomingCall, scriptName: string | undefined): { readonly result: InboundResult; readonly reply: Reply } | Promise<{ readonly result: InboundResult; readonly reply: Reply }> | undefined {
    const store = this.immediateStore();
    if (store === undefined || this.endedSessions.has(call.session)) return undefined;
    const script = scriptName !== undefined ? this.o.scripts.current(scriptName) : this.o.scripts.forNumber(call.to);
    if (script === undefined || !this.archive.kept(script) || store.findBySession(call.session) !== undefined) return undefined;
    const received = performance.now();
    const id = this.ids.callId();
    const result: InboundResult = { result: 'started', id, script: script.name };
    store.claimSession(call.session, id);
    // A new call's lock is free, unless something else is badly wrong: then the queue waits for it.
    const lease = store.tryLock(id);
    let t: Transition | undefined;
    if (lease !== undefined) {
      try {
        t = this.firstStep(script, id, call);
        if (applicableNow(t)) {
          this.callStarted(script, t.state, call);
          const first = this.commitNow(store, t, lease, this.entries(undefined, t));
          const reply = this.nextReply(id, 0, this.carryOutNow(store, script, first, lease, received));
          return reply instanceof Promise ? reply.then((r) => ({ result, reply: r })) : { result, reply };
        }
      } catch (err) {
        this.failedNow(id, err);
        return { result, reply: { type: 'none' } };
      } finally {
        store.unlock(lease);
      }
    }
    // The first step starts an http request (or dials): carried out in the queue, as `startCall` does.
    const computed = t;
    return this.queue
      .run(id, () =>
        this.locked(id, async (held) => {
          const first = computed ?? this.firstStep(script, id, call);
          this.callStarted(script, first.state, call);
          await this.carryOut(script, await this.commit(first, held, this.entries(undefined, first)), held, received);
        }),
      )
      .then(async () => ({ result, reply: await this.awaitReply(id, 0) }));
  }

  /** Places an outbound call; resolves once the provider accepted the Dial. */
  async outbound(req: OutboundRequest): Promise<OutboundResult> {
    const script = this.o.scripts.current(req.script);
    if (script === undefined) throw new CallRequestError('CS_UNKNOWN_SCRIPT', `no script named "${req.script}"`);
    const id = this.ids.callId();
    const received = performance.now();
    return this.queue.run(id, async () => {
      const lease = await this.o.store.lock(id);
      try {
        return await this.placeCall(script, id, req, lease, received);
      } finally {
        await this.release(lease);
      }
    });
  }

  private async placeCall(script: Script, id: string, req: OutboundRequest, lease: Lease, received: number): Promise<OutboundResult> {
    const setup = this.o.callSetup?.({ direction: 'outbound', to: req.to });
    this.features.rememberEnv(id, setup?.env);
    const t = startOutbound(
      script,
      {
        id,
        token: this.ids.token(),
        to: req.to,
        ...(req.from !== undefined ? { from: req.from } : {}),
        vars: { ...setup?.vars, ...req.vars },
        ...(setup?.clock !== undefined ? { clock: setup.clock } : {}),
      },
      this.engineOptions(),
    );
    this.o.log.info(
      { call: id, script: script.name, version: script.version, direction: 'outbound', to: req.to },
      'call.started',
    );
    this.o.hooks?.callStarted?.(t.state);
    this.o.scripts.track(id, script);
    await this.archive.keep(script);
    const final = await this.carryOut(script, await this.commit(t, lease, this.entries(undefined, t)), lease, received);
    if (final.status === 'ended' || final.session === '') {
      const err = this.lastDialError.get(id);
      this.lastDialError.delete(id);
      throw new CallRequestError('CS_DIAL_FAILED', `the provider refused the call: ${err?.message ?? 'unknown error'}`, err?.code);
    }
    return { id, session: final.session, providerRef: final.providerRef };
  }

  private readonly lastDialError = new Map<string, ProviderError>();

  /**
   * A provider notification for block `seq` of call `id`. Resolves once what the
   * notification changed is committed (so a provider that retries an unanswered
   * webhook finds it applied, or not at all), before the next block is sent: that
   * goes on in the call's queue.
   */
  notify(id: string, token: string, event: CallEvent, providerSession: string): Promise<NotifyVerdict> {
    return new Promise<NotifyVerdict>((resolve) => {
      void this.applyQueued(id, token, event, providerSession, resolve).then(({ outcome }) => resolve(outcome === 'busy' ? 'busy' : 'error'));
    });
  }

  /**
   * `notify` for reply mode: resolves once all of the notification's work is done
   * (the block it led to is in the outbox), with the state that work left.
   */
  private async notifySettled(id: string, token: string, event: CallEvent, providerSession: string): Promise<{ readonly verdict: NotifyVerdict; readonly state?: CallState }> {
    let verdict: NotifyVerdict | undefined;
    const { outcome, state } = await this.applyQueued(id, token, event, providerSession, (v) => (verdict ??= v));
    verdict ??= outcome === 'busy' ? 'busy' : 'error';
    return state !== undefined && verdict === 'accepted' ? { verdict, state } : { verdict };
  }

  /**
   * Applies a notification in the call's queue, under its lock. `decide` learns the verdict as
   * soon as it is known (before the block it leads to goes out); the promise resolves once all
   * of the work is done, with the state it left (undefined when it stopped short).
   */
  private async applyQueued(
    id: string,
    token: string,
    event: CallEvent,
    providerSession: string,
    decide: (verdict: NotifyVerdict) => void,
  ): Promise<{ readonly outcome: 'done' | 'busy' | 'failed'; readonly state?: CallState }> {
    crashPoint('notify.arrived');
    const received = performance.now();
    let state: CallState | undefined;
    const outcome = await this.queue.run(id, () =>
      this.locked(id, async (lease) => {
        state = await this.apply(id, token, event, providerSession, lease, received, decide);
      }).catch(() => 'failed' as const),
    );
    return state !== undefined ? { outcome, state } : { outcome };
  }

  /**
   * Reply mode: a webhook that reports on block `answers` of call `id` (with
   * `event`, or none when the provider only asks again after a hold). The event
   * is applied exactly as `notify` does, under the same lock and checks; the
   * answer is the block the engine sent next. A webhook the provider retries
   * finds its event already applied (stale) and gets the same block again.
   */
  async replyTo(id: string, token: string, event: CallEvent | undefined, providerSession: string, answers: number): Promise<ReplyResult> {
    const now = this.replyNow(id, token, event, providerSession, answers);
    if (now !== undefined) return now;
    if (event !== undefined) {
      const { verdict, state } = await this.notifySettled(id, token, event, providerSession);
      if (verdict !== 'accepted') return { verdict };
      return { verdict: 'accepted', reply: await this.awaitReply(id, answers, state) };
    }
    const state = await this.o.store.get(id);
    if (state === undefined) return { verdict: 'unknown-call' };
    if (!tokenMatches(state.token, token)) return { verdict: 'bad-token' };
    return { verdict: 'accepted', reply: await this.awaitReply(id, answers) };
  }

  /**
   * `replyTo` in one synchronous pass, when nothing stands in its way: a store that writes at
   * once (memory), nothing queued for the call, its lock free, its script version at hand, and
   * a step that only puts blocks in the outbox. The same checks, lock, commit, hooks and log
   * lines as the queued path, without its dozens of promises per webhook (docs/performance.md,
   * "The fifth look"). Undefined: take the queued path; nothing was changed.
   */
  private replyNow(id: string, token: string, event: CallEvent | undefined, providerSession: string, answers: number): ReplyResult | Promise<ReplyResult> | undefined {
    const store = this.immediateStore();
    if (store === undefined || !this.queue.idle(id)) return undefined;
    const lease = store.tryLock(id);
    if (lease === undefined) return undefined;
    let committed = false;
    try {
      if (event !== undefined) crashPoint('notify.arrived');
      const received = performance.now();
      const state = store.get(id);
      if (state === undefined) return { verdict: 'unknown-call' };
      // An ask after a hold is not checked against the session, as on the queued path.
      const refused = refusal(state, token, event === undefined ? '' : providerSession);
      if (refused !== undefined) return { verdict: refused };
      if (event === undefined) return accepted(this.nextReply(id, answers, state));
      if (state.status === 'ended') {
        this.logNotification(id, state, event);
        return { verdict: this.ignored(id, state, event), reply: { type: 'none' } };
      }
      const script = this.o.scripts.pinned(state.script, state.version);
      if (script === undefined || state.frames !== undefined) return undefined;
      let t = step(script, state, event, this.engineOptions());
      // The interpreter is pure: a step that needs the queued path is simply taken again there.
      if (!applicableNow(t)) return undefined;
      this.logNotification(id, state, event);
      this.o.scripts.track(id, script);
      crashPoint('notify.received');
      if (t.state !== state) t = this.commitNow(store, t, lease, this.entries(event, t));
      committed = true;
      crashPoint('notify.committed');
      return accepted(this.nextReply(id, answers, this.carryOutNow(store, script, t, lease, received)));
    } catch (err) {
      this.failedNow(id, err);
      // A committed step was accepted (the queued path's verdict comes before its work is carried out).
      return committed ? { verdict: 'accepted', reply: { type: 'none' } } : { verdict: 'error' };
    } finally {
      store.unlock(lease);
    }
  }

  /** The block `state` has for a webhook that answers block `after`; waits (`awaitReply`) only while an http step is out. */
  private nextReply(id: string, after: number, state: CallState): Reply | Promise<Reply> {
    if (state.status === 'ended') return { type: 'none' };
    const outbox = state.outbox;
    if (outbox !== undefined && outbox.seq > after) return { type: 'block', id, token: state.token, seq: outbox.seq, block: outbox.block };
    if (state.pending !== 'http') return { type: 'none' };
    return this.awaitReply(id, after, state);
  }

  /** The store, for the synchronous passes: reply delivery on a store that writes at once, while the runner runs. */
  private immediateStore(): ImmediateStore | undefined {
    return this.delivery === 'reply' && !this.closed ? this.o.store.immediate : undefined;
  }

  /** A synchronous pass failed: as `locked` does, logged, and the call ended politely in the queue. */
  private failedNow(id: string, err: unknown): void {
    this.o.log.error({ call: id, err }, 'call.internal_error');
    void this.queue.run(id, () =>
      this.locked(id, async (lease) => {
        const state = await this.o.store.get(id);
        if (state !== undefined && state.status !== 'ended') await this.orphan(state, lease);
      }),
    );
  }

  /** Reply mode: a ringing call, answered with its first block (a duplicate webhook gets the same one). */
  async inboundReply(call: IncomingCall, scriptName?: string): Promise<{ readonly result: InboundResult; readonly reply: Reply }> {
    const now = this.inboundNow(call, scriptName);
    if (now !== undefined) return now;
    const { result, state } = await this.startCall(call, scriptName);
    if (result.result !== 'started' && result.result !== 'duplicate') return { result, reply: { type: 'none' } };
    return { result, reply: await this.awaitReply(result.id, 0, state) };
  }

  /**
   * The block the engine sent after `after`, waiting while an http step is out, up to `replyWaitMs`.
   * `settled`: the state the webhook's own work just left, which saves waiting on the queue and
   * reading the store again (nearly every webhook).
   */
  private async awaitReply(id: string, after: number, settled?: CallState): Promise<Reply> {
    const deadline = performance.now() + (this.o.replyWaitMs ?? 8_000);
    let known = settled;
    for (;;) {
      let state = known;
      known = undefined;
      if (state === undefined) {
        // The event's work (step, outbox) goes on after its verdict: wait for what is queued for this call.
        await this.queue.run(id, async () => undefined);
        state = await this.o.store.get(id);
      }
      // A call that is over answers nothing, even a retry of a webhook that once got a block.
      if (state === undefined || state.status === 'ended') return { type: 'none' };
      const outbox = state.outbox;
      if (outbox !== undefined && outbox.seq > after) return { type: 'block', id, token: state.token, seq: outbox.seq, block: outbox.block };
      if (state.pending !== 'http') return { type: 'none' };
      const left = deadline - performance.now();
      if (left <= 0) return { type: 'hold', id, token: state.token, seq: after };
      await new Promise<void>((resolve) => {
        const waiters = this.outboxWaiters.get(id) ?? new Set<() => void>();
        this.outboxWaiters.set(id, waiters);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(done);
          if (waiters.size === 0) this.outboxWaiters.delete(id);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 250));
        waiters.add(done);
      });
    }
  }

  private wake(id: string): void {
    const waiters = this.outboxWaiters.get(id);
    if (waiters !== undefined) for (const done of [...waiters]) done();
  }

  /** Applies a verified notification under the call's lock; `resolve` learns the verdict as soon as it is known. */
  private async apply(
    id: string,
    token: string,
    event: CallEvent,
    providerSession: string,
    lease: Lease,
    received: number,
    resolve: (verdict: NotifyVerdict) => void,
  ): Promise<CallState | undefined> {
    const state = await this.o.store.get(id);
    if (state === undefined) return void resolve('unknown-call');
    const refused = refusal(state, token, providerSession);
    if (refused !== undefined) return void resolve(refused);
    this.logNotification(id, state, event);
    if (state.status === 'ended') return void resolve(this.ignored(id, state, event));
    // The registry has the version almost always; only a call resumed from the store waits for a restore.
    const script = this.o.scripts.pinned(state.script, state.version) ?? (await this.pinnedScript(state));
    if (script === undefined) {
      await this.orphan(state, lease);
      return void resolve('accepted');
    }
    this.o.scripts.track(id, script); // also calls resumed from the store
    if (state.frames !== undefined) await this.features.ensureFrames(state);
    let t = step(script, state, event, this.engineOptions());
    crashPoint('notify.received');
    if (t.state !== state) t = await this.commit(t, lease, this.entries(event, t));
    crashPoint('notify.committed');
    resolve('accepted');
    return this.carryOut(script, t, lease, received);
  }

  /** Nothing applies to an ended call (duplicate or late notifications): logged, and accepted. */
  private ignored(id: string, state: CallState, event: CallEvent): 'accepted' {
    this.o.log.info({ call: id, session: state.session, reason: event.type === 'ended' ? 'duplicate' : 'after-end', step: state.step }, 'notification.ignored');
    return 'accepted';
  }

  private logNotification(id: string, state: CallState, event: CallEvent): void {
    // Debug, like step.entered and block.sent: at info a call is its start and end lines (docs/performance.md#logging).
    if (this.o.log.isLevelEnabled('debug')) {
      this.o.log.debug(
        { call: id, session: state.session, step: state.step, event: event.type, seq: 'seq' in event ? event.seq : undefined, ...eventDetail(event) },
        'notification',
      );
    }
  }

  /**
   * Ends a call in progress at once, whatever it is doing: a forced hangup over
   * the provider's REST API (for push and reply providers alike). The call ends
   * when the provider reports it over, like any hangup.
   */
  async hangup(id: string): Promise<'sent' | 'unknown-call' | 'ended' | 'failed'> {
    let verdict: 'sent' | 'unknown-call' | 'ended' | 'failed' = 'failed';
    await this.queue.run(id, () =>
      this.locked(id, async () => {
        const state = await this.o.store.get(id);
        if (state === undefined) return void (verdict = 'unknown-call');
        if (state.status === 'ended' || state.session === '') return void (verdict = state.status === 'ended' ? 'ended' : 'failed');
        try {
          await sendWithRetry(this.o.provider, { kind: 'hangup', force: true }, { session: state.session }, this.retry);
          this.o.log.info({ call: id, session: state.session, step: state.step }, 'call.hangup_requested');
          verdict = 'sent';
        } catch (err) {
          const code = err instanceof ProviderError ? err.code : 'E_INTERNAL';
          this.o.log.error({ call: id, session: state.session, code, err: err instanceof Error ? err.message : String(err) }, 'provider.error');
          this.o.hooks?.providerError?.('hangup', code);
        }
      }),
    );
    return verdict;
  }

  /** Expires calls idle past the store's TTL and forgets ended ones past retention. */
  async sweep(): Promise<void> {
    try {
      const expired = await this.o.store.sweep(this.now());
      for (const state of expired) {
        this.o.log.warn(
          { call: state.id, session: state.session, script: state.script, step: state.step, idleMs: this.now() - state.updatedAt },
          'call.expired',
        );
        this.o.hooks?.callEnded?.(state, 'error');
        const script = this.o.scripts.pinned(state.script, state.version);
        if (script?.events !== undefined) this.o.summaries?.callEnded(script, { ...state, status: 'ended', outcome: 'error' }, 'error');
        this.o.scripts.untrack(state.id);
        this.features.forget(state.id);
      }
    } catch (err) {
      this.o.log.error({ err }, 'store.sweep_failed');
    }
  }

  /** Waits for every queued event (and http request in flight) to be handled. */
  async drain(): Promise<void> {
    await this.queue.drain();
    await this.features.drain();
    await this.queue.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    await this.queue.drain();
    await this.features.close();
    await this.queue.drain();
  }

  /** A transition's transcript entries, unless the store drops them anyway (the memory store by default). */
  private entries(event: CallEvent | undefined, t: Transition): TranscriptEntry[] | undefined {
    return this.o.store.keepsTranscripts === false ? undefined : transcriptEntries(event, t, this.now());
  }

  private engineOptions(): EngineOptions {
    // Built by assignment, with every key always present: this runs on every step.
    const options: { -readonly [K in keyof EngineOptions]: EngineOptions[K] } = {
      now: this.now(),
      maxSteps: this.maxSteps,
      scripts: this.features.resolver,
      limits: this.o.limits,
      callFields: this.o.callFields,
      clock: this.o.clock !== undefined ? this.o.clock() : undefined,
    };
    return options;
  }

  private async endAnswered(session: string): Promise<void> {
    let id: string | undefined;
    try {
      id = await this.o.store.findBySession(session);
    } catch {
      return;
    }
    if (id !== undefined) await this.internalEvent(id, { type: 'ended' });
  }

  /**
   * An event from inside the engine's own work (an http request's result, an end
   * learnt at the Voice Notify URL), applied like a notification: in the call's
   * queue, under its lock. A call that ended meanwhile ignores it.
   */
  private async internalEvent(id: string, event: CallEvent): Promise<void> {
    if (this.closed) return;
    await this.queue.run(id, () =>
      this.locked(id, async (lease) => {
        const state = await this.o.store.get(id);
        // A call that ended while the request was out (the caller hung up) ignores its late result.
        if (state === undefined || state.status === 'ended') return;
        const script = await this.pinnedScript(state);
        if (script === undefined) return this.orphan(state, lease);
        if (state.frames !== undefined) await this.features.ensureFrames(state);
        let t = step(script, state, event, this.engineOptions());
        if (t.state !== state) t = await this.commit(t, lease, this.entries(event, t));
        await this.carryOut(script, t, lease, performance.now());
      }),
    );
  }

  /**
   * Carries out a transition's actions. A block that cannot be sent becomes a
   * `send.failed` event for the interpreter, which decides what the caller hears.
   * Returns the last state.
   */
  private async carryOut(script: Script, first: Transition, lease: Lease, received: number): Promise<CallState> {
    let t = first;
    let timed = false;
    for (;;) {
      this.logNotes(t.state, t.notes);
      let failure: CallEvent | undefined;
      if (t.state.frames !== undefined) for (const called of this.features.frameScripts(t.state)) await this.archive.keep(called);
      for (const action of t.actions) {
        if (action.type === 'end') {
          this.ended(t.state, action.outcome, script);
          continue;
        }
        if (action.type === 'http') {
          const id = t.state.id;
          this.o.log.info({ call: id, session: t.state.session, step: action.step, seq: action.seq, method: action.request.method, url: redactUrl(action.request.url) }, 'http.request');
          this.features.start(id, action.seq, action.request, (event) => this.internalEvent(id, event));
          continue;
        }
        if (this.delivery === 'reply' && repliable(action.block)) {
          const held = outboxed(t.state, action, this.now());
          if (held !== t.state) {
            await this.o.store.put(held, { lease });
            t = { ...t, state: held };
          }
          this.held(held, action.block, timed ? undefined : received);
          timed = true;
          continue;
        }
        const started = this.now();
        const sending = performance.now();
        const notifyUrl = this.o.notifyUrl(t.state.id, action.seq, t.state.token);
        crashPoint('block.sending');
        try {
          const result = await sendWithRetry(
            this.o.provider,
            action.block,
            t.state.session !== '' ? { session: t.state.session, notifyUrl } : { notifyUrl },
            this.retry,
            (err, attempt, delayMs) => {
              this.o.log.warn(
                { call: t.state.id, session: t.state.session, block: action.block.kind, code: err.code, attempt, delayMs },
                'provider.retry',
              );
              this.o.hooks?.providerRetry?.(action.block.kind, err.code);
            },
          );
          crashPoint('block.accepted');
          // One info line per step is the `notification` that caused it; this one is debug (docs/performance.md).
          if (this.o.log.isLevelEnabled('debug')) {
            this.o.log.debug(
              { call: t.state.id, session: t.state.session || result.session, step: t.state.step, seq: action.seq, block: action.block.kind, ms: this.now() - started },
              'block.sent',
            );
          }
          const done = performance.now();
          this.o.hooks?.blockSent?.(t.state, action.block, done - sending);
          if (!timed) {
            timed = true;
            this.o.hooks?.stepCompleted?.(t.state, action.block.kind, done - received);
          }
          if (action.block.kind === 'dial' && result.session !== undefined) {
            await this.o.store.claimSession(result.session, t.state.id);
            const event: CallEvent = { type: 'dial.accepted', session: result.session, providerRef: result.providerRef ?? '' };
            const accepted = step(script, t.state, event, this.engineOptions());
            t = { ...(await this.commit(accepted, lease, this.entries(event, accepted))), notes: [] };
          }
        } catch (err) {
          const e = err instanceof ProviderError ? err : undefined;
          const code = e?.code ?? 'E_INTERNAL';
          const message = err instanceof Error ? err.message : String(err);
          this.o.log.error(
            { call: t.state.id, session: t.state.session, script: t.state.script, step: t.state.step, block: action.block.kind, code, err: message },
            'provider.error',
          );
          this.o.hooks?.providerError?.(action.block.kind, code);
          if (action.block.kind === 'dial' && e !== undefined) this.lastDialError.set(t.state.id, e);
          failure = { type: 'send.failed', seq: action.seq, code, message, sessionGone: e?.sessionGone ?? false };
          break;
        }
      }
      if (failure === undefined) return t.state;
      const next = step(script, t.state, failure, this.engineOptions());
      t = await this.commit(next, lease, this.entries(failure, next));
    }
  }

  /**
   * `carryOut` for a transition `applicableNow` accepted (its sends all wait in the outbox), on a
   * store that writes at once.
   */
  private carryOutNow(store: ImmediateStore, script: Script, first: Transition, lease: Lease, received: number): CallState {
    let state = first.state;
    let timed = false;
    this.logNotes(state, first.notes);
    for (const action of first.actions) {
      if (action.type === 'end') {
        this.ended(state, action.outcome, script);
      } else if (action.type === 'send') {
        const held = outboxed(state, action, this.now());
        if (held !== state) store.put(held, { lease });
        state = held;
        this.held(held, action.block, timed ? undefined : received);
        timed = true;
      }
    }
    return state;
  }

  /** Reply delivery: a block is in the call's outbox for the next webhook (`received`: the first of its step, timed from then). */
  private held(state: CallState, block: Block, received: number | undefined): void {
    const done = performance.now();
    this.o.hooks?.blockSent?.(state, block, 0);
    if (received !== undefined) this.o.hooks?.stepCompleted?.(state, block.kind, done - received);
    this.wake(state.id);
  }

  private ended(state: CallState, outcome: Outcome, script?: Script): void {
    this.o.log.info(
      {
        call: state.id,
        session: state.session,
        script: state.script,
        version: state.version,
        outcome,
        steps: state.steps,
        durationMs: this.now() - state.startedAt,
      },
      'call.ended',
    );
    this.o.scripts.untrack(state.id);
    this.features.forget(state.id);
    this.o.hooks?.callEnded?.(state, outcome);
    const summarised = script ?? this.o.scripts.pinned(state.script, state.version);
    if (summarised?.events !== undefined) this.o.summaries?.callEnded(summarised, state, outcome);
  }

  private logNotes(state: CallState, notes: readonly Note[]): void {
    const { log } = this.o;
    if (notes.length > 0) this.o.hooks?.notes?.(state, notes);
    for (const note of notes) {
      // Most notes of a step log nothing at info (step.entered is debug): nothing is built for them.
      // Coverage reads branch and prompt.next; send.failed and call.ended are logged where they happen, with more detail.
      if (note.type === 'branch' || note.type === 'prompt.next' || note.type === 'send.failed' || note.type === 'call.ended') continue;
      if (note.type === 'step.entered') {
        // Debug, like block.sent: at info a step is one `notification` line (docs/performance.md).
        if (log.isLevelEnabled('debug')) log.debug({ call: state.id, session: state.session, step: note.step, kind: note.kind }, 'step.entered');
        continue;
      }
      const base = { call: state.id, session: state.session };
      switch (note.type) {
        case 'notification.ignored':
          log.info({ ...base, reason: note.reason, step: state.step }, 'notification.ignored');
          break;
        // Debug lines: their fields are built only when they will be written (a spread into a literal costs).
        case 'input.invalid':
          if (log.isLevelEnabled('debug')) log.debug({ ...base, step: note.step, digits: note.digits, retry: note.retry }, 'input.invalid');
          break;
        case 'input.none':
          if (log.isLevelEnabled('debug')) log.debug({ ...base, step: note.step }, 'input.none');
          break;
        case 'render.failed':
          log.error({ ...base, script: state.script, step: note.step, field: note.field, err: note.error }, 'render.failed');
          break;
        case 'step.limit':
          log.warn({ ...base, script: state.script, limit: note.limit }, 'call.step_limit');
          break;
        case 'http.done':
          if (note.failure !== undefined) log.warn({ ...base, step: note.step, status: note.status, failure: note.failure, err: note.error, ms: note.ms }, 'http.failed');
          else log.info({ ...base, step: note.step, status: note.status, ms: note.ms }, 'http.done');
          break;
        case 'error.caught':
          log.warn({ ...base, script: state.script, step: note.step, target: note.target, reason: note.reason }, 'call.on_error');
          break;
        case 'call.entered':
          log.info({ ...base, called: note.script, version: note.version, depth: note.depth }, 'script.called');
          break;
        case 'call.returned':
          log.info({ ...base, called: note.script, to: note.to }, 'script.returned');
          break;
        default: {
          // Every note type is handled above; this fails to compile when one is added and not.
          const unhandled: never = note;
          void unhandled;
        }
      }
    }
  }

  /**
   * Runs a call's work holding the call's store lock, so no other server (or
   * stale holder) works on the call meanwhile. Any unexpected exception becomes a
   * log line and a best-effort end of the call, so one bad call never takes the
   * server down. `busy`: the lock stayed with another holder for too long.
   */
  private async locked(id: string, work: (lease: Lease) => Promise<void>): Promise<'done' | 'busy' | 'failed'> {
    let lease: Lease;
    try {
      lease = await this.o.store.lock(id);
    } catch (err) {
      if (err instanceof LockTimeoutError) {
        this.o.log.error({ call: id, waitedMs: err.waitedMs }, 'call.lock_timeout');
        return 'busy';
      }
      this.o.log.error({ call: id, err }, 'store.error');
      return 'failed';
    }
    try {
      await work(lease);
      // Work that committed a step settled the call (a notification for its outstanding block proves the block ran).
      if (lease.interrupted === true && !this.settled.has(lease)) await this.reconcile(id, lease);
      return 'done';
    } catch (err) {
      if (err instanceof StaleLeaseError) {
        // Our lock expired and another holder has the call now: its state wins, and nothing more is sent from here.
        this.o.log.warn({ call: id, fence: err.fence }, 'call.fenced');
        return 'failed';
      }
      this.o.log.error({ call: id, err }, 'call.internal_error');
      try {
        const state = await this.o.store.get(id);
        if (state !== undefined && state.status !== 'ended') await this.orphan(state, lease);
      } catch (inner) {
        this.o.log.error({ call: id, err: inner }, 'call.cleanup_failed');
      }
      return 'failed';
    } finally {
      await this.release(lease);
    }
  }

  /**
   * Stores a transition's state. Push delivery to a durable store: with the block the
   * transition sends as the call's `outbox`, in the same write, so a server killed before
   * the block reached the provider leaves what to send again (docs/durability.md). No extra
   * write per step. A memory store dies with the process: the outbox would only cost memory.
   */
  private async commit(t: Transition, lease: Lease, transcript: TranscriptEntry[] | undefined): Promise<Transition> {
    const state = this.withOutbox(t);
    await this.o.store.put(state, transcript !== undefined ? { lease, transcript } : { lease });
    // Only a lease taken over from a dead holder is ever asked about (a WeakSet add per step costs).
    if (lease.interrupted === true) this.settled.add(lease);
    return state === t.state ? t : { ...t, state };
  }

  /** `commit` on a store that writes at once (the lease is never an interrupted one there). */
  private commitNow(store: ImmediateStore, t: Transition, lease: Lease, transcript: TranscriptEntry[] | undefined): Transition {
    const state = this.withOutbox(t);
    store.put(state, transcript !== undefined ? { lease, transcript } : { lease });
    return state === t.state ? t : { ...t, state };
  }

  /** The state a transition commits: with the block it sends as the outbox, where one is kept (see `commit`). */
  private withOutbox(t: Transition): CallState {
    // Reply delivery: the block the provider's next webhook collects, in the same write as the step.
    const last = this.delivery === 'reply' || this.o.store.durable ? lastSend(t.actions) : undefined;
    const send = last !== undefined && (this.delivery === 'push' || repliable(last.block)) ? last : undefined;
    if (send === undefined) {
      // A call that is over sends nothing more: its last block would only weigh on the ended call while it is retained.
      if (t.state.status !== 'ended' || t.state.outbox === undefined) return t.state;
      return copyState(t.state, t.state.updatedAt, { outbox: false });
    }
    const state = copyState(t.state, t.state.updatedAt);
    state.outbox = { seq: send.seq, block: send.block };
    return state;
  }

  /** Leases under which a step was committed: their calls need no reconciling. */
  private readonly settled = new WeakSet<Lease>();

  /**
   * Reconciles every call a dead holder may have left in the middle of its work (the store's
   * `interrupted`): at start-up, and with each sweep (a server on a shared store may die and
   * not come back). Returns how many calls were looked at.
   */
  async recover(): Promise<number> {
    let after: string | undefined;
    let seen = 0;
    for (;;) {
      const ids = await this.o.store.interrupted({ limit: RECOVERY_PAGE, ...(after !== undefined ? { after } : {}) });
      if (ids.length === 0 || this.closed) return seen;
      // A few at a time: each may cost a provider request (Hoiio runs 8 calls per account at once anyway).
      for (let i = 0; i < ids.length; i += RECOVERY_PARALLEL) {
        await Promise.all(ids.slice(i, i + RECOVERY_PARALLEL).map((id) => this.queue.run(id, () => this.locked(id, async () => undefined))));
      }
      seen += ids.length;
      after = ids.at(-1);
    }
  }

  /** `recover`, its end (always, or when it found calls) or failure logged: start-up and the sweep timer call it without waiting. */
  async recoverLogged(always = false): Promise<void> {
    const started = performance.now();
    try {
      const calls = await this.recover();
      if (calls > 0 || always) this.o.log.info({ calls, ms: Math.round(performance.now() - started) }, 'recovery.done');
    } catch (err) {
      this.o.log.error({ err }, 'recovery.failed');
    }
  }

  /**
   * A call whose last holder may have died in the middle of its work, and no step was
   * committed since: its last committed block (the outbox) may never have reached the
   * provider, or it did and the notification for it was lost. It is sent again, once:
   * a provider still running it refuses it as busy (then nothing was lost), one whose
   * session is over refuses it as gone (the call ends), and otherwise it runs now,
   * for the first time or again (docs/durability.md says when each happens).
   */
  private async reconcile(id: string, lease: Lease): Promise<void> {
    const state = await this.o.store.get(id);
    if (state === undefined || state.status === 'ended') return;
    const out = state.outbox;
    const base = { call: id, session: state.session, step: state.step, seq: state.seq, pending: state.pending };
    if (this.delivery !== 'push' || out === undefined || out.seq !== state.seq || out.block.kind !== state.pending || out.block.kind === 'dial' || state.session === '') {
      // Nothing the provider may lack: no block out (an http step's request died with the process, see docs/durability.md),
      // or a Dial, never placed twice (its notification names the call anyway).
      this.o.log.warn({ ...base, action: 'none' }, 'call.recovered');
      await this.o.store.put(copyState(state, this.now()), { lease });
      return;
    }
    const script = this.o.scripts.pinned(state.script, state.version) ?? (await this.pinnedScript(state));
    if (script === undefined) return this.orphan(state, lease);
    this.o.scripts.track(id, script);
    if (state.frames !== undefined) await this.features.ensureFrames(state);
    const block = out.block;
    const sending = performance.now();
    try {
      await sendWithRetry(
        busyAware(this.o.provider),
        block,
        { session: state.session, notifyUrl: this.o.notifyUrl(id, out.seq, state.token) },
        this.retry,
        (err, attempt, delayMs) => {
          this.o.log.warn({ call: id, session: state.session, block: block.kind, code: err.code, attempt, delayMs }, 'provider.retry');
          this.o.hooks?.providerRetry?.(block.kind, err.code);
        },
      );
      this.o.log.warn({ ...base, block: block.kind, action: 'sent' }, 'call.recovered');
      this.o.hooks?.blockSent?.(state, block, performance.now() - sending);
      await this.o.store.put(copyState(state, this.now()), { lease });
    } catch (err) {
      if (err instanceof BlockRunning) {
        this.o.log.info({ ...base, block: block.kind, action: 'running' }, 'call.recovered');
        await this.o.store.put(copyState(state, this.now()), { lease });
        return;
      }
      const e = err instanceof ProviderError ? err : undefined;
      const code = e?.code ?? 'E_INTERNAL';
      const message = err instanceof Error ? err.message : String(err);
      this.o.log.warn({ ...base, block: block.kind, action: e?.sessionGone === true ? 'gone' : 'failed', code, err: message }, 'call.recovered');
      this.o.hooks?.providerError?.(block.kind, code);
      // As for any block that could not be sent: the interpreter decides (a session that is gone ends the call).
      const failure: CallEvent = { type: 'send.failed', seq: out.seq, code, message, sessionGone: e?.sessionGone ?? false };
      const next = step(script, state, failure, this.engineOptions());
      await this.carryOut(script, await this.commit(next, lease, this.entries(failure, next)), lease, performance.now());
    }
  }

  private async release(lease: Lease): Promise<void> {
    try {
      await lease.release();
    } catch (err) {
      // The lock expires by itself; the next holder only waits for that.
      this.o.log.warn({ call: lease.id, err }, 'store.release_failed');
    }
  }

  /**
   * The script version a call is pinned to: from the registry, or else from the
   * store (a restarted server, or another server, started the call on a version
   * this process does not have), compiled and remembered.
   */
  private async pinnedScript(state: CallState): Promise<Script | undefined> {
    const known = this.o.scripts.pinned(state.script, state.version);
    if (known !== undefined) return known;
    const restored = await this.archive.restore(state.script, state.version);
    if (!restored.ok) {
      this.o.log.error({ call: state.id, script: state.script, version: state.version, reason: restored.reason }, 'script.restore_failed');
      return undefined;
    }
    this.o.scripts.remember(restored.script);
    this.o.log.info({ call: state.id, script: state.script, version: state.version }, 'script.restored');
    return restored.script;
  }

  /** A call the engine can no longer run (its script version is gone, or a bug): apologise and end it. */
  private async orphan(state: CallState, lease: Lease): Promise<void> {
    this.o.log.error({ call: state.id, session: state.session, script: state.script, version: state.version }, 'call.orphaned');
    const ended: CallState = { ...state, status: 'ended', pending: null, outcome: 'error', updatedAt: this.now() };
    await this.o.store.put(ended, { lease });
    this.ended(ended, 'error');
    if (state.session === '') return;
    const block: Block =
      state.pending === null || state.pending === 'http' ? { kind: 'hangup', message: said(POLITE_HANGUP.error ?? '') } : { kind: 'hangup', force: true };
    try {
      await this.o.provider.send(block, { session: state.session });
    } catch (err) {
      this.o.log.warn({ call: state.id, session: state.session, err: err instanceof Error ? err.message : String(err) }, 'provider.error');
    }
  }

  /** Politely refuses a call no script takes. No state is kept for it. */
  private async reject(session: string): Promise<void> {
    // A reply provider hears the refusal in the webhook's own answer (the route's `none`); nothing goes over REST.
    if (this.delivery === 'reply') return;
    try {
      await sendWithRetry(this.o.provider, { kind: 'hangup', message: said(UNKNOWN_NUMBER_MESSAGE) }, { session }, this.retry);
    } catch (err) {
      this.o.log.error({ session, err: err instanceof Error ? err.message : String(err) }, 'provider.error');
    }
  }
}

/** Calls listed per page, and reconciled at once, by `recover`. */
const RECOVERY_PAGE = 100;
const RECOVERY_PARALLEL = 8;

/** Recovery sent a block again and the provider is still running it: the first send got through. */
class BlockRunning extends Error {
  readonly code = 'CS_BLOCK_RUNNING';
  constructor(cause: ProviderError) {
    super('the provider is still running the block sent before the restart', { cause });
    this.name = 'BlockRunning';
  }
}

/** `provider`, with "busy running an earlier block" as `BlockRunning`, which `sendWithRetry` never retries. */
function busyAware(provider: ProviderClient): ProviderClient {
  return {
    name: provider.name,
    send: (block: Block, target): Promise<SendResult> =>
      provider.send(block, target).catch((err: unknown) => {
        throw err instanceof ProviderError && err.sessionBusy ? new BlockRunning(err) : err;
      }),
    close: () => Promise.resolve(),
  };
}

/**
 * Reply delivery: `state` with `send`'s block as its outbox, so a retried webhook gets it again. The
 * commit wrote it with the step (then `state` itself), unless the transition sends more than one block.
 */
function outboxed(state: CallState, send: Extract<Action, { type: 'send' }>, now: number): CallState {
  if (state.outbox?.seq === send.seq) return state;
  const copy = copyState(state, now);
  copy.outbox = { seq: send.seq, block: send.block };
  return copy;
}

/**
 * A transition the runner can carry out without waiting: it sends only blocks the next webhook
 * collects (no http request, dial or forced hangup over REST) and enters no called script.
 */
function applicableNow(t: Transition): boolean {
  if (t.state.frames !== undefined) return false;
  for (const action of t.actions) {
    if (action.type === 'http' || (action.type === 'send' && !repliable(action.block))) return false;
  }
  return true;
}

/** Reply delivery: a block the provider's next webhook collects (a dial and a forced hangup go over its REST API). */
function repliable(block: Block): boolean {
  return block.kind !== 'dial' && !(block.kind === 'hangup' && block.force === true);
}

function accepted(reply: Reply | Promise<Reply>): ReplyResult | Promise<ReplyResult> {
  return reply instanceof Promise ? reply.then((r) => ({ verdict: 'accepted', reply: r })) : { verdict: 'accepted', reply };
}

function lastSend(actions: readonly Action[]): Extract<Action, { type: 'send' }> | undefined {
  for (let i = actions.length - 1; i >= 0; i--) {
    const action = actions[i];
    if (action?.type === 'send') return action;
  }
  return undefined;
}

/** Why a notification for call `state` is refused before any work; undefined: it belongs to the call. */
function refusal(state: CallState, token: string, providerSession: string): 'bad-token' | 'session-mismatch' | undefined {
  if (!tokenMatches(state.token, token)) return 'bad-token';
  // A call that never learned its session (its Dial failed) accepts no notification naming one.
  if (providerSession !== '' && providerSession !== state.session) return 'session-mismatch';
  return undefined;
}

function tokenMatches(expected: string, given: string): boolean {
  return sameSecret(expected, given);
}

function eventDetail(event: CallEvent): Record<string, string> {
  switch (event.type) {
    case 'block.done':
    case 'ended': {
      const out: Record<string, string> = {};
      if ('digits' in event && event.digits !== undefined) out.digits = event.digits;
      if (event.status !== undefined) out.status = event.status;
      if (event.recordUrl !== undefined) out.recordUrl = event.recordUrl;
      return out;
    }
    default:
      return {};
  }
}
