import type { Block } from './blocks.js';
import type { CallState, Outcome } from './state.js';
import type { HttpMethod, HttpSave, StepId } from '../script/model.js';

/** A request for the runner to make (an http step), fully rendered except environment-variable headers. */
export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  /** Name and value; `{ env }` values are read by the runner at request time and never enter the state or a template. */
  readonly headers: ReadonlyArray<readonly [string, string | { readonly env: string }]>;
  readonly body?: string;
  readonly contentType?: string;
  readonly timeoutMs: number;
  /** What to take from a 2xx JSON answer (empty: the answer need not be JSON). */
  readonly save: readonly HttpSave[];
}

/** Side effects the shell must carry out, in order. */
export type Action =
  /** Send `block` to the provider; its notification will carry `seq`. */
  | { readonly type: 'send'; readonly seq: number; readonly block: Block }
  /** Make an http request; its result comes back as an `http.result` event carrying `seq`. */
  | { readonly type: 'http'; readonly seq: number; readonly step: StepId; readonly request: HttpRequest }
  /** The call is over: release it. */
  | { readonly type: 'end'; readonly outcome: Outcome };

/** Facts worth a log line; the shell decides how to log them. */
export type Note =
  /** `script` is set for steps of a script started with `call:` (absent: the call's own script). */
  | { readonly type: 'step.entered'; readonly step: StepId; readonly kind: string; readonly script?: string }
  | { readonly type: 'input.invalid'; readonly step: StepId; readonly digits: string; readonly retry: number }
  | { readonly type: 'input.none'; readonly step: StepId }
  | { readonly type: 'notification.ignored'; readonly reason: 'stale' | 'duplicate' | 'after-end' | 'unexpected' }
  | { readonly type: 'render.failed'; readonly step: StepId; readonly field: string; readonly error: string }
  | { readonly type: 'step.limit'; readonly limit: number }
  | { readonly type: 'send.failed'; readonly step: StepId | null; readonly code: string; readonly error: string }
  | { readonly type: 'call.ended'; readonly outcome: Outcome }
  /** A step left by one of its labelled ways (switch case, http outcome, hours, a global key): coverage reads these. */
  | { readonly type: 'branch'; readonly step: StepId; readonly label: string; readonly script?: string }
  /** Escalating prompts: nothing was pressed, the gather asks again with its next prompt. */
  | { readonly type: 'prompt.next'; readonly step: StepId; readonly attempt: number }
  | { readonly type: 'http.done'; readonly step: StepId; readonly status?: number; readonly failure?: string; readonly error?: string; readonly ms?: number }
  /** A runtime failure went to an `on_error` step. */
  | { readonly type: 'error.caught'; readonly step: StepId | null; readonly target: StepId; readonly reason: string }
  | { readonly type: 'call.entered'; readonly script: string; readonly version: string; readonly depth: number }
  | { readonly type: 'call.returned'; readonly script: string; readonly to: StepId };

export interface Transition {
  readonly state: CallState;
  readonly actions: readonly Action[];
  readonly notes: readonly Note[];
}
