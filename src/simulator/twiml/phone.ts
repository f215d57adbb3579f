/**
 * A simulated phone call on a TwiML provider: the provider's side of the
 * webhook conversation. It requests the voice URL (signed as the provider
 * signs), reads each reply with its own XML reader, and runs the verbs the way
 * the providers document them (../shared/providers.md §3): text is heard,
 * `<Gather>` takes the caller's keys (an empty attempt falls through, or is
 * reported where `actionOnEmptyResult="true"`), `<Record>`, `<Dial>` and
 * `<Redirect>` request their URLs with the provider's fields, `<Hangup>` and
 * the end of a reply end the call, which the status callback then reports. It
 * talks HTTP only and imports nothing of the engine, runtime or adapters.
 */
import type { TwimlSigner } from './sign.js';
import { parseTwimlReply, textOf, TwimlParseError, type TwimlElement } from './xml.js';

export type DialOutcome = 'answered' | 'busy' | 'unanswered' | 'failed';

/** What the person on the line does, in order (like the Hoiio simulator's scripted caller). */
export interface TwimlCallerScript {
  /** One entry per gather, in order; '' = nothing pressed in any attempt. When they run out, the caller hangs up at the next gather. */
  readonly presses?: readonly string[];
  /** One outcome per transfer, in order; default `answered`. */
  readonly transfers?: readonly DialOutcome[];
  /** An outbound call: how the callee answers; default `answered`. */
  readonly dial?: DialOutcome;
  /** Hang up during this turn (0 = the first). */
  readonly hangupAfter?: number;
  /** Seconds spoken at a recording; default 3. */
  readonly recordSeconds?: number;
}

export type TurnBlock = 'dial' | 'play' | 'monitor' | 'gather' | 'record' | 'transfer' | 'hangup';

export type TurnAction =
  | { readonly press: string }
  | { readonly noInput: true }
  | { readonly outcome: DialOutcome }
  | { readonly record: number }
  | { readonly hangup: true };

/** One block as the caller met it. */
export interface Turn {
  readonly block: TurnBlock;
  /** What was heard: texts joined by spaces, audio as `[audio URL]`, pauses as `[pause Ns]`. */
  readonly message: string;
  /** Transfer: the number dialled and the caller id shown. */
  readonly to?: string;
  readonly callerId?: string;
  readonly caller?: TurnAction;
}

export type EndReason = 'script-hangup' | 'caller-hangup' | 'transfer-answered' | 'not-answered' | 'no-more-instructions' | 'forced-hangup' | 'error';

export interface TwimlCallResult {
  readonly turns: readonly Turn[];
  readonly end: EndReason;
  /** Why the call failed (`error`): an HTTP status, a reply that does not parse. */
  readonly detail?: string;
  /** Requests the provider made, the status callback included. */
  readonly requests: number;
}

export interface TwimlPhoneOptions {
  /** Where requests go: the server's listening URL. */
  readonly target: string;
  /** The public URL the server writes in replies; each URL under it is requested at `target` instead. */
  readonly publicUrl: string;
  readonly signer: TwimlSigner;
  /** The number's status callback (absolute, under the public URL). */
  readonly statusUrl: string;
  readonly accountSid: string;
  /** Call recordings started over REST for a call so far (a `monitor`): the REST stand-in knows. */
  readonly recordingsStarted?: (callSid: string) => number;
  /** Whether the call was ended over REST (a forced hangup). */
  readonly forcedHangup?: (callSid: string) => boolean;
  /** Where a recording of `seconds` is published. */
  readonly recordingUrl?: (callSid: string, n: number) => string;
  /** Stops a call whose replies never end (a loop): at most this many requests. */
  readonly maxRequests?: number;
}

export interface TwimlCall {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound' | 'outbound-api';
  /** The first URL requested: the voice URL, or an outbound call's `Url`. */
  readonly url: string;
}

const DIAL_STATUS: Readonly<Record<DialOutcome, string>> = { answered: 'completed', busy: 'busy', unanswered: 'no-answer', failed: 'failed' };

