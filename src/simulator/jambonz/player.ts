/**
 * One call on jambonz, from the feature server's side: it runs the verb array
 * the app answered, in order, as ../shared/providers.md §3.2 describes the
 * feature server doing. `say`, `play` and `pause` are heard; `gather` asks the
 * caller and always reports to its actionHook (`dtmfDetected` with the digits,
 * or `timeout`); `dial` reports `dial_call_status`; `listen` streams the
 * caller's audio to the app's WebSocket (listen.ts) and then calls its
 * actionHook; `redirect` asks its hook for a new application; `hangup` and
 * the end of the application end the call. An actionHook's non-empty answer
 * replaces the verbs left; an empty one lets them go on. Each verb that asks
 * the person on the line goes through the shared network's CallSession, so
 * transcripts read as on every other provider; what a player does on the
 * line around its verbs is ../call-player.ts.
 */
import { calleeAnswers } from '../ask-caller.js';
import { CallPlayer, over, type CallPlayerHost, type Ending } from '../call-player.js';
import type { CallSession } from '../session.js';
import { promptText } from '../prompt-text.js';
import type { CallerPrompt, DialOutcome, HeardPart } from '../types.js';
import { heardOf, heardOfPlay, heardOfSay } from './heard.js';
import type { DialVerb, GatherVerb, Hook, JambonzVerb, ListenVerb } from './verbs.js';

/** What the player needs of its simulator. */
export interface JambonzPlayerHost extends CallPlayerHost {
  /** Requests a hook with the call's information and `results`; the verbs answered (validated), or why there are none. */
  hook(call: CallSession, hook: Hook, results: Readonly<Record<string, unknown>>): Promise<{ readonly verbs: readonly JambonzVerb[] } | { readonly error: string }>;
  /** Streams `seconds` of the caller's audio to a listen verb's WebSocket. */
  stream(call: CallSession, verb: ListenVerb, seconds: number, signal: AbortSignal): Promise<{ readonly error?: string }>;
}

/** `dial_call_status` for each outcome of a dial (jambonz's call statuses). */
export const DIAL_CALL_STATUS: Readonly<Record<DialOutcome, string>> = { answered: 'completed', busy: 'busy', unanswered: 'no-answer', failed: 'failed' };
/** The SIP status jambonz reports beside it. */
const DIAL_SIP_STATUS: Readonly<Record<DialOutcome, number>> = { answered: 200, busy: 486, unanswered: 487, failed: 503 };

const DEFAULT_RECORD_SECONDS = 3;
/** A listen without maxLength runs until the caller is done; its recording is capped here. */
const LISTEN_CAP_SECONDS = 3600;
/** Stops a call whose hooks never end (a redirect loop). */
const MAX_REQUESTS = 500;

/** What to do next: request a hook, or end the call. */
type Step = { readonly hook: Hook; readonly results: Readonly<Record<string, unknown>> } | Ending;

interface PlayState {
  /** Aborted when the call ends, whoever ends it: every wait of the player stops then. */
  readonly signal: AbortSignal;
  /** The gather the caller chose to stay silent through, across the app's repeats of it. */
  silentAt?: string;
  /** The last dial and how it went, until the app's answer to its actionHook has run. */
  transfer?: DialOutcome;
  requests: number;
}

export class JambonzPlayer extends CallPlayer<JambonzPlayerHost> {
  /** Plays the call from its first hook (the call hook) to its end; never throws. */
  play(call: CallSession, first: Hook, results: Readonly<Record<string, unknown>> = {}): Promise<void> {
    return this.runCall(call, async (signal) => {
      const state: PlayState = { requests: 0, signal };
      let application: JambonzVerb[] = [];
      let next: Step = { hook: first, results };
      while ('hook' in next) {
        if (over(call)) return undefined;
        if (state.requests++ >= MAX_REQUESTS) {
          next = { end: 'application-error', detail: `more than ${MAX_REQUESTS} hooks` };
          break;
        }
        const answer = await this.host.hook(call, next.hook, next.results);
        if (over(call)) return undefined;
        if ('error' in answer) {
          next = { end: 'application-error', detail: answer.error };
          break;
        }
        if (state.requests === 1) {
          // The call hook must give the call something to run: jambonz rejects it otherwise (SIP 480).
          if (answer.verbs.length === 0) {
            next = { end: 'application-error', detail: `the call hook ${next.hook.url} answered no verbs` };
            break;
          }
          if (answer.verbs[0]?.verb !== 'sip:decline') this.host.answer(call);
        }
        // A non-empty answer replaces what was left of the application; an empty one lets it go on.
        if (answer.verbs.length > 0) application = [...answer.verbs];
        const transfer = state.transfer;
        state.transfer = undefined;
        next = await this.run(call, application, state, transfer);
      }
      return next;
    });
  }

