/**
 * The TwiML round's call flow: examples/acme.yaml as a caller on Twilio walks it,
 * shared by the hand-written handler (bench/twiml/handler.ts) and the load
 * generator that plays Twilio (bench/twiml/load.ts), which checks every reply
 * against it so that callscript and the handler do the same work:
 *
 *   ringing → the recording notice (a REST request starts the call recording) →
 *   menu (caller presses 7: invalid) → menu again with the invalid message
 *   (presses 1) → sales transfer (busy) → voicemail recording → goodbye
 *
 * Six webhooks answered with TwiML, then the status callback: seven requests per call.
 */
import type { CallEvent } from '../../src/engine/events.js';

export const ACME_NUMBER = '+6560000001';
export const CALLER_NUMBER = '+6591234567';
export const ACCOUNT_SID = `AC${'0'.repeat(31)}1`;
export const AUTH_TOKEN = 'bench-twilio-auth-token';

export const TEXT = {
  welcome: 'Welcome to Acme. This call may be recorded for quality purposes.',
  menu: 'For sales press 1. For support press 2. For your account press 3. To hear these options again press 9. For the operator press 0.',
  invalid: 'Sorry, that is not a valid choice.',
  sales: 'Connecting you to our sales team.',
  voicemail: 'Sorry, no one is available. Please leave your name, number and a short message after the tone.',
  thanks: 'Thank you for calling Acme. Goodbye.',
} as const;

/** A reply as the caller hears and follows it: its verbs in order, each with the text it says. */
export interface ExpectedVerb {
  readonly verb: 'Say' | 'Gather' | 'Redirect' | 'Dial' | 'Record' | 'Hangup';
  /** What it says (a Gather: the Says inside it, joined with a space). */
  readonly text?: string;
}

/** The replies of one call, in order: to the ringing, then to each action the caller's moves lead to. */
export const EXPECTED_REPLIES: ReadonlyArray<readonly ExpectedVerb[]> = [
  [{ verb: 'Say', text: TEXT.welcome }, { verb: 'Redirect' }],
  [{ verb: 'Gather', text: TEXT.menu }, { verb: 'Redirect' }],
  [{ verb: 'Gather', text: `${TEXT.invalid} ${TEXT.menu}` }, { verb: 'Redirect' }],
  [{ verb: 'Say', text: TEXT.sales }, { verb: 'Dial', text: '+6562223333' }],
  [{ verb: 'Say', text: TEXT.voicemail }, { verb: 'Record' }, { verb: 'Redirect' }],
  [{ verb: 'Say', text: TEXT.thanks }, { verb: 'Hangup' }],
];

/** What the caller presses at the call's first and second Gather. */
export const PRESSES: readonly string[] = ['7', '1'];

/**
 * What the caller does at a block, as the engine event it reports: the presses at
 * the gathers (`gathersBefore` of them already answered), a busy transfer, a
 * recording left, a hangup ending the call. For the benches that run the
 * interpreter on this path without the load generator (bench/interpreter.ts,
 * bench/twiml/floor.ts).
 */
export function callerEvent(kind: string, seq: number, gathersBefore: number): CallEvent {
  switch (kind) {
    case 'gather':
      return { type: 'block.done', seq, digits: PRESSES[gathersBefore] ?? '' };
    case 'transfer':
      return { type: 'block.done', seq, status: 'busy' };
    case 'record':
      return { type: 'block.done', seq, recordUrl: 'https://api.twilio.com/recording' };
    case 'hangup':
      return { type: 'ended' };
    default:
      return { type: 'block.done', seq };
  }
}
