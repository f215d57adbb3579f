/**
 * One call on a TwiML provider, from the provider's side: it requests a URL
 * (signed), reads the reply with the simulator's own XML reader, and runs its
 * verbs as the provider documents them (../shared/providers.md §3.1): text is
 * heard, `<Gather>` asks the caller (an empty attempt falls through to the next
 * verb, or is reported where `actionOnEmptyResult="true"` is honoured),
 * `<Record>`, `<Dial>` and `<Redirect>` request their URLs with the provider's
 * fields, `<Hangup>` and the end of the document end the call. Each verb that
 * asks the person on the line goes through the shared network's CallSession
 * (the same pending decision every dialect uses), so transcripts read alike;
 * what a player does on the line around its verbs is ../call-player.ts.
 */
import { calleeAnswers } from '../ask-caller.js';
import { CallPlayer, over, type CallPlayerHost, type Ending } from '../call-player.js';
import type { CallSession } from '../session.js';
import type { BlockName, CallerAction, CallerPrompt, DialOutcome, HeardPart } from '../types.js';
import { readAnswer, resolveUrl, type WebhookAnswer } from './app-errors.js';
import { promptText } from '../prompt-text.js';
import { heardInside, heardOf } from './heard.js';
import { textOf, type TwimlElement } from './xml.js';

/** What the player needs of its simulator. */
export interface PlayerHost extends CallPlayerHost {
  readonly actionOnEmptyResult: boolean;
  /** Requests a URL for the call, signed (POST: the fields as a form; GET: in the query); what the app answered, or why nothing came. */
  webhook(call: CallSession, url: string, fields: Record<string, string>, method: 'GET' | 'POST'): Promise<WebhookAnswer>;
  /** The number's fallback URL: requested once when the app's answer cannot be run, with ErrorCode and ErrorUrl. */
  fallbackUrl(call: CallSession): string | undefined;
  /** What the caller hears when the provider gives up on the app. */
  readonly applicationErrorMessage: string;
  /** Monitor recordings started over REST for the call so far. */
  recordingsStarted(call: CallSession): number;
  /** A recording of `seconds` for the call: its URL and SID. */
  recording(call: CallSession, seconds: number): { readonly url: string; readonly sid: string };
}

/** Where a reply leads: the next request, or the end of the call. */
type Step = { readonly url: string; readonly fields: Record<string, string>; readonly method?: 'GET' | 'POST' } | Ending;

/** DialCallStatus for each outcome of a transfer (Twilio's call statuses). */
export const DIAL_CALL_STATUS: Readonly<Record<DialOutcome, string>> = { answered: 'completed', busy: 'busy', unanswered: 'no-answer', failed: 'failed' };

const DEFAULT_RECORD_SECONDS = 3;
/** Stops a call whose replies never end. */
const MAX_REQUESTS = 500;
/** Requests in a row with nothing asked of the caller: a `<Redirect>` loop (the provider would bill it forever). */
const MAX_QUIET_REQUESTS = 100;

interface CallState {
  /** Aborted when the call ends, whoever ends it: every wait of the player stops then. */
  readonly signal: AbortSignal;
  /** The `<Gather>` the caller chose to stay silent through, across its repeated attempts. */
  silentAt?: string;
  /** The last transfer and how it went, until the next reply is read. */
  transfer?: DialOutcome;
  requests: number;
  /** Requests since the caller was last asked anything. */
  quiet: number;
  /** The URL of the document being run: relative URLs and verbs without an action resolve against it. */
  documentUrl: string;
  /** The fallback URL has been tried (once per call). */
  fellBack: boolean;
}