  /** Runs verbs off the front of `application` until one requests a hook or the call ends. */
  private async run(call: CallSession, application: JambonzVerb[], state: PlayState, transfer: DialOutcome | undefined): Promise<Step> {
    let heard: HeardPart[] = [];
    let turned = false;
    for (let verb = application.shift(); verb !== undefined; verb = application.shift()) {
      switch (verb.verb) {
        case 'say':
        case 'play':
        case 'pause':
          heard.push(...heardOf(verb));
          break;
        case 'config':
          break;
        case 'gather': {
          const step = await this.gather(call, verb, heard, state);
          heard = [];
          turned = true;
          if (step === 'next-verb') break;
          return step;
        }
        case 'listen': {
          state.silentAt = undefined;
          const step = await this.listen(call, verb, heard, state.signal);
          heard = [];
          turned = true;
          if (step === 'next-verb') break;
          return step;
        }
        case 'dial': {
          state.silentAt = undefined;
          const step = await this.dial(call, verb, heard, state);
          heard = [];
          turned = true;
          if (step === 'next-verb') break;
          return step;
        }
        case 'redirect': {
          const onlyPauses = heard.length > 0 && heard.every((p) => p.type === 'pause');
          if (!turned && onlyPauses) {
            await this.hold(call, heard, state.signal);
          } else if (heard.length > 0) {
            state.silentAt = undefined;
            if (await this.hear(call, 'play', heard, state.signal)) return { end: 'caller-hangup' };
          }
          return { hook: verb.actionHook, results: {} };
        }
        case 'hangup':
        case 'sip:decline': {
          // The answer to a dial's actionHook: the dial ended the call, nothing more is heard.
          if (!turned && heard.length === 0 && transfer !== undefined) {
            return transfer === 'answered' ? { end: 'transfer-answered', transferStatus: 'answered' } : { end: 'transfer-failed', transferStatus: transfer };
          }
          return this.hangUp(call, heard, verb.verb === 'sip:decline' ? 'rejected' : 'script-hangup', state.signal);
        }
        case 'other':
          return { end: 'application-error', detail: `the simulated feature server does not run the ${verb.name} verb` };
      }
    }
    // The application ran out: jambonz hangs up after what it said.
    if (heard.length > 0 && (await this.hear(call, 'play', heard, state.signal))) return { end: 'caller-hangup' };
    return { end: 'played-without-notify-url' };
  }

  private async gather(call: CallSession, verb: GatherVerb, before: readonly HeardPart[], state: PlayState): Promise<Step | 'next-verb'> {
    const prompt = [...before, ...(verb.say !== undefined ? heardOfSay(verb.say) : []), ...(verb.play !== undefined ? heardOfPlay(verb.play) : [])];
    const report = (results: Readonly<Record<string, unknown>>): Step | 'next-verb' => (verb.actionHook !== undefined ? { hook: verb.actionHook, results } : 'next-verb');
    const timedOut = { reason: 'timeout' };
    // The same question asked again (the app repeating a gather that timed out): the caller who chose silence stays silent.
    const key = `${verb.actionHook?.url.split('?')[0] ?? ''}|${promptText(prompt)}`;
    if (state.silentAt === key) {
      await this.host.sleep(this.speakMs(prompt) + this.host.inputTimeoutMs, state.signal);
      return report(timedOut);
    }
    state.silentAt = undefined;
    const params: Record<string, string> = { timeout: String(verb.timeout) };
    if (verb.numDigits !== undefined) params.max_digits = String(verb.numDigits);
    this.block(call, 'gather', params, prompt);
    const msg = promptText(prompt);
    const asked: CallerPrompt = { block: 'gather', ...(msg !== '' ? { msg } : {}), maxDigits: verb.numDigits ?? 0, attempts: 1, timeout: verb.timeout };
    const choice = await this.decide(call, 'gather', asked);
    if (choice.type === 'hangup') return { end: 'caller-hangup' };
    if (choice.type === 'press' && choice.digits !== '') {
      const finish = verb.finishOnKey ?? '';
      let digits = '';
      let finished = false;
      for (const key of choice.digits) {
        if (finish !== '' && finish.includes(key)) {
          finished = true;
          break;
        }
        digits += key;
        if (verb.numDigits !== undefined && digits.length >= verb.numDigits) break;
      }
      await this.host.sleep(this.speakMs(prompt), state.signal);
      if (digits === '') state.silentAt = key;
      // A lone finishOnKey is reported as dtmfDetected with no digits (the key itself is left out).
      if (digits !== '' || finished) return report({ digits, reason: 'dtmfDetected' });
      return report(timedOut);
    }
    await this.host.sleep(this.speakMs(prompt) + this.host.inputTimeoutMs, state.signal);
    state.silentAt = key;
    return report(timedOut);
  }

