/**
 * The continuation URLs a reply carries. Each names the call, the block it
 * answers and the call's token in the path and query, in one fixed order
 * (Twilio and SignalWire sign the full URL, so it must come back byte for byte
 * as we wrote it), plus `k`, what the provider is reporting when it requests
 * it, and for a gather the attempt it answers.
 */
export type Continuation =
  /** A play or monitor block finished (a `<Redirect>` after it). */
  | 'next'
  /** A `<Gather>` action: digits, or none for that attempt. */
  | 'gather'
  /** Every attempt of a gather passed with no input (the `<Redirect>` after the gathers). */
  | 'none'
  /** A `<Record>` action, or the `<Redirect>` after a recording with no audio. */
  | 'record'
  /** A transfer's `<Dial>` action; the script goes on (`on_failure`) if it failed. */
  | 'dial'
  /** The `<Dial>` action of a transfer without `on_failure`: whatever its outcome, the call is over. */
  | 'dial-end'
  /** After a hold: nothing happened, ask for the block again. */
  | 'hold';

export const CONTINUATIONS: ReadonlySet<string> = new Set<Continuation>(['next', 'gather', 'none', 'record', 'dial', 'dial-end', 'hold']);

/**
 * The block's own URL (the port's `callbackUrl`): an outbound call's first
 * request arrives here when the callee answers; every continuation adds to it.
 */
export function stepUrl(publicUrl: string, provider: string, id: string, seq: number, token: string): string {
  return `${publicUrl}/${provider}/step/${uriComponent(id)}/${seq}?t=${uriComponent(token)}`;
}

/**
 * `encodeURIComponent(s)`, without its cost for what it would leave as it is: the ids and
 * tokens the runtime writes are base64url already. Anything else (an id read from a
 * request's path) is encoded.
 */
export function uriComponent(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A-Z, a-z, 0-9, '-' and '_': a subset of what encodeURIComponent leaves unescaped.
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return encodeURIComponent(s);
  }
  return s;
}

/**
 * A continuation of the block at `step` (a `stepUrl`). `amp` separates what it adds: `&amp;`
 * when `step` is the block URL already escaped for XML (the renderer escapes it once per reply).
 */
export function continuationUrl(step: string, k: Continuation, attempt?: number, amp = '&'): string {
  return attempt === undefined ? `${step}${amp}k=${k}` : `${step}${amp}k=${k}${amp}a=${attempt}`;
}

/** Where the provider reports calls ending (and the number's status callback). */
export function statusUrl(publicUrl: string, provider: string): string {
  return `${publicUrl}/${provider}/status`;
}
