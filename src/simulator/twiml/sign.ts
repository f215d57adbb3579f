/**
 * How each provider signs the requests it sends (../shared/providers.md §4),
 * written here independently of the adapters' verifiers so that the simulator
 * tests them rather than agreeing with them.
 */
import { createHmac, sign, type KeyObject } from 'node:crypto';

export type TwimlSigner = (url: string, body: string, fields: ReadonlyArray<readonly [string, string]>) => Record<string, string>;

function hmacSigner(header: string, key: string, distinctSorted: boolean, hash: 'sha1' | 'sha256' = 'sha1', extra: Record<string, string> = {}): TwimlSigner {
  return (url, _body, fields) => {
    const byName = new Map<string, string[]>();
    for (const [name, value] of fields) byName.set(name, [...(byName.get(name) ?? []), value]);
    let data = url;
    for (const name of [...byName.keys()].sort()) {
      const values = byName.get(name) ?? [];
      for (const value of distinctSorted ? [...new Set(values)].sort() : values) data += `${name}${value}`;
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
