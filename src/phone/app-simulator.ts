/**
 * `callscript phone`'s core: a provider's simulator pointed at someone else's
 * voice app (any TwiML or jambonz app, written with any framework), with the
 * account it signs with. Secrets come from the same environment variables as
 * `serve`, or from a flag for a throwaway value; Telnyx signs with a private
 * key no one outside Telnyx has, so the simulator signs with its own key pair
 * (kept in a file when asked, so the app's configured public key stays valid
 * across runs) and says which public key the app must trust.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { newJambonzCredentials, startJambonzSimulator } from '../simulator/jambonz/index.js';
import { startTwimlSimulator, telnyxPublicKeyText, type TwimlCredentials } from '../simulator/twiml/index.js';
import type { Simulator, SimulatorTiming } from '../simulator/types.js';

export const PHONE_PROVIDERS = ['twilio', 'telnyx', 'signalwire', 'jambonz'] as const;
export type PhoneProvider = (typeof PHONE_PROVIDERS)[number];

/** A secret the provider signs with is missing: which variable or flag gives it. */
export class PhoneSetupError extends Error {
  readonly code = 'CS_PHONE_SETUP';
  constructor(message: string) {
    super(message);
    this.name = 'PhoneSetupError';
  }
}

export interface AppSimulatorOptions {
  readonly provider: PhoneProvider;
  /** The app's voice webhook (jambonz: the application's call hook). */
  readonly appUrl: string;
  /** Its status callback (jambonz: call status hook). */
  readonly statusUrl?: string;
  /** TwiML providers: the number's fallback URL. */
  readonly fallbackUrl?: string;
  /** TwiML providers: how the voice URL is requested (default POST). */
  readonly appMethod?: 'GET' | 'POST';
  /** Twilio's auth token, SignalWire's signing key or jambonz's webhook secret, over the environment's. */
  readonly secret?: string;
  /** Telnyx: a PEM file holding the simulator's private key; written with a new key when absent. */
  readonly keyFile?: string;
  readonly env: (name: string) => string | undefined;
  readonly timing?: Partial<SimulatorTiming>;
}

export interface AppSimulator {
  readonly simulator: Simulator;
  /** What the app must be configured with to accept the simulator's requests, one line each (shown to the user). */
  readonly setup: readonly string[];
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new PhoneSetupError(`${what} is needed to sign the requests as the provider does`);
  return value;
}

/** The simulator's Ed25519 key pair: from the file, or new (and saved there when a file is named). */
function telnyxKeys(file: string | undefined): { privateKey: KeyObject; publicKey: KeyObject } {
  if (file !== undefined && existsSync(file)) {
    const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new PhoneSetupError(`${file} does not hold an Ed25519 private key`);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  const keys = generateKeyPairSync('ed25519');
  if (file !== undefined) writeFileSync(file, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return keys;
}

export async function startAppSimulator(o: AppSimulatorOptions): Promise<AppSimulator> {
  const timing = o.timing !== undefined ? { timing: o.timing } : {};
  if (o.provider === 'jambonz') {
    const secret = required(o.secret ?? o.env('JAMBONZ_WEBHOOK_SECRET'), 'JAMBONZ_WEBHOOK_SECRET (or --secret)');
    const credentials = { ...newJambonzCredentials(), webhookSecret: secret, ...(o.env('JAMBONZ_ACCOUNT_SID') !== undefined ? { accountSid: o.env('JAMBONZ_ACCOUNT_SID') ?? '' } : {}) };
    const simulator = await startJambonzSimulator({ credentials, callHook: o.appUrl, ...(o.statusUrl !== undefined ? { statusHook: o.statusUrl } : {}), ...timing });
    return { simulator, setup: [`signs each hook with ${o.secret !== undefined ? 'the --secret given' : 'JAMBONZ_WEBHOOK_SECRET'} as the feature server does (Jambonz-Signature)`] };
  }
  let credentials: TwimlCredentials;
  let setup: string[];
  switch (o.provider) {
    case 'twilio': {
      const authToken = required(o.secret ?? o.env('TWILIO_AUTH_TOKEN'), 'TWILIO_AUTH_TOKEN (or --secret)');
      const sharedKey = o.env('TWILIO_WEBHOOK_SHARED_KEY');
      credentials = { provider: 'twilio', accountSid: o.env('TWILIO_ACCOUNT_SID') ?? `AC${'0'.repeat(32)}`, authToken, ...(sharedKey !== undefined && sharedKey !== '' ? { sharedKey } : {}) };
      setup = [
        sharedKey !== undefined && sharedKey !== ''
          ? 'signs each webhook with TWILIO_WEBHOOK_SHARED_KEY (HMAC-SHA256, X-Twilio-Webhooks-Signature-Settings), as a Webhooks Rule does'
          : `signs each webhook with ${o.secret !== undefined ? 'the --secret given' : 'TWILIO_AUTH_TOKEN'} (X-Twilio-Signature) over the URL it requests`,
      ];
      break;
    }
    case 'signalwire': {
      const signingKey = required(o.secret ?? o.env('SIGNALWIRE_SIGNING_KEY'), 'SIGNALWIRE_SIGNING_KEY (or --secret)');
      credentials = {
        provider: 'signalwire',
        projectId: o.env('SIGNALWIRE_PROJECT_ID') ?? randomUUID(),
        apiToken: o.env('SIGNALWIRE_API_TOKEN') ?? 'PT-simulated',
        signingKey,
        space: o.env('SIGNALWIRE_SPACE_URL') ?? 'sim.signalwire.com',
      };
      setup = [`signs each webhook with ${o.secret !== undefined ? 'the --secret given' : 'SIGNALWIRE_SIGNING_KEY'} (X-SignalWire-Signature) over the URL it requests`];
      break;
    }
    case 'telnyx': {
      const keys = telnyxKeys(o.keyFile);
      credentials = { provider: 'telnyx', accountSid: o.env('TELNYX_ACCOUNT_SID') ?? randomUUID(), apiKey: o.env('TELNYX_API_KEY') ?? 'KEY-simulated', ...keys };
      setup = [`signs each webhook with its own Ed25519 key: give the app TELNYX_PUBLIC_KEY=${telnyxPublicKeyText(keys.publicKey)}${o.keyFile === undefined ? ' (a new key each run; --key-file keeps one)' : ''}`];
      break;
    }
  }
  const simulator = await startTwimlSimulator({
    provider: o.provider,
    credentials,
    voiceUrl: o.appUrl,
    ...(o.statusUrl !== undefined ? { statusUrl: o.statusUrl } : {}),
    ...(o.fallbackUrl !== undefined ? { fallbackUrl: o.fallbackUrl } : {}),
    ...(o.appMethod !== undefined ? { voiceMethod: o.appMethod } : {}),
    ...timing,
  });
  return { simulator, setup };
}
