/**
 * What a webhook provider's player (TwiML family, jambonz) does on the
 * simulated line around the verbs of its dialect: a call's run stops every
 * wait once the call ends, whoever ends it, and turns a throw into an
 * application error; a verb shows in the transcript as the block it runs,
 * with what was heard; what is said takes `speakMs` (silence alone takes
 * nothing); a pause before a redirect is the app holding the caller; an
 * answered transfer lasts as long as its callee talks. Reading the markup and
 * what each verb means stay with the dialect.
 */
import { askCaller, type CalleeHost } from './ask-caller.js';
import { CancelledError } from './lifetime.js';
import { promptText } from './prompt-text.js';
import type { CallSession } from './session.js';
import type { BlockName, CallerAction, CallerPrompt, DialOutcome, EndReason, HeardPart } from './types.js';

/** What a player needs of its simulator, whatever the dialect. */
export interface CallPlayerHost extends CalleeHost {
  readonly speakMs: number;
  readonly inputTimeoutMs: number;
  readonly secondMs: number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  answer(call: CallSession): void;
  end(call: CallSession, reason: EndReason, detail?: { readonly dialStatus?: DialOutcome; readonly transferStatus?: DialOutcome; readonly error?: string }): void;
}

/** How a call's run ends. */
export interface Ending {
  readonly end: EndReason;
  readonly detail?: string;
  readonly transferStatus?: DialOutcome;
}

/** A transfer the caller did not hang up on: how it went, and for how many simulated seconds the callee talked. */
export interface Bridged {
  readonly outcome: DialOutcome;
  readonly seconds: number;
}

export abstract class CallPlayer<H extends CallPlayerHost> {
  constructor(protected readonly host: H) {}

  /**
   * Runs `steps` for the call and ends the call as they decide; never throws.
   * `steps` gets a signal aborted when the call ends, for every wait; it
   * returns undefined when it found the call already over.
   */
  protected async runCall(call: CallSession, steps: (signal: AbortSignal) => Promise<Ending | undefined>): Promise<void> {
    const stop = new AbortController();
    const off = call.on('ended', () => stop.abort(new CancelledError('call ended')));
    let ending: Ending | undefined;
    try {
      ending = await steps(stop.signal);
    } catch (err) {
      if (err instanceof CancelledError || over(call)) return;
      ending = { end: 'application-error', detail: err instanceof Error ? err.message : String(err) };
    } finally {
      off();
    }
    if (ending === undefined || over(call)) return;
    this.host.end(call, ending.end, {
      ...(ending.detail !== undefined ? { error: ending.detail } : {}),
      ...(ending.transferStatus !== undefined ? { transferStatus: ending.transferStatus } : {}),
    });
  }

  /** The verb as the transcript shows it: the block it runs, what the provider was told, and what was heard. */
  protected block(call: CallSession, block: BlockName, params: Record<string, string>, heard: readonly HeardPart[]): void {
    call.add({ kind: 'block', block, method: 'POST', params, response: 'accepted', ...(heard.length > 0 ? { heard: [...heard] } : {}) });
  }

  /** Asks the person on the line through the shared pending decision; a call that ends meanwhile stops the player. */
  protected decide(call: CallSession, block: BlockName, prompt: CallerPrompt): Promise<CallerAction> {
    return askCaller(call, block, prompt);
  }

  protected speakMs(parts: readonly HeardPart[]): number {
    return parts.some((p) => p.type !== 'pause') ? this.host.speakMs : 0;
  }

  /** A message the caller listens to (or hangs up during); true when they hung up. */
  protected async hear(call: CallSession, block: 'play' | 'monitor', heard: readonly HeardPart[], signal: AbortSignal): Promise<boolean> {
    this.block(call, block, {}, heard);
    const msg = promptText(heard);
    const choice = await this.decide(call, block, { block, ...(msg !== '' ? { msg } : {}) });
    if (choice.type === 'hangup') return true;
    await this.host.sleep(this.speakMs(heard), signal);
    return false;
  }

  /** Silence then a redirect: the app holding the caller while it works, shown as held and unheld rather than as a message. */
  protected async hold(call: CallSession, silence: readonly HeardPart[], signal: AbortSignal): Promise<void> {
    call.add({ kind: 'call', event: 'held' });
    await this.host.sleep(this.speakMs(silence), signal);
    call.add({ kind: 'call', event: 'unheld' });
  }

  /** After the caller's choice at a transfer: the message before it is heard, then an answered callee talks for the seconds chosen. */
  protected async bridge(call: CallSession, choice: CallerAction, before: readonly HeardPart[], signal: AbortSignal): Promise<Bridged> {
    const outcome: DialOutcome = choice.type === 'outcome' ? choice.outcome : 'answered';
    await this.host.sleep(this.speakMs(before), signal);
    let seconds = 0;
    if (outcome === 'answered') {
      seconds = choice.type === 'outcome' ? (choice.seconds ?? 0) : 0;
      await this.host.sleep(seconds * this.host.secondMs, signal);
      call.simulatedSeconds += seconds;
    }
    return { outcome, seconds };
  }

  /** The app hangs up (or rejects the call) after what was said before. */
  protected async hangUp(call: CallSession, heard: readonly HeardPart[], end: 'script-hangup' | 'rejected', signal: AbortSignal): Promise<Ending> {
    this.block(call, 'hangup', {}, heard);
    await this.host.sleep(this.speakMs(heard), signal);
    return { end };
  }
}

/** Whether the call has ended (read afresh: an await may have ended it). */
export function over(call: CallSession): boolean {
  return call.state === 'ended';
}
