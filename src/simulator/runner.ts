/**
 * Runs accepted blocks on a call: asks the caller, lets time pass, and sends the block's
 * notification (contract §2, §5.3 and the "Decisions for callscript" table).
 *
 * `accept()` makes the synchronous state change (so a request arriving right after is
 * judged against it); the returned `start` runs the rest once the API answer has gone out.
 */
import { billedMinutes, billingFields } from './billing.js';
import { CancelledError, isCancelled, type Lifetime } from './lifetime.js';
import type { Fields, Notifier } from './notifier.js';
import { collectDigits, gatherSettings, get, recordMaxDuration, roomOf, type Params } from './params.js';
import type { RecordingStore } from './recordings.js';
import type { CallSession, RunningBlock } from './session.js';
import type { BlockName, CallerAction, CallerPrompt, DialOutcome, EndReason, SimulatorTiming } from './types.js';

export interface RunnerOptions {
  readonly lifetime: Lifetime;
  readonly clock: () => number;
  readonly timing: SimulatorTiming;
  readonly notifier: Notifier;
  readonly recordings: RecordingStore;
  readonly ratePerMinute: number;
}

export interface Accepted {
  /** Runs the block; call after the API answer is sent. */
  readonly start: () => void;
}

interface EndNotice {
  readonly url: string | undefined;
  readonly block: BlockName | 'answer';
  readonly tag?: string | undefined;
  readonly fields?: Fields;
  /** The engine asked for this end (Hangup, Transfer): any later block is its mistake. */
  readonly engineCaused?: boolean;
  readonly dialStatus?: DialOutcome;
  readonly transferStatus?: DialOutcome;
}

const DEFAULT_RECORD_SECONDS = 3;

export class Runner {
  readonly #o: RunnerOptions;
  #rooms = 0;

  constructor(options: RunnerOptions) {
    this.#o = options;
  }