type Step = { readonly url: string; readonly fields: Readonly<Record<string, string>> } | { readonly end: EndReason; readonly detail?: string };

/** Plays one call through to its end and reports what the caller met. */
export async function playTwimlCall(o: TwimlPhoneOptions, call: TwimlCall, script: TwimlCallerScript = {}): Promise<TwimlCallResult> {
  const turns: Turn[] = [];
  let requests = 0;
  let presses = 0;
  let transfers = 0;
  let recordings = 0;
  /** The gather (its action URL's path) the caller is silent through, across its attempts. */
  let silentAt: string | undefined;
  const base = { CallSid: call.sid, AccountSid: o.accountSid, From: call.from, To: call.to, Direction: call.direction, ApiVersion: '2010-04-01' };

  const post = async (url: string, fields: Readonly<Record<string, string>>): Promise<{ status: number; text: string }> => {
    if (!url.startsWith(o.publicUrl)) throw new TwimlParseError(`${url} is not under the public URL ${o.publicUrl}`);
    requests += 1;
    const entries = Object.entries({ ...base, ...fields });
    const body = new URLSearchParams(entries).toString();
    const res = await fetch(o.target + url.slice(o.publicUrl.length), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...o.signer(url, body, entries) },
      body,
    });
    return { status: res.status, text: await res.text() };
  };

  const finish = async (end: EndReason, detail?: string): Promise<TwimlCallResult> => {
    const status = end === 'not-answered' ? DIAL_STATUS[script.dial ?? 'unanswered'] : 'completed';
    await post(o.statusUrl, { CallStatus: status }).catch(() => undefined);
    return { turns, end, ...(detail !== undefined ? { detail } : {}), requests };
  };

  const hangsUpNow = (): boolean => script.hangupAfter !== undefined && turns.length >= script.hangupAfter;

  if (call.direction === 'outbound-api') {
    const outcome = script.dial ?? 'answered';
    turns.push({ block: 'dial', message: '', to: call.to, caller: { outcome } });
    if (outcome !== 'answered') return finish('not-answered');
  }

  /** Runs one reply's verbs; what to request next, or how the call ended. */
  const run = (reply: TwimlElement, monitorStarted: boolean): Step => {
    const heard: string[] = [];
    let turned = false;
    const turn = (t: Turn): void => {
      turns.push(t);
      turned = true;
    };
    for (const verb of reply.children) {
      if (typeof verb === 'string') continue;
      switch (verb.name) {
        case 'Say':
        case 'Play':
        case 'Pause':
          heard.push(spoken(verb));
          break;
        case 'Gather': {
          const action = verb.attributes.action ?? '';
          const key = action.split('?')[0] ?? action;
          const prompt = verb.children.flatMap((c) => (typeof c === 'string' ? [] : [spoken(c)])).join(' ');
          if (silentAt !== key) {
            silentAt = undefined;
            if (hangsUpNow() || presses >= (script.presses?.length ?? 0)) {
              turn({ block: 'gather', message: prompt, caller: { hangup: true } });
              return { end: 'caller-hangup' };
            }
            const digits = script.presses?.[presses++] ?? '';
            turn({ block: 'gather', message: prompt, caller: digits === '' ? { noInput: true } : { press: digits } });
            if (digits !== '') return { url: action, fields: { Digits: digits.replace(/#$/, ''), CallStatus: 'in-progress' } };
            silentAt = key;
          }
          // Nothing pressed in this attempt: reported where the reply asks for it, else on to the next verb.
          if (verb.attributes.actionOnEmptyResult === 'true') return { url: action, fields: { Digits: '', CallStatus: 'in-progress' } };
          break;
        }
        case 'Record': {
          silentAt = undefined;
          if (hangsUpNow()) {
            turn({ block: 'record', message: heard.join(' '), caller: { hangup: true } });
            return { end: 'caller-hangup' };
          }
          const seconds = Math.min(script.recordSeconds ?? 3, Number(verb.attributes.maxLength ?? '3600'));
          turn({ block: 'record', message: heard.join(' '), caller: { record: seconds } });
          recordings += 1;
          const url = o.recordingUrl?.(call.sid, recordings) ?? `${o.target}/recordings/${encodeURIComponent(call.sid)}-${recordings}.mp3`;
          return { url: verb.attributes.action ?? '', fields: { RecordingUrl: url, RecordingDuration: String(seconds), Digits: 'hangup', CallStatus: 'in-progress' } };
        }
        case 'Dial': {
          silentAt = undefined;
          const number = verb.children.find((c): c is TwimlElement => typeof c !== 'string' && c.name === 'Number');
          const outcome = script.transfers?.[transfers++] ?? 'answered';
          const callerId = verb.attributes.callerId;
          turn({ block: 'transfer', message: heard.join(' '), to: number !== undefined ? textOf(number) : '', ...(callerId !== undefined ? { callerId } : {}), caller: { outcome } });
          const action = verb.attributes.action;
          const fields = { DialCallStatus: DIAL_STATUS[outcome], DialCallSid: `${call.sid}-leg${transfers}`, DialCallDuration: outcome === 'answered' ? '1' : '0', CallStatus: 'in-progress' };
          if (action !== undefined) return { url: action, fields };
          if (outcome === 'answered') return { end: 'transfer-answered' };
          break;
        }
        case 'Redirect': {
          const isHold = heard.every((h) => h.startsWith('[pause ')) && !turned && heard.length > 0 && !monitorStarted;
          if (!turned && !isHold) {
            silentAt = undefined;
            const block = monitorStarted ? 'monitor' : 'play';
            if (hangsUpNow()) {
              turn({ block, message: heard.join(' '), caller: { hangup: true } });
              return { end: 'caller-hangup' };
            }
            turn({ block, message: heard.join(' ') });
          }
          return { url: textOf(verb).trim(), fields: { CallStatus: 'in-progress' } };
        }
        case 'Hangup':
        case 'Reject': {
          // The reply after a transfer that connected and finished: the call ends there, nothing more is heard.
          const last = turns.at(-1);
          if (!turned && heard.length === 0 && last?.block === 'transfer' && last.caller !== undefined && 'outcome' in last.caller && last.caller.outcome === 'answered') {
            return { end: 'transfer-answered' };
          }
          if (!turned) turn({ block: 'hangup', message: heard.join(' ') });
          return { end: 'script-hangup' };
        }
        default:
          return { end: 'error', detail: `the simulated provider has no <${verb.name}>` };
      }
    }
    return { end: 'no-more-instructions' };
  };

  let next: Step = { url: call.url, fields: { CallStatus: call.direction === 'inbound' ? 'ringing' : 'in-progress' } };
  const limit = o.maxRequests ?? 200;
  while ('url' in next) {
    if (o.forcedHangup?.(call.sid) === true) return finish('forced-hangup');
    if (requests >= limit) return finish('error', `more than ${limit} requests`);
    const before = o.recordingsStarted?.(call.sid) ?? 0;
    let answer: { status: number; text: string };
    let reply: TwimlElement;
    try {
      answer = await post(next.url, next.fields);
      if (answer.status !== 200) return await finish('error', `HTTP ${answer.status} from ${next.url}: ${answer.text.slice(0, 200)}`);
      reply = parseTwimlReply(answer.text);
    } catch (err) {
      return finish('error', err instanceof Error ? err.message : String(err));
    }
    next = run(reply, (o.recordingsStarted?.(call.sid) ?? 0) > before);
  }
  return finish(next.end, next.detail);
}

/** A `<Say>`, `<Play>` or `<Pause>` as the caller hears it. */
function spoken(verb: TwimlElement): string {
  if (verb.name === 'Play') return `[audio ${textOf(verb).trim()}]`;
  if (verb.name === 'Pause') return `[pause ${verb.attributes.length ?? '1'}s]`;
  return textOf(verb);
}
