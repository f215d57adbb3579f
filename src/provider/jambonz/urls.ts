/**
 * The URLs a jambonz reply names. Every hook is absolute (jambonz resolves a
 * relative one against the application URL's origin, not its path, which would
 * break under a public URL with a path: ../shared/providers.md §3.2) and names
 * the call, the block it answers and the call's token; `k` says what the
 * request reports, `a` which attempt of a gather it answers.
 */
export type Continuation =
  /** A play (or monitor) block's verbs finished: the `redirect` after them. */
  | 'next'
  /** A `gather` actionHook: digits, or none for that attempt (`reason: timeout`). */
  | 'gather'
  /** A `listen` actionHook: the recording of a record block ended. */
  | 'record'
  /** A transfer's `dial` actionHook; the script goes on (`on_failure`) if it failed. */
  | 'dial'
  /** The `dial` actionHook of a transfer without `on_failure`: whatever its outcome, the call is over. */
  | 'dial-end'
  /** After a hold: nothing happened, ask for the block again. */
  | 'hold';

export const CONTINUATIONS: ReadonlySet<string> = new Set<Continuation>(['next', 'gather', 'record', 'dial', 'dial-end', 'hold']);

/** The block's own URL (the port's `callbackUrl`): an outbound call's `call_hook`; every continuation adds to it. */
export function stepUrl(publicUrl: string, id: string, seq: number, token: string): string {
  return `${publicUrl}/jambonz/step/${encodeURIComponent(id)}/${seq}?t=${encodeURIComponent(token)}`;
}

/** A continuation of the block at `step` (a `stepUrl`). */
export function continuationUrl(step: string, k: Continuation, attempt?: number): string {
  return attempt === undefined ? `${step}&k=${k}` : `${step}&k=${k}&a=${attempt}`;
}

/** The application's call status hook (and outbound calls' `call_status_hook`). */
export function statusUrl(publicUrl: string): string {
  return `${publicUrl}/jambonz/status`;
}
