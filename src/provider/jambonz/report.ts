/**
 * What a hook at a block's URL reports, in engine terms. The continuation (`k`
 * in the URL, written by render.ts) says which verb ended; the JSON payload
 * says how (../shared/providers.md §2.2: gather `reason`/`digits`, dial
 * `dial_call_status`).
 */
import type { StepReport } from '../reply-step.js';
import { text, type Payload } from './payload.js';
import type { Continuation } from './urls.js';

/**
 * A jambonz final call or dial status in the engine's words (blocks.ts's
 * CallOutcomeStatus); undefined for a call that simply completed.
 */
export function endStatus(status: string): string | undefined {
  switch (status) {
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'unanswered';
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}

/** The `call_status` values after which a call is over. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'busy', 'no-answer']);

/** The report of a hook for block `seq`, with `k` and `attempt` from its URL; `recorded` is a record block's recording URL, if it has audio. */
export function reportOf(k: Continuation | undefined, attempt: number, seq: number, payload: Payload, recorded?: string): StepReport {
  switch (k) {
    case 'hold':
      return { type: 'ask' };
    case 'next':
      return { type: 'event', event: { type: 'block.done', seq } };
    case 'gather': {
      // `timeout` has no digits, and a lone finishOnKey is `dtmfDetected` with digits '' (§3.2): both are an empty attempt.
      const raw = text(payload, 'digits');
      // The finishOnKey is left out of `digits` (§2.1); a server that keeps it would otherwise turn `2#` into an invalid choice.
      const digits = raw.endsWith('#') ? raw.slice(0, -1) : raw;
      if (digits === '') return { type: 'empty-attempt', attempt };
      return { type: 'event', event: { type: 'block.done', seq, digits } };
    }
    case 'record':
      return { type: 'event', event: recorded !== undefined ? { type: 'block.done', seq, recordUrl: recorded } : { type: 'block.done', seq } };
    case 'dial':
    case 'dial-end': {
      const status = text(payload, 'dial_call_status');
      // A transfer that connected has ended when its actionHook is called: the call is over for the script.
      if (status === 'completed' || status === 'in-progress') return { type: 'event', event: { type: 'ended', seq, status: 'answered' } };
      const failed = endStatus(status) ?? 'failed';
      // Without on_failure a failed transfer ends the call, as Hoiio's on_failure=hangup does.
      return { type: 'event', event: k === 'dial' ? { type: 'block.done', seq, status: failed } : { type: 'ended', seq, status: failed } };
    }
    case undefined: {
      // The block's bare URL is an outbound call's call_hook: requested when the callee answers.
      const status = text(payload, 'call_status');
      return { type: 'event', event: { type: 'block.done', seq, status: endStatus(status) ?? 'answered' } };
    }
  }
}
