import { hmac } from '../../util/hmac.js';
import { sameSecret } from '../../util/secure-compare.js';

/** How `X-Hoiio-Signature` is treated: not checked, checked and logged, or required. */
export type SignatureMode = 'off' | 'log' | 'enforce';

export type SignatureVerdict = 'valid' | 'invalid' | 'missing' | 'unchecked';

/** hex(HMAC-SHA256(raw body, key = access token)), per Hoiio's "Verifying notifications". */
export function hoiioSignature(body: string, accessToken: string): string {
  return hmac('sha256', accessToken, body, 'hex');
}

export function checkHoiioSignature(
  mode: SignatureMode,
  header: string | undefined,
  body: string,
  accessToken: string,
): SignatureVerdict {
  if (mode === 'off') return 'unchecked';
  if (header === undefined || header === '') return 'missing';
  return sameSecret(header.trim().toLowerCase(), hoiioSignature(body, accessToken)) ? 'valid' : 'invalid';
}