export class TwimlPlayer extends CallPlayer<PlayerHost> {
  /** Plays the call from its first request to its end; never throws. */
  play(call: CallSession, first: { readonly url: string; readonly fields: Record<string, string>; readonly method?: 'GET' | 'POST' }): Promise<void> {
    return this.runCall(call, async (signal) => {
      const state: CallState = { requests: 0, quiet: 0, signal, documentUrl: first.url, fellBack: false };
      let next: Step = first;
      while ('url' in next) {
        if (call.state === 'ended') return undefined;
        if (state.requests++ >= MAX_REQUESTS) {
          next = { end: 'application-error', detail: `more than ${MAX_REQUESTS} requests` };
          break;
        }
        if (state.quiet++ >= MAX_QUIET_REQUESTS) {
          next = { end: 'application-error', detail: `a <Redirect> loop: ${MAX_QUIET_REQUESTS} requests in a row without the caller hearing or being asked anything` };
          break;
        }
        const request: { readonly url: string; readonly fields: Record<string, string>; readonly method?: 'GET' | 'POST' } = next;
        const before = this.host.recordingsStarted(call);
        const answer = await this.host.webhook(call, request.url, request.fields, request.method ?? 'POST');
        if (over(call)) return undefined;
        const read = readAnswer(answer, request.url);
        if ('error' in read) {
          const fallback = this.host.fallbackUrl(call);
          if (fallback !== undefined && !state.fellBack) {
            state.fellBack = true;
            call.add({ kind: 'call', event: 'agent-error', detail: `${read.error.code} ${read.error.message}; requesting the fallback URL ${fallback}` });
            next = { url: fallback, fields: { ...request.fields, ErrorCode: read.error.code, ErrorUrl: request.url } };
            continue;
          }
          // The provider apologises to the caller and hangs up.
          const sorry = [{ type: 'say' as const, text: this.host.applicationErrorMessage }];
          this.block(call, 'hangup', {}, sorry);
          await this.host.sleep(this.speakMs(sorry), state.signal);
          next = { end: 'application-error', detail: `${read.error.code} ${read.error.message}` };
          break;
        }
        state.documentUrl = request.url;
        if ('audio' in read) {
          // A URL that answers with audio is played, then the call ends as a document without more verbs does.
          const heard = [{ type: 'play' as const, url: read.audio }];
          this.host.answer(call);
          const hungUp = await this.listen(call, 'play', heard, state);
          next = hungUp ? { end: 'caller-hangup' } : { end: 'played-without-notify-url' };
          break;
        }
        const transfer = state.transfer;
        state.transfer = undefined;
        next = await this.run(call, read.twiml, state, this.host.recordingsStarted(call) > before, transfer);
      }
      return next;
    });
  }

