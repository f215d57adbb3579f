/**
 * Signing of call summaries: `X-Callscript-Signature: sha256=<hex>` is the
 * HMAC-SHA256, keyed with the shared secret, of `<timestamp>.<body>`, where the
 * timestamp (Unix seconds) is sent as `X-Callscript-Timestamp`. Receivers check
 * the signature and refuse old timestamps, so a captured request cannot be
 * replayed later. `verifySignature` is what a receiver in Node would do.
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from '../util/secure-compare.js';

export const SIGNATURE_HEADER = 'x-callscript-signature';
export const TIMESTAMP_HEADER = 'x-callscript-timestamp';
export const EVENT_ID_HEADER = 'x-callscript-event';

/** How old a timestamp a receiver accepts by default (seconds). */
export const DEFAULT_TOLERANCE_S = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'missing' | 'stale' | 'mismatch' };

export function verifySignature(
  secret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  body: string,
  nowMs: number = Date.now(),
  toleranceS: number = DEFAULT_TOLERANCE_S,
): VerifyResult {
  if (signature === undefined || timestamp === undefined || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing' };
  const ts = Number(timestamp);
  if (Math.abs(nowMs / 1000 - ts) > toleranceS) return { ok: false, reason: 'stale' };
  return sameSecret(sign(secret, ts, body), signature) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
