import type { CallEvent } from '../../engine/events.js';
import { detached } from '../../util/detached-string.js';

/** The notification fields the engine reads. Anything else Hoiio sends is ignored. */
export interface HoiioNotification {
  readonly callState: string;
  readonly session: string;
  readonly txnRef: string;
  readonly from: string;
  readonly to: string;
  readonly digits: string | undefined;
  readonly recordUrl: string;
  readonly transferStatus: string;
  readonly dialStatus: string;
  readonly tag: string;
}

/** The fields `parseHoiioNotification` reads; the values of all other keys (Hoiio's billing fields, our own `t`) are skipped undecoded. */
const FIELDS: ReadonlySet<string> = new Set([
  'call_state',
  'session',
  'txn_ref',
  'from',
  'to',
  'digits',
  'record_url',
  'transfer_status',
  'dial_status',
  'tag',
]);

/**
 * Reads a notification: fields may come in the query string, the form body or
 * both (the sources disagree), so both are merged and the body wins. Values are
 * decoded as `application/x-www-form-urlencoded` (the same result as
 * `URLSearchParams`), but only for the fields read: this runs for every step.
 *
 * Values are fresh flat strings, so no parsed field keeps the whole body alive
 * as a sliced string (V8 sliced strings pin their parent) in a parked call.
 */
export function parseHoiioNotification(query: string, body: string): HoiioNotification {
  const fields = new Map<string, string>();
  // Our own `t` in the query string is not in FIELDS, so it is never taken as a field.
  if (query !== '') collectFields(query, fields);
  if (body !== '') collectFields(body, fields);
  const get = (name: string): string => fields.get(name) ?? '';
  return {
    callState: get('call_state'),
    session: get('session'),
    txnRef: get('txn_ref'),
    from: get('from'),
    to: get('to'),
    digits: fields.get('digits'),
    recordUrl: get('record_url'),
    transferStatus: get('transfer_status'),
    dialStatus: get('dial_status'),
    tag: get('tag'),
  };
}

function collectFields(text: string, into: Map<string, string>): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      const eq = text.indexOf('=', start);
      const keyEnd = eq >= 0 && eq < end ? eq : end;
      const key = decodeFormValue(text.slice(start, keyEnd));
      if (FIELDS.has(key)) into.set(key, keyEnd < end ? detached(decodeFormValue(text.slice(keyEnd + 1, end))) : '');
    }
    start = end + 1;
  }
}

/** `+` is a space and `%XX` a UTF-8 byte; malformed escapes are kept as text and bad UTF-8 becomes U+FFFD, like URLSearchParams. */
function decodeFormValue(raw: string): string {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return new URLSearchParams(`v=${raw}`).get('v') ?? '';
  }
}

/**
 * The engine event for a notification of block `seq`, or undefined for a
 * call_state the engine does not act on at that URL.
 */
export function hoiioEvent(n: HoiioNotification, seq: number): CallEvent | undefined {
  const status = n.dialStatus !== '' ? n.dialStatus : n.transferStatus;
  switch (n.callState) {
    case 'ongoing': {
      // Optional fields set by assignment, not spread in: this runs for every notification.
      const event: { type: 'block.done'; seq: number; digits?: string; recordUrl?: string; status?: string } = { type: 'block.done', seq };
      if (n.digits !== undefined) event.digits = stripHash(n.digits);
      if (n.recordUrl !== '') event.recordUrl = n.recordUrl;
      if (status !== '') event.status = status;
      return event;
    }
    case 'ended': {
      const event: { type: 'ended'; seq: number; recordUrl?: string; status?: string } = { type: 'ended', seq };
      if (n.recordUrl !== '') event.recordUrl = n.recordUrl;
      if (status !== '') event.status = status;
      return event;
    }
    default:
      return undefined;
  }
}

/** `#` ends input on Hoiio; whether it is echoed in `digits` is not documented, so drop a trailing one. */
function stripHash(digits: string): string {
  return digits.endsWith('#') ? digits.slice(0, -1) : digits;
}
