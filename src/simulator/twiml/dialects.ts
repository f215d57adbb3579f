/**
 * What one TwiML provider does differently on the simulated network, as data:
 * how it signs, how its call SIDs look, where its REST API lives and how it
 * encodes it, which `<Gather>` attributes it honours, how long it waits for a
 * webhook (../shared/providers.md §1, §2.1, §3.1, §4, §5, §6). Everything else
 * (callers, timers, recordings, transcripts) is the shared network's.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { signalwireSigner, telnyxSigner, twilioSharedKeySigner, twilioSigner, type TwimlSigner } from './sign.js';

export type TwimlProvider = 'twilio' | 'telnyx' | 'signalwire';

/**
 * Block settings a transcript shows that never reach a TwiML provider: scripts'
 * tags stay in callscript, the adapter repeats a `<Gather>` per attempt, and a
 * transfer's `on_failure` is the app's own next step. A test expecting them is
 * not compared on these providers (the report says so).
 */
export const UNSEEN_PARAMS: readonly string[] = Object.freeze(['tag', 'attempts', 'on_failure']);

export const TWIML_PROVIDERS: readonly TwimlProvider[] = Object.freeze(['twilio', 'telnyx', 'signalwire']);

/** The account the simulator serves: what the app's REST requests must present, and what it signs webhooks with. */
export type TwimlCredentials =
  /** `sharedKey`: the account signs with a Webhooks Rule's SharedKey (HMAC-SHA256) instead of the Auth Token. */
  | { readonly provider: 'twilio'; readonly accountSid: string; readonly authToken: string; readonly sharedKey?: string }
  | { readonly provider: 'signalwire'; readonly projectId: string; readonly apiToken: string; readonly signingKey: string; readonly space: string }
  | { readonly provider: 'telnyx'; readonly accountSid: string; readonly apiKey: string; readonly privateKey: KeyObject; readonly publicKey: KeyObject };

export interface TwimlDialectSpec {
  readonly provider: TwimlProvider;
  /** The REST API's path prefix before `/Accounts/{account}` (the client's root is the simulator's URL). */
  readonly restPrefix: string;
  /** Whether resource paths end in `.json` (Telnyx's call resource has no suffix; its Recordings do). */
  readonly jsonSuffix: boolean;
  /** `<Gather actionOnEmptyResult="true">`: documented by Twilio and SignalWire; not listed by Telnyx (UNCONFIRMED), so ignored there. */
  readonly actionOnEmptyResult: boolean;
  /** Twilio waits 15 s for a webhook's answer (error 11205); the others' limits are UNCONFIRMED, so the same. */
  readonly webhookTimeoutMs: number;
  /** What the caller hears when the provider cannot run the app's answer (Twilio's words; the others' are UNCONFIRMED, so the same). */
  readonly applicationErrorMessage: string;
  newCallSid(n: number): string;
  /** Fields every webhook of the call carries besides CallSid, AccountSid, From, To, CallStatus, Direction. */
  extraFields(callSid: string): Record<string, string>;
}

const APPLICATION_ERROR = 'We are sorry, an application error has occurred. Goodbye.';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

export const DIALECT_SPECS: Readonly<Record<TwimlProvider, TwimlDialectSpec>> = {
  twilio: {
    provider: 'twilio',
    restPrefix: '/2010-04-01',
    jsonSuffix: true,
    actionOnEmptyResult: true,
    webhookTimeoutMs: 15_000,
    applicationErrorMessage: APPLICATION_ERROR,
    newCallSid: (n) => `CA${hex(n, 32)}`,
    extraFields: () => ({ ApiVersion: '2010-04-01' }),
  },
  signalwire: {
    provider: 'signalwire',
    restPrefix: '/2010-04-01',
    jsonSuffix: true,
    actionOnEmptyResult: true,
    webhookTimeoutMs: 15_000,
    applicationErrorMessage: APPLICATION_ERROR,
    // SignalWire's CallSid is a UUID.
    newCallSid: () => randomUUID(),
    extraFields: () => ({ ApiVersion: '2010-04-01' }),
  },
  telnyx: {
    provider: 'telnyx',
    restPrefix: '/texml',
    jsonSuffix: false,
    actionOnEmptyResult: false,
    webhookTimeoutMs: 15_000,
    applicationErrorMessage: APPLICATION_ERROR,
    // Telnyx's CallSid is the v3 call_control_id; the legacy id travels beside it.
    newCallSid: (n) => `v3:sim-${hex(n, 8)}-${randomBytes(6).toString('hex')}`,
    extraFields: (callSid) => ({ CallSidLegacy: callSid.replace(/^v3:/, ''), ConnectionId: 'sim-connection' }),
  },
};

/** The account SID webhooks carry and REST paths name. */
export function accountOf(c: TwimlCredentials): string {
  return c.provider === 'signalwire' ? c.projectId : c.accountSid;
}

/** How the provider signs the webhooks it sends. */
export function signerOf(c: TwimlCredentials, now?: () => number): TwimlSigner {
  switch (c.provider) {
    case 'twilio':
      return c.sharedKey !== undefined ? twilioSharedKeySigner(c.sharedKey) : twilioSigner(c.authToken);
    case 'signalwire':
      return signalwireSigner(c.signingKey);
    case 'telnyx':
      return telnyxSigner(c.privateKey, now);
  }
}

/** A signer with the wrong key, for forged webhooks. */
export function wrongSignerOf(c: TwimlCredentials): TwimlSigner {
  switch (c.provider) {
    case 'twilio':
      return twilioSigner(`not-${c.authToken}`);
    case 'signalwire':
      return signalwireSigner(`not-${c.signingKey}`);
    case 'telnyx':
      return (url, body, fields) => {
        const headers = telnyxSigner(c.privateKey)(url, `${body}x`, fields);
        return headers;
      };
  }
}

/** The `Authorization` header the provider's REST API accepts from the account. */
export function restAuthorization(c: TwimlCredentials): string {
  const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  switch (c.provider) {
    case 'twilio':
      return basic(c.accountSid, c.authToken);
    case 'signalwire':
      return basic(c.projectId, c.apiToken);
    case 'telnyx':
      return `Bearer ${c.apiKey}`;
  }
}

/** A fresh account for a simulator started without one (dev, the test bench): nothing real to leak. */
export function newCredentials(provider: TwimlProvider): TwimlCredentials {
  const secret = (): string => randomBytes(16).toString('hex');
  switch (provider) {
    case 'twilio':
      return { provider, accountSid: `AC${secret()}`, authToken: secret() };
    case 'signalwire':
      return { provider, projectId: randomUUID(), apiToken: `PT${secret()}`, signingKey: `PSK_${secret()}`, space: 'sim.signalwire.com' };
    case 'telnyx': {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      return { provider, accountSid: randomUUID(), apiKey: `KEY${secret()}`, privateKey, publicKey };
    }
  }
}

/** Telnyx shows an account's public key as the base64 of its 32 raw bytes. */
export function telnyxPublicKeyText(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
}