  /** Runs one reply's verbs in order. */
  private async run(call: CallSession, reply: TwimlElement, state: CallState, monitorStarted: boolean, transfer: DialOutcome | undefined): Promise<Step> {
    const verbs = reply.children.filter((c): c is TwimlElement => typeof c !== 'string');
    if (verbs.length > 0 && verbs[0]?.name !== 'Reject') this.host.answer(call);
    let heard: HeardPart[] = [];
    let turned = false;
    for (const verb of verbs) {
      switch (verb.name) {
        case 'Say':
        case 'Play':
        case 'Pause': {
          const part = heardOf(verb);
          if (part === undefined) break;
          const loop = verb.name === 'Pause' ? 1 : Number(verb.attributes.loop ?? '1');
          if (loop === 0) {
            // loop="0": said again and again until the call ends, so the caller is the one to hang up.
            heard.push(part);
            await this.listen(call, 'play', heard, state);
            return { end: 'caller-hangup' };
          }
          for (let i = 0; i < (Number.isInteger(loop) && loop > 0 ? Math.min(loop, 1000) : 1); i++) heard.push(part);
          break;
        }
        case 'Gather': {
          const step = await this.gather(call, verb, heard, state);
          heard = [];
          if (step === 'fall-through') break;
          return step;
        }
        case 'Record': {
          state.silentAt = undefined;
          return this.record(call, verb, heard, state);
        }
        case 'Dial': {
          state.silentAt = undefined;
          const step = await this.dial(call, verb, heard, state);
          heard = [];
          turned = true;
          if (step === 'fall-through') break;
          return step;
        }
        case 'Redirect': {
          const onlyPauses = heard.length > 0 && heard.every((p) => p.type === 'pause');
          if (!turned && onlyPauses && !monitorStarted) {
            await this.hold(call, heard, state.signal);
          } else if (!turned && (heard.length > 0 || monitorStarted)) {
            state.silentAt = undefined;
            const hungUp = await this.listen(call, monitorStarted ? 'monitor' : 'play', heard, state);
            if (hungUp) return { end: 'caller-hangup' };
          }
          return { url: resolveUrl(textOf(verb), state.documentUrl), fields: { CallStatus: 'in-progress' }, method: methodOf(verb) };
        }
        case 'Hangup':
        case 'Reject': {
          // The reply to a transfer's action: the transfer ended the call, nothing more is heard.
          if (!turned && heard.length === 0 && transfer !== undefined) {
            return transfer === 'answered' ? { end: 'transfer-answered', transferStatus: 'answered' } : { end: 'transfer-failed', transferStatus: transfer };
          }
          return this.hangUp(call, heard, verb.name === 'Reject' ? 'rejected' : 'script-hangup', state.signal);
        }
        default:
          return { end: 'application-error', detail: `the simulated provider has no <${verb.name}>` };
      }
    }
    // The document ran out: the provider hangs up after what it said.
    if (!turned && heard.length > 0) {
      const hungUp = await this.listen(call, 'play', heard, state);
      if (hungUp) return { end: 'caller-hangup' };
    }
    return { end: 'played-without-notify-url' };
  }

  private async gather(call: CallSession, verb: TwimlElement, before: readonly HeardPart[], state: CallState): Promise<Step | 'fall-through'> {
    // No action: the provider requests the document's own URL again.
    const action = resolveUrl(verb.attributes.action, state.documentUrl);
    const method = methodOf(verb);
    const prompt = [...before, ...heardInside(verb)];
    const numDigits = Number(verb.attributes.numDigits ?? '0');
    const timeout = Number(verb.attributes.timeout ?? '5');
    // The same question asked again (a retry of the same gather): the caller who chose silence stays silent.
    const key = `${action.split('?')[0] ?? action}|${promptText(prompt)}`;
    const emptyResult = (): Step | 'fall-through' =>
      this.host.actionOnEmptyResult && verb.attributes.actionOnEmptyResult === 'true' ? { url: action, fields: { Digits: '', CallStatus: 'in-progress' }, method } : 'fall-through';
    if (state.silentAt === key) {
      await this.host.sleep(this.speakMs(prompt) + this.host.inputTimeoutMs, state.signal);
      return emptyResult();
    }
    state.silentAt = undefined;
    const params: Record<string, string> = {};
    if (verb.attributes.numDigits !== undefined) params.max_digits = verb.attributes.numDigits;
    if (verb.attributes.timeout !== undefined) params.timeout = verb.attributes.timeout;
    this.block(call, 'gather', params, prompt);
    const msg = promptText(prompt);
    const asked: CallerPrompt = { block: 'gather', ...(msg !== '' ? { msg } : {}), maxDigits: Number.isFinite(numDigits) ? numDigits : 0, attempts: 1, timeout };
    const choice = await this.ask(call, 'gather', asked, state);
    if (choice.type === 'hangup') return { end: 'caller-hangup' };
    if (choice.type === 'press') {
      const finish = verb.attributes.finishOnKey ?? '#';
      let digits = '';
      for (const key of choice.digits) {
        if (finish !== '' && finish.includes(key)) break;
        digits += key;
        if (numDigits > 0 && digits.length >= numDigits) break;
      }
      await this.host.sleep(this.speakMs(prompt), state.signal);
      if (digits !== '') return { url: action, fields: { Digits: digits, CallStatus: 'in-progress' }, method };
    } else {
      await this.host.sleep(this.speakMs(prompt) + this.host.inputTimeoutMs, state.signal);
    }
    state.silentAt = key;
    return emptyResult();
  }