  /** An inbound call starts ringing: notify the Voice Notify URL and wait for an answer. */
  ring(call: CallSession, url: string): void {
    call.lastNotifyUrl = url;
    call.lastBlock = 'answer';
    call.add({ kind: 'call', event: 'ringing' });
    this.#o.notifier.send(call, url, {
      call_state: 'ringing',
      ivr_block: 'answer',
      session: call.session,
      txn_ref: call.txnRef,
      from: call.from,
      to: call.to,
    });
    const { ringTimeoutMs } = this.#o.timing;
    if (ringTimeoutMs > 0) {
      call.cancelWaitTimer = this.#o.lifetime.timer(ringTimeoutMs, () => this.networkHangup(call, 'no-answer-to-ringing'));
    }
  }

  /** The engine dialled out: the call exists; the callee decides once the answer has gone out. */
  acceptDial(call: CallSession, params: Params): Accepted {
    const running = this.#begin(call, 'dial', params);
    return { start: () => this.#launch(call, running, (signal) => this.#dial(call, running, signal)) };
  }

  accept(call: CallSession, block: Exclude<BlockName, 'dial'>, params: Params): Accepted {
    const wasRinging = call.state === 'ringing';
    // Hangup first rejects the call, unless it has a message to play: that needs an answer.
    const rejects = wasRinging && block === 'hangup' && get(params, 'msg') === undefined;
    if (wasRinging && !rejects) this.#answer(call);
    switch (block) {
      case 'hold':
        call.cancelWaitTimer?.();
        call.lastBlock = 'hold';
        call.setState('held');
        call.add({ kind: 'call', event: 'held' });
        return { start: () => undefined };
      case 'hangup':
        return this.#acceptHangup(call, params, rejects);
      case 'transfer': {
        if ((get(params, 'on_failure') ?? 'hangup') === 'hangup') call.endBlock = true;
        const running = this.#begin(call, block, params);
        return { start: () => this.#launch(call, running, (signal) => this.#transfer(call, running, signal)) };
      }
      case 'unhold': {
        call.add({ kind: 'call', event: 'unheld' });
        const running = this.#begin(call, block, params);
        return { start: () => this.#launch(call, running, async () => this.#ongoing(call, running, {})) };
      }
      case 'play':
      case 'gather':
      case 'record':
      case 'monitor': {
        const running = this.#begin(call, block, params);
        const body = {
          play: (s: AbortSignal) => this.#play(call, running, s),
          gather: (s: AbortSignal) => this.#gather(call, running, s),
          record: (s: AbortSignal) => this.#record(call, running, s),
          monitor: (s: AbortSignal) => this.#monitor(call, running, s),
        }[block];
        return { start: () => this.#launch(call, running, body) };
      }
    }
  }

  /** Transfer to `room:` creates a room (`R<n>`); `room:<id>` joins that one. */
  roomFor(params: Params): string | undefined {
    const roomId = roomOf(get(params, 'dest') ?? '');
    return roomId === undefined ? undefined : roomId || `R${++this.#rooms}`;
  }

  /** The caller hung up: the running block's result is never sent; `ended` goes out instead. */
  callerHangup(call: CallSession): void {
    if (call.state === 'ended') return;
    if (call.direction === 'outbound' && !call.answered) {
      // The callee declined while it was ringing.
      this.end(call, 'dial-failed', {
        url: call.running?.notifyUrl ?? call.lastNotifyUrl,
        block: 'dial',
        tag: call.running?.params.tag,
        fields: { dial_status: 'busy' },
        dialStatus: 'busy',
      });
      return;
    }
    this.networkHangup(call, 'caller-hangup');
  }

  /** The call ends from the network side (caller, timers): notify the running or last block's URL. */
  networkHangup(call: CallSession, reason: EndReason): void {
    if (call.state === 'ended') return;
    const running = call.running;
    const fields: Fields = {};
    if (running?.block === 'record') {
      // Hoiio keeps what was recorded before the hangup (contract §3.4).
      const started = running.recordingStartedAt;
      const { secondMs } = this.#o.timing;
      const seconds = started === undefined || secondMs <= 0 ? 0 : (this.#o.clock() - started) / secondMs;
      call.simulatedSeconds += seconds;
      fields.record_url = this.#o.recordings.create(call.session, seconds);
    }
    if (running?.block === 'dial') fields.dial_status = 'answered';
    this.end(call, reason, {
      url: running?.notifyUrl ?? call.lastNotifyUrl,
      block: running?.block ?? call.lastBlock ?? 'answer',
      tag: running?.params.tag,
      fields,
    });
  }

  /** Ends the call (idempotent) and sends the `ended` notification(s). */
  end(call: CallSession, reason: EndReason, notice: EndNotice): void {
    if (call.state === 'ended') return;
    const at = this.#o.clock();
    let monitorRecordUrl: string | undefined;
    if (call.monitor) {
      const { secondMs } = this.#o.timing;
      const wall = secondMs > 0 ? (at - call.monitor.startedAt) / secondMs : 0;
      const seconds = Math.max(wall, call.simulatedSeconds - call.monitor.simulatedSecondsAtStart);
      monitorRecordUrl = this.#o.recordings.create(call.session, seconds);
    }
    const minutes = billedMinutes(call.answeredAt, at, call.simulatedSeconds);
    const info = {
      reason,
      at,
      answered: call.answered,
      durationMinutes: minutes,
      ...(notice.dialStatus ? { dialStatus: notice.dialStatus } : {}),
      ...(notice.transferStatus ? { transferStatus: notice.transferStatus } : {}),
      ...(monitorRecordUrl ? { monitorRecordUrl } : {}),
    };
    const monitor = call.monitor;
    if (!call.finish(info)) return;
    if (notice.engineCaused) call.endKnownToEngine = true;
    const fields: Fields = {
      ...this.#base(call, 'ended', notice.block, notice.tag),
      ...notice.fields,
      ...billingFields(call.answeredAt ?? call.createdAt, minutes, this.#o.ratePerMinute),
    };
    if (monitorRecordUrl && fields.record_url === undefined) fields.record_url = monitorRecordUrl;
    if (notice.url) this.#o.notifier.send(call, notice.url, fields);
    if (monitor && monitorRecordUrl) {
      const extra = monitor.monitorNotifyUrl ?? (notice.url ? undefined : monitor.notifyUrl);
      if (extra && extra !== notice.url) {
        this.#o.notifier.send(call, extra, { ...fields, ivr_block: 'monitor', tag: '', record_url: monitorRecordUrl });
      }
    }
  }

  // --- blocks ----------------------------------------------------------------------------

  async #dial(call: CallSession, r: RunningBlock, signal: AbortSignal): Promise<void> {
    const dest = call.to;
    const msg = get(r.params, 'msg');
    const action = await this.#decide(call, r, { block: 'dial', dest, ...opt('msg', msg) }, signal);
    const outcome: DialOutcome = action.type === 'outcome' ? action.outcome : 'answered';
    if (outcome !== 'answered') {
      call.dialStatus = outcome;
      this.end(call, 'dial-failed', {
        url: r.notifyUrl,
        block: 'dial',
        tag: r.params.tag,
        fields: { dial_status: outcome },
        dialStatus: outcome,
      });
      return;
    }
    call.dialStatus = 'answered';
    this.#answer(call);
    const maxDuration = get(r.params, 'max_duration');
    if (maxDuration !== undefined) {
      call.cancelMaxDuration = this.#o.lifetime.timer(Number(maxDuration) * 1000, () =>
        this.networkHangup(call, 'max-duration'),
      );
    }
    await this.#speak(msg, signal);
    if (r.notifyUrl) {
      this.#ongoing(call, r, { dial_status: 'answered' });
    } else {
      this.end(call, 'played-without-notify-url', { url: undefined, block: 'dial', engineCaused: true, dialStatus: 'answered' });
    }
  }

  async #play(call: CallSession, r: RunningBlock, signal: AbortSignal): Promise<void> {
    const msg = get(r.params, 'msg');
    await this.#decide(call, r, { block: 'play', ...opt('msg', msg) }, signal);
    await this.#speak(msg, signal);
    if (r.notifyUrl) {
      this.#ongoing(call, r, {});
    } else {
      this.end(call, 'played-without-notify-url', { url: undefined, block: 'play', engineCaused: true });
    }
  }

  async #gather(call: CallSession, r: RunningBlock, signal: AbortSignal): Promise<void> {
    const msg = get(r.params, 'msg');
    const settings = gatherSettings(r.params);
    const action = await this.#decide(call, r, { block: 'gather', ...opt('msg', msg), ...settings }, signal);
    let digits = '';
    if (action.type === 'press') {
      digits = collectDigits(action.digits, settings.maxDigits);
      await this.#speak(msg, signal);
    } else {
      const { speakMs, inputTimeoutMs } = this.#o.timing;
      await this.#o.lifetime.sleep(settings.attempts * ((msg ? speakMs : 0) + inputTimeoutMs), signal);
    }
    // The contract's decision: no input after all attempts is `ongoing` with empty digits.
    this.#ongoing(call, r, { digits });
  }

  async #record(call: CallSession, r: RunningBlock, signal: AbortSignal): Promise<void> {
    const msg = get(r.params, 'msg');
    const maxDuration = recordMaxDuration(r.params);
    const action = await this.#decide(call, r, { block: 'record', ...opt('msg', msg), maxDuration }, signal);
    const wanted = action.type === 'record' ? (action.seconds ?? DEFAULT_RECORD_SECONDS) : DEFAULT_RECORD_SECONDS;
    const seconds = Math.min(wanted, maxDuration);
    await this.#speak(msg, signal);
    r.recordingStartedAt = this.#o.clock();
    await this.#o.lifetime.sleep(seconds * this.#o.timing.secondMs, signal);
    call.simulatedSeconds += seconds;
    const recordUrl = this.#o.recordings.create(call.session, seconds);
    this.#ongoing(call, r, { record_url: recordUrl });
  }

  async #monitor(call: CallSession, r: RunningBlock, signal: AbortSignal): Promise<void> {
    const msg = get(r.params, 'msg');
    await this.#decide(call, r, { block: 'monitor', ...opt('msg', msg) }, signal);
    await this.#speak(msg, signal);
    call.monitor = {
      startedAt: this.#o.clock(),
      simulatedSecondsAtStart: call.simulatedSeconds,
      notifyUrl: r.notifyUrl ?? '',
      monitorNotifyUrl: get(r.params, 'monitor_notify_url'),
    };
    this.#ongoing(call, r, {});
  }

  async #transfer(call: CallSession, r: RunningBlock, signal: AbortSignal): Promise<void> {
    const dest = get(r.params, 'dest') ?? '';
    const msg = get(r.params, 'msg');
    const onFailure = get(r.params, 'on_failure') ?? 'hangup';
    const action = await this.#decide(call, r, { block: 'transfer', dest, ...opt('msg', msg) }, signal);
    const outcome: DialOutcome = action.type === 'outcome' ? action.outcome : 'answered';
    await this.#speak(msg, signal);
    if (outcome === 'answered') {
      const seconds = action.type === 'outcome' ? (action.seconds ?? 0) : 0;
      await this.#o.lifetime.sleep(seconds * this.#o.timing.secondMs, signal);
      call.simulatedSeconds += seconds;
      this.end(call, 'transfer-answered', {
        url: r.notifyUrl,
        block: 'transfer',
        tag: r.params.tag,
        fields: { transfer_status: 'answered' },
        engineCaused: true,
        transferStatus: 'answered',
      });
      return;
    }
    if (onFailure === 'continue') {
      this.#ongoing(call, r, { transfer_status: outcome });
      return;
    }
    this.end(call, 'transfer-failed', {
      url: r.notifyUrl,
      block: 'transfer',
      tag: r.params.tag,
      fields: { transfer_status: outcome },
      engineCaused: true,
      transferStatus: outcome,
    });
  }

  #acceptHangup(call: CallSession, params: Params, rejects: boolean): Accepted {
    const forced = get(params, 'force') === 'enabled';
    const reason: EndReason = rejects ? 'rejected' : 'script-hangup';
    const notice: EndNotice = {
      url: get(params, 'notify_url'),
      block: 'hangup',
      tag: params.tag,
      engineCaused: true,
    };
    call.endBlock = true;
    if (forced) {
      // Stop the running block now, so its result can no longer be sent; end after the answer.
      call.running?.controller.abort(new CancelledError('forced hangup'));
      call.running = undefined;
      call.cancelWaitTimer?.();
      call.setState('busy');
      return { start: () => this.end(call, reason, notice) };
    }
    const running = this.#begin(call, 'hangup', params);
    return {
      start: () =>
        this.#launch(call, running, async (signal) => {
          await this.#speak(get(params, 'msg'), signal);
          this.end(call, reason, notice);
        }),
    };
  }

  // --- helpers ---------------------------------------------------------------------------

  #answer(call: CallSession): void {
    if (call.answered) return;
    call.cancelWaitTimer?.();
    call.answeredAt = this.#o.clock();
    call.add({ kind: 'call', event: 'answered' });
  }

  #begin(call: CallSession, block: BlockName, params: Params): RunningBlock {
    call.cancelWaitTimer?.();
    const running: RunningBlock = {
      block,
      params,
      notifyUrl: get(params, 'notify_url'),
      controller: new AbortController(),
    };
    call.running = running;
    call.lastBlock = block;
    if (running.notifyUrl) call.lastNotifyUrl = running.notifyUrl;
    call.setState('busy');
    return running;
  }

  #launch(call: CallSession, running: RunningBlock, body: (signal: AbortSignal) => Promise<void>): void {
    if (call.running !== running || running.controller.signal.aborted) return;
    body(running.controller.signal).catch((err: unknown) => {
      if (isCancelled(err)) return;
      // A bug in a block must not leave the call hanging forever.
      call.add({ kind: 'call', event: 'agent-error', detail: `simulator error: ${String(err)}` });
      this.networkHangup(call, 'caller-hangup');
    });
  }

  async #decide(call: CallSession, r: RunningBlock, prompt: CallerPrompt, signal: AbortSignal): Promise<CallerAction> {
    const action = await call.decide(prompt, signal);
    if (action.type === 'hangup') {
      this.callerHangup(call);
      throw new CancelledError('caller hung up');
    }
    if (call.running !== r) throw new CancelledError('block replaced');
    return action;
  }

  async #speak(msg: string | undefined, signal: AbortSignal): Promise<void> {
    if (msg) await this.#o.lifetime.sleep(this.#o.timing.speakMs, signal);
  }

  /** The block finished with the call still up: ready for the next block, then notify. */
  #ongoing(call: CallSession, r: RunningBlock, extra: Fields): void {
    if (call.running !== r || call.state === 'ended') return;
    call.running = undefined;
    call.setState('ready');
    const { idleTimeoutMs } = this.#o.timing;
    if (idleTimeoutMs > 0) {
      call.cancelWaitTimer = this.#o.lifetime.timer(idleTimeoutMs, () => this.networkHangup(call, 'idle-timeout'));
    }
    if (!r.notifyUrl) return;
    this.#o.notifier.send(call, r.notifyUrl, { ...this.#base(call, 'ongoing', r.block, r.params.tag), ...extra });
  }

  #base(call: CallSession, callState: string, block: BlockName | 'answer', tag: string | undefined): Fields {
    const f: Fields = {
      call_state: callState,
      ivr_block: block,
      session: call.session,
      txn_ref: call.txnRef,
      tag: tag ?? '',
      from: call.from,
      to: call.to,
    };
    if (block === 'answer') delete f.tag;
    if (call.direction === 'outbound') f.dest = call.to;
    return f;
  }
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
