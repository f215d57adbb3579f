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
  /** A `listen` actionHook: the recording of a record block ended (by `#`, its maximum, or the stream closing). */
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

/**
 * Where a record block's `listen` verb streams the caller's audio: a WebSocket
 * URL (`wss:` under an `https:` public URL) naming the call, block and token
 * like the block's own URL.
 */
export function listenUrl(step: string): string {
  // The block's part of a step URL starts at its last `/jambonz/step/` (the id is encoded: it holds no `/`).
  const at = step.lastIndexOf('/jambonz/step/');
  return `${step.slice(0, at).replace(/^http/i, 'ws')}/jambonz/listen/${step.slice(at + '/jambonz/step/'.length)}`;
}

/** Where a finished recording is served. */
export function recordingUrl(publicUrl: string, name: string): string {
  return `${publicUrl}/jambonz/recordings/${name}`;
}

/** The application's call status hook (and outbound calls' `call_status_hook`). */
export function statusUrl(publicUrl: string): string {
  return `${publicUrl}/jambonz/status`;
}
