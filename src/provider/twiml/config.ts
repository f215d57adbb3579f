/**
 * A TwiML provider's settings, read from the environment only (credentials
 * never come from flags, which show up in `ps` and shell history). A missing
 * variable is a ProviderEnvError naming it, which `serve` prints before it
 * refuses to start.
 */
import type { KeyObject } from 'node:crypto';
import { ProviderEnvError } from '../errors.js';
import { SIGNALWIRE, TELNYX, TWILIO, type TwimlDialect, type TwimlProviderName } from './dialect.js';
import { TelnyxKeyError, telnyxPublicKey } from './signature.js';

/** How webhooks are authenticated. */
export type TwimlVerifier =
  /** Twilio: the Auth Token, and the SharedKey secret of a Webhooks Rule when one is set (TWILIO_WEBHOOK_SHARED_KEY). */
  | { readonly scheme: 'twilio'; readonly key: string; readonly sharedKey?: string }
  | { readonly scheme: 'signalwire'; readonly key: string }
  | { readonly scheme: 'telnyx'; readonly publicKey: KeyObject };

export interface TwimlConfig {
  readonly dialect: TwimlDialect;
  /**
   * The REST API's root: `https://api.twilio.com`, `https://<space>/api/laml`,
   * `https://api.telnyx.com/v2`, or `--provider-api-url` in its place. The
   * account's paths are appended to it.
   */
  readonly apiRoot: string;
  /** The `Authorization` header of REST requests. */
  readonly authorization: string;
  /**
   * The account in REST paths: Twilio's Account SID, SignalWire's Project ID, or
   * Telnyx's account SID (TELNYX_ACCOUNT_SID, optional: else learnt from the
   * first authenticated webhook, which carries it as AccountSid).
   */
  readonly account: string | undefined;
  readonly verifier: TwimlVerifier;
  /** Per-request timeout for REST calls (ms). */
  readonly timeoutMs: number;
}

export type EnvReader = (name: string) => string | undefined;

export interface TwimlSetup {
  readonly env: EnvReader;
  /** `--provider-api-url`: the REST root to use instead of the provider's. */
  readonly apiUrl?: string;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function required(provider: string, env: EnvReader, name: string): string {
  const value = env(name)?.trim() ?? '';
  if (value === '') throw new ProviderEnvError(provider, name);
  return value;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function root(apiUrl: string | undefined, fallback: string): string {
  return (apiUrl ?? fallback).replace(/\/+$/, '');
}

export function twilioConfig(setup: TwimlSetup): TwimlConfig {
  const sid = required('twilio', setup.env, 'TWILIO_ACCOUNT_SID');
  const token = required('twilio', setup.env, 'TWILIO_AUTH_TOKEN');
  const sharedKey = setup.env('TWILIO_WEBHOOK_SHARED_KEY')?.trim();
  return {
    dialect: TWILIO,
    apiRoot: root(setup.apiUrl, 'https://api.twilio.com'),
    authorization: basic(sid, token),
    account: sid,
    verifier: { scheme: 'twilio', key: token, ...(sharedKey !== undefined && sharedKey !== '' ? { sharedKey } : {}) },
    timeoutMs: setup.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

export function signalwireConfig(setup: TwimlSetup): TwimlConfig {
  const project = required('signalwire', setup.env, 'SIGNALWIRE_PROJECT_ID');
  const token = required('signalwire', setup.env, 'SIGNALWIRE_API_TOKEN');
  // The space may be written as `example.signalwire.com` or as a URL.
  const space = required('signalwire', setup.env, 'SIGNALWIRE_SPACE_URL').replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const signingKey = required('signalwire', setup.env, 'SIGNALWIRE_SIGNING_KEY');
  return {
    dialect: SIGNALWIRE,
    apiRoot: root(setup.apiUrl, `https://${space}/api/laml`),
    authorization: basic(project, token),
    account: project,
    verifier: { scheme: 'signalwire', key: signingKey },
    timeoutMs: setup.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

export function telnyxConfig(setup: TwimlSetup): TwimlConfig {
  const apiKey = required('telnyx', setup.env, 'TELNYX_API_KEY');
  const keyText = required('telnyx', setup.env, 'TELNYX_PUBLIC_KEY');
  let publicKey: KeyObject;
  try {
    publicKey = telnyxPublicKey(keyText);
  } catch (err) {
    if (err instanceof TelnyxKeyError) throw new ProviderEnvError('telnyx', 'TELNYX_PUBLIC_KEY', err.message);
    throw err;
  }
  const account = setup.env('TELNYX_ACCOUNT_SID')?.trim();
  return {
    dialect: TELNYX,
    apiRoot: root(setup.apiUrl, 'https://api.telnyx.com/v2'),
    authorization: `Bearer ${apiKey}`,
    account: account !== undefined && account !== '' ? account : undefined,
    verifier: { scheme: 'telnyx', publicKey },
    timeoutMs: setup.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

export const TWIML_CONFIGS: Readonly<Record<TwimlProviderName, (setup: TwimlSetup) => TwimlConfig>> = {
  twilio: twilioConfig,
  telnyx: telnyxConfig,
  signalwire: signalwireConfig,
};
