import type { Block } from './blocks.js';
import type { CallState, Outcome } from './state.js';
import type { StepId } from '../script/model.js';

/** Side effects the shell must carry out, in order. */
export type Action =
  /** Send `block` to the provider; its notification will carry `seq`. */
  | { readonly type: 'send'; readonly seq: number; readonly block: Block }
  /** The call is over: release it. */
  | { readonly type: 'end'; readonly outcome: Outcome };

/** Facts worth a log line; the shell decides how to log them. */
export type Note =
  | { readonly type: 'step.entered'; readonly step: StepId; readonly kind: string }
  | { readonly type: 'input.invalid'; readonly step: StepId; readonly digits: string; readonly retry: number }
  | { readonly type: 'input.none'; readonly step: StepId }
  | { readonly type: 'notification.ignored'; readonly reason: 'stale' | 'duplicate' | 'after-end' | 'unexpected' }
  | { readonly type: 'render.failed'; readonly step: StepId; readonly field: string; readonly error: string }
  | { readonly type: 'step.limit'; readonly limit: number }
  | { readonly type: 'send.failed'; readonly step: StepId | null; readonly code: string; readonly error: string }
  | { readonly type: 'call.ended'; readonly outcome: Outcome };

export interface Transition {
  readonly state: CallState;
  readonly actions: readonly Action[];
  readonly notes: readonly Note[];
}