  private async record(call: CallSession, verb: TwimlElement, before: readonly HeardPart[], state: CallState): Promise<Step> {
    const signal = state.signal;
    const maxLength = Number(verb.attributes.maxLength ?? '3600');
    this.block(call, 'record', { max_duration: String(maxLength) }, before);
    const msg = promptText(before);
    const choice = await this.ask(call, 'record', { block: 'record', ...(msg !== '' ? { msg } : {}), maxDuration: maxLength }, state);
    if (choice.type === 'hangup') return { end: 'caller-hangup' };
    const wanted = choice.type === 'record' ? (choice.seconds ?? DEFAULT_RECORD_SECONDS) : DEFAULT_RECORD_SECONDS;
    const seconds = Math.min(wanted, maxLength);
    await this.host.sleep(this.speakMs(before) + seconds * this.host.secondMs, signal);
    call.simulatedSeconds += seconds;
    const recording = this.host.recording(call, seconds);
    return {
      // No action: the provider requests the document's own URL again.
      url: resolveUrl(verb.attributes.action, state.documentUrl),
      fields: { RecordingUrl: recording.url, RecordingSid: recording.sid, RecordingDuration: String(seconds), Digits: 'hangup', CallStatus: 'in-progress' },
      method: methodOf(verb),
    };
  }

  private async dial(call: CallSession, verb: TwimlElement, before: readonly HeardPart[], state: CallState): Promise<Step | 'fall-through'> {
    const number = verb.children.find((c): c is TwimlElement => typeof c !== 'string' && c.name === 'Number');
    const dest = number !== undefined ? textOf(number).trim() : '';
    const callerId = verb.attributes.callerId;
    this.block(call, 'transfer', { dest, ...(callerId !== undefined ? { caller_id: callerId } : {}) }, before);
    const msg = promptText(before);
    const choice = await this.ask(call, 'transfer', { block: 'transfer', dest, ...(msg !== '' ? { msg } : {}) }, state);
    if (choice.type === 'hangup') return { end: 'caller-hangup' };
    const { outcome, seconds } = await this.bridge(call, choice, before, state.signal);
    const action = verb.attributes.action;
    if (action === undefined) return outcome === 'answered' ? { end: 'transfer-answered', transferStatus: 'answered' } : 'fall-through';
    state.transfer = outcome;
    return {
      url: resolveUrl(action, state.documentUrl),
      fields: { DialCallStatus: DIAL_CALL_STATUS[outcome], DialCallSid: `${call.session}-leg`, DialCallDuration: String(seconds), CallStatus: 'in-progress' },
      method: methodOf(verb),
    };
  }

  /** A message the caller listens to (or hangs up during); true when they hung up. */
  private listen(call: CallSession, block: 'play' | 'monitor', heard: readonly HeardPart[], state: CallState): Promise<boolean> {
    state.quiet = 0;
    return this.hear(call, block, heard, state.signal);
  }

  /** Asks the person on the line; asking is what a `<Redirect>` loop never does, so the count of quiet requests starts again. */
  private ask(call: CallSession, block: BlockName, prompt: CallerPrompt, state: CallState): Promise<CallerAction> {
    state.quiet = 0;
    return this.decide(call, block, prompt);
  }
}

/** The verb's `method` attribute: GET where it says so, else POST (the default on all three). */
function methodOf(verb: TwimlElement): 'GET' | 'POST' {
  return (verb.attributes.method ?? '').toUpperCase() === 'GET' ? 'GET' : 'POST';
}

/** An outbound call placed over REST: the callee decides, then the call plays from `url` or ends unanswered. */
export async function ringOutbound(player: TwimlPlayer, host: PlayerHost, call: CallSession, url: string): Promise<void> {
  if (await calleeAnswers(call, host)) await player.play(call, { url, fields: { CallStatus: 'in-progress' } });
}
