/**
 * What a webhook at a block's URL reports, in engine terms. The continuation
 * (`k` in the URL, written by render.ts) says which verb ended; the form fields
 * say how.
 */
import type { StepReport } from '../reply-step.js';
import type { FormFields } from './signature.js';
import { field } from './form.js';
import type { Continuation } from './urls.js';

/**
 * A provider's final call status in the engine's words (blocks.ts's
 * CallOutcomeStatus); undefined for a call that simply completed. A canceled
 * call or dial was not answered.
 */
export function endStatus(callStatus: string): string | undefined {
  switch (callStatus) {
    case 'busy':
      return 'busy';
    case 'no-answer':
    case 'canceled':
      return 'unanswered';
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}

/** The statuses after which a call is over (the status callback's final events). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** Hoiio may echo `#`; so may a provider that keeps finishOnKey in `Digits` (the sources disagree). */
function digitsOf(fields: FormFields): string {
  const digits = field(fields, 'Digits');
  return digits.endsWith('#') ? digits.slice(0, -1) : digits;
}

/** The report of a request for block `seq`, `k` and `attempt` coming from its URL. */
export function reportOf(k: Continuation | undefined, attempt: number, seq: number, fields: FormFields): StepReport {
  switch (k) {
    case 'hold':
      return { type: 'ask' };
    case 'next':
      return { type: 'event', event: { type: 'block.done', seq } };
    case 'none':
      return { type: 'event', event: { type: 'block.done', seq, digits: '' } };
    case 'gather': {
      const digits = digitsOf(fields);
      if (digits === '') return { type: 'empty-attempt', attempt };
      return { type: 'event', event: { type: 'block.done', seq, digits } };
    }
    case 'record': {
      const url = field(fields, 'RecordingUrl');
      return { type: 'event', event: url !== '' ? { type: 'block.done', seq, recordUrl: url } : { type: 'block.done', seq } };
    }
    case 'dial':
    case 'dial-end': {
      const status = field(fields, 'DialCallStatus');
      // A transfer that connected has ended when its action is requested: the call is over for the script.
      if (status === 'completed' || status === 'answered') return { type: 'event', event: { type: 'ended', seq, status: 'answered' } };
      const failed = endStatus(status) ?? 'failed';
      // Without on_failure a failed transfer ends the call, as Hoiio's on_failure=hangup does.
      return { type: 'event', event: k === 'dial' ? { type: 'block.done', seq, status: failed } : { type: 'ended', seq, status: failed } };
    }
    case undefined: {
      // The block's bare URL is only requested for an outbound call, when the callee answers (or the attempt ends).
      const status = field(fields, 'CallStatus');
      return { type: 'event', event: { type: 'block.done', seq, status: endStatus(status) ?? 'answered' } };
    }
  }
}