  private async listen(call: CallSession, verb: ListenVerb, before: readonly HeardPart[], signal: AbortSignal): Promise<Step | 'next-verb'> {
    const maxLength = verb.maxLength ?? LISTEN_CAP_SECONDS;
    this.block(call, 'record', verb.maxLength !== undefined ? { max_duration: String(verb.maxLength) } : {}, before);
    const msg = promptText(before);
    const choice = await this.decide(call, 'record', { block: 'record', ...(msg !== '' ? { msg } : {}), maxDuration: maxLength });
    if (choice.type === 'hangup') return { end: 'caller-hangup' };
    const wanted = choice.type === 'record' ? (choice.seconds ?? DEFAULT_RECORD_SECONDS) : DEFAULT_RECORD_SECONDS;
    const seconds = Math.min(wanted, maxLength);
    await this.host.sleep(this.speakMs(before), signal);
    const streamed = await this.host.stream(call, verb, seconds, signal);
    if (streamed.error !== undefined) return { end: 'application-error', detail: streamed.error };
    call.simulatedSeconds += seconds;
    // A caller done before the maximum presses the finishOnKey; otherwise the maximum ends the listen.
    const byKey = seconds < maxLength && verb.finishOnKey !== undefined && verb.finishOnKey !== '';
    if (!byKey && seconds < maxLength) await this.host.sleep((maxLength - seconds) * this.host.secondMs, signal);
    const results = { ...(byKey ? { digits: verb.finishOnKey } : {}), dial_call_duration: byKey ? seconds : maxLength };
    return verb.actionHook !== undefined ? { hook: verb.actionHook, results } : 'next-verb';
  }

  private async dial(call: CallSession, verb: DialVerb, before: readonly HeardPart[], state: PlayState): Promise<Step | 'next-verb'> {
    this.block(call, 'transfer', { dest: verb.dest, ...(verb.callerId !== undefined ? { caller_id: verb.callerId } : {}) }, before);
    const msg = promptText(before);
    const choice = await this.decide(call, 'transfer', { block: 'transfer', dest: verb.dest, ...(msg !== '' ? { msg } : {}) });
    if (choice.type === 'hangup') return { end: 'caller-hangup' };
    const { outcome, seconds } = await this.bridge(call, choice, before, state.signal);
    if (verb.actionHook === undefined) return outcome === 'answered' ? { end: 'transfer-answered', transferStatus: 'answered' } : 'next-verb';
    state.transfer = outcome;
    return {
      hook: verb.actionHook,
      results: {
        dial_call_status: DIAL_CALL_STATUS[outcome],
        dial_sip_status: DIAL_SIP_STATUS[outcome],
        dial_call_sid: `${call.session}-leg`,
        duration: seconds,
      },
    };
  }
}

/** An outbound call placed over REST: the callee decides, then the call plays from its call hook or ends unanswered. */
export async function ringOutbound(player: JambonzPlayer, host: JambonzPlayerHost, call: CallSession, hook: Hook): Promise<void> {
  if (await calleeAnswers(call, host)) await player.play(call, hook);
}
