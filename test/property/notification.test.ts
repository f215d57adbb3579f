/**
 * The webhook's one-pass form parser reads any query string and body exactly as
 * URLSearchParams would (merged, body winning, our `t` never a field), including
 * `+`, percent escapes, malformed escapes and bytes that are not UTF-8.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHoiioNotification, type HoiioNotification } from '../../src/provider/hoiio/notification.js';

/** The reference: URLSearchParams, merged the documented way. */
function reference(query: string, body: string): HoiioNotification {
  const fields = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(query)) if (k !== 't') fields.set(k, v);
  for (const [k, v] of new URLSearchParams(body)) fields.set(k, v);
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

const key = fc.constantFrom('call_state', 'session', 'txn_ref', 'from', 'to', 'digits', 'record_url', 'transfer_status', 'dial_status', 'tag', 't', 'date', 'debit', 'call%5Fstate', 'ses+sion', '');
/** Values as they come over the wire: encoded text, raw `+`, stray and broken escapes, encoded bytes that are not UTF-8. */
const value = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => new URLSearchParams({ v: s }).toString().slice(2)),
  fc.stringMatching(/^[A-Za-z0-9+%=._~-]{0,20}$/),
  fc.constantFrom('%2B6591234567', '+6591234567', '%', '%4', '%zz', '%FF', '%C3%28', '%E2%82', 'a%20b+c', '%25', '='),
);
const pair = fc.tuple(key, fc.boolean(), value).map(([k, eq, v]) => (eq ? `${k}=${v}` : k));
const form = fc.array(pair, { maxLength: 12 }).map((pairs) => pairs.join('&'));

describe('parseHoiioNotification', () => {
  it('reads any query and body like URLSearchParams', () => {
    fc.assert(
      fc.property(form, form, (query, body) => {
        expect(parseHoiioNotification(query, body)).toEqual(reference(query, body));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps no parsed field as a slice of the body: parked calls do not pin webhook bodies', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async (): Promise<number> => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      return process.memoryUsage().heapUsed;
    };
    const padding = 'x'.repeat(10_000);
    const before = await settle();
    const kept: HoiioNotification[] = [];
    for (let i = 0; i < 2_000; i++) {
      // Every body is its own 10 KB string, as from a socket; the fields read are long enough to be sliced.
      const body = Buffer.from(`date=${padding}&session=S${i}${'0'.repeat(20)}&from=%2B6591234567&txn_ref=AA-C-${1_000_000 + i}&record_url=http://r/${i}/${'y'.repeat(30)}&call_state=ongoing`).toString();
      kept.push(parseHoiioNotification('', body));
    }
    const growth = (await settle()) - before;
    expect(kept[1_999]?.session).toBe(`S1999${'0'.repeat(20)}`);
    // 2,000 pinned bodies would be 20 MB; the parsed fields alone are well under 2 MB.
    expect(growth).toBeLessThan(2 * 2 ** 20);
  });
});
