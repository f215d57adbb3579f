/**
 * How each provider signs the requests it sends (../shared/providers.md §4),
 * written here independently of the adapters' verifiers so that the simulator
 * tests them rather than agreeing with them.
 */
import { createHmac, sign, type KeyObject } from 'node:crypto';

export type TwimlSigner = (url: string, body: string, fields: ReadonlyArray<readonly [string, string]>) => Record<string, string>;

function hmacSigner(header: string, key: string, distinctSorted: boolean, hash: 'sha1' | 'sha256' = 'sha1', extra: Record<string, string> = {}): TwimlSigner {
  // Names in code-unit order; a repeated name's values sorted and deduplicated (Twilio) or in the order sent (SignalWire).
  // Array.prototype.sort is stable, so comparing names alone keeps SignalWire's order within a name.
  const byName = (a: readonly [string, string], b: readonly [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const byNameThenValue = (a: readonly [string, string], b: readonly [string, string]): number =>
    byName(a, b) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  return (url, _body, fields) => {
    const sorted = [...fields].sort(distinctSorted ? byNameThenValue : byName);
    let data = url;
    let previous: readonly [string, string] | undefined;
    for (const field of sorted) {
      if (!(distinctSorted && previous !== undefined && previous[0] === field[0] && previous[1] === field[1])) data += `${field[0]}${field[1]}`;
      previous = field;
    }
    return { [header]: createHmac(hash, key).update(data, 'utf8').digest('base64'), ...extra };
  };
}

/** Twilio: X-Twilio-Signature, keyed with the Auth Token. */
export function twilioSigner(authToken: string): TwimlSigner {
  return hmacSigner('X-Twilio-Signature', authToken, true);
}

/** Twilio with a Webhooks Rule's SharedKey: HMAC-SHA256 keyed with the SharedKey secret, and the settings header naming it. */
export function twilioSharedKeySigner(sharedKey: string, keyName = 'webhooks_sharedkey_simulated'): TwimlSigner {
  return hmacSigner('X-Twilio-Signature', sharedKey, true, 'sha256', { 'X-Twilio-Webhooks-Signature-Settings': `key=${keyName},algorithm=HMAC_SHA256` });
}

/** SignalWire: X-SignalWire-Signature, keyed with the project's Signing Key. */
export function signalwireSigner(signingKey: string): TwimlSigner {
  return hmacSigner('X-SignalWire-Signature', signingKey, false);
}

/** Telnyx: Ed25519 over `timestamp|body`, with the time the request is sent. */
export function telnyxSigner(privateKey: KeyObject, now: () => number = Date.now): TwimlSigner {
  return (_url, body) => {
    const timestamp = String(Math.floor(now() / 1000));
    return {
      'telnyx-timestamp': timestamp,
      'telnyx-signature-ed25519': sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64'),
    };
  };
}
