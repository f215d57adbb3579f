import type { CallEvent } from '../../engine/events.js';

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

/** Query keys that are ours (put in the notify URL by the engine), never Hoiio fields. */
const OWN_QUERY_KEYS: ReadonlySet<string> = new Set(['t']);

/**
 * Reads a notification: fields may come in the query string, the form body or
 * both (the sources disagree), so both are merged and the body wins.
 *
 * Values are copied with slice-and-concat so that no parsed field keeps the whole
 * body alive as a sliced string (V8 sliced strings pin their parent).
 */
export function parseHoiioNotification(query: string, body: string): HoiioNotification {
  const fields = new Map<string, string>();
  if (query !== '') {
    for (const [k, v] of new URLSearchParams(query)) if (!OWN_QUERY_KEYS.has(k)) fields.set(k, v);
  }
  if (body !== '') {
    for (const [k, v] of new URLSearchParams(body)) fields.set(k, v);
  }
  const get = (name: string): string => flat(fields.get(name) ?? '');
  return {
    callState: get('call_state'),
    session: get('session'),
    txnRef: get('txn_ref'),
    from: get('from'),
    to: get('to'),
    digits: fields.has('digits') ? get('digits') : undefined,
    recordUrl: get('record_url'),
    transferStatus: get('transfer_status'),
    dialStatus: get('dial_status'),
    tag: get('tag'),
  };
}

/** Copies a string into its own flat storage. */
export function flat(s: string): string {
  return s.length === 0 ? '' : (' ' + s).slice(1);
}

/**
 * The engine event for a notification of block `seq`, or undefined for a
 * call_state the engine does not act on at that URL.
 */
export function hoiioEvent(n: HoiioNotification, seq: number): CallEvent | undefined {
  const status = n.dialStatus !== '' ? n.dialStatus : n.transferStatus;
  switch (n.callState) {
    case 'ongoing':
      return {
        type: 'block.done',
        seq,
        ...(n.digits !== undefined ? { digits: stripHash(n.digits) } : {}),
        ...(n.recordUrl !== '' ? { recordUrl: n.recordUrl } : {}),
        ...(status !== '' ? { status } : {}),
      };
    case 'ended':
      return {
        type: 'ended',
        seq,
        ...(n.recordUrl !== '' ? { recordUrl: n.recordUrl } : {}),
        ...(status !== '' ? { status } : {}),
      };
    default:
      return undefined;
  }
}

/** `#` ends input on Hoiio; whether it is echoed in `digits` is not documented, so drop a trailing one. */
function stripHash(digits: string): string {
  return digits.endsWith('#') ? digits.slice(0, -1) : digits;
}
