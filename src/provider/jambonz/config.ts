/**
 * jambonz's settings, read from the environment only (credentials never come
 * from flags, which show up in `ps` and shell history). A missing variable is
 * a ProviderEnvError naming it, which `serve` prints before it refuses to start.
 */
import { ProviderEnvError } from '../errors.js';
import { isHttpUrl } from '../../util/http-url.js';
import { AWS_VENDOR } from './voices.js';

export interface JambonzConfig {
  /** The account whose calls these are (`/v1/Accounts/{sid}/…`). */
  readonly accountSid: string;
  /** An API key of the account (REST requests carry it as a Bearer token). */
  readonly apiKey: string;
  /**
   * The REST API's base, `https://jambonz.example.com` or with `/v1` already on
   * it (both are accepted: the client adds `/v1` when it is missing). Set
   * JAMBONZ_API_URL, or `--provider-api-url` in its place.
   */
  readonly apiUrl: string;
  /** The account's webhook secret: the key of `Jambonz-Signature`. */
  readonly webhookSecret: string;
  /** The speech vendor a script's voices are spoken with (JAMBONZ_TTS_VENDOR, default `aws`). */
  readonly ttsVendor: string;
  /** Where recordings are written (JAMBONZ_RECORDINGS_DIR, default `.callscript/recordings`). */
  readonly recordingsDir: string;
  /** Per-request timeout for REST calls (ms). */
  readonly timeoutMs: number;
}

export type EnvReader = (name: string) => string | undefined;

export interface JambonzSetup {
  readonly env: EnvReader;
  /** `--provider-api-url`: the REST base to use instead of JAMBONZ_API_URL. */
  readonly apiUrl?: string;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Beside the default SQLite store. */
const DEFAULT_RECORDINGS_DIR = '.callscript/recordings';

function required(env: EnvReader, name: string): string {
  const value = env(name)?.trim() ?? '';
  if (value === '') throw new ProviderEnvError('jambonz', name);
  return value;
}

function httpUrl(name: string, value: string): string {
  if (isHttpUrl(value)) return value.replace(/\/+$/, '');
  throw new ProviderEnvError('jambonz', name, `${name} must be an http(s) URL (the REST base of your jambonz), got ${JSON.stringify(value)}`);
}

export function jambonzConfig(setup: JambonzSetup): JambonzConfig {
  const accountSid = required(setup.env, 'JAMBONZ_ACCOUNT_SID');
  const apiKey = required(setup.env, 'JAMBONZ_API_KEY');
  // Self-hosted: there is no default API host to fall back on.
  const apiUrl = setup.apiUrl !== undefined ? httpUrl('--provider-api-url', setup.apiUrl) : httpUrl('JAMBONZ_API_URL', required(setup.env, 'JAMBONZ_API_URL'));
  const webhookSecret = required(setup.env, 'JAMBONZ_WEBHOOK_SECRET');
  const vendor = setup.env('JAMBONZ_TTS_VENDOR')?.trim();
  const recordings = setup.env('JAMBONZ_RECORDINGS_DIR')?.trim();
  return {
    accountSid,
    apiKey,
    apiUrl,
    webhookSecret,
    ttsVendor: vendor !== undefined && vendor !== '' ? vendor : AWS_VENDOR,
    recordingsDir: recordings !== undefined && recordings !== '' ? recordings : DEFAULT_RECORDINGS_DIR,
    timeoutMs: setup.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}
