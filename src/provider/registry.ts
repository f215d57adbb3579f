/**
 * Every provider adapter's capability table, in one list: `--provider NAME`
 * offers exactly these names, and a new adapter is added here once. Providers
 * configured from the environment alone (the TwiML family, jambonz) also register how
 * their adapter is built; Hoiio's adapter takes its own flags (src/cli/server-options.ts).
 */
import type { ProviderCapabilities } from '../engine/capabilities.js';
import { HOIIO_CAPABILITIES } from './hoiio/capabilities.js';
import { jambonzAdapter } from './jambonz/adapter.js';
import { JAMBONZ_CAPABILITIES } from './jambonz/capabilities.js';
import type { ProviderAdapter } from './port.js';
import { signalwireAdapter, telnyxAdapter, twilioAdapter } from './twiml/adapter.js';
import { SIGNALWIRE_CAPABILITIES, TELNYX_CAPABILITIES, TWILIO_CAPABILITIES } from './twiml/capabilities.js';

const TABLES = [HOIIO_CAPABILITIES, TWILIO_CAPABILITIES, TELNYX_CAPABILITIES, SIGNALWIRE_CAPABILITIES, JAMBONZ_CAPABILITIES] as const satisfies readonly ProviderCapabilities[];

/** The names `--provider` accepts, in the order help shows them. */
export const PROVIDER_NAMES: readonly string[] = Object.freeze(TABLES.map((t) => t.name));

/** What `serve`, `dev` and `validate` assume without `--provider`. */
export const DEFAULT_PROVIDER = 'hoiio';

/** A provider name no adapter answers to. */
export class UnknownProviderError extends Error {
  readonly code = 'CS_UNKNOWN_PROVIDER';
  constructor(readonly provider: string) {
    super(`unknown provider ${JSON.stringify(provider)}: the known providers are ${PROVIDER_NAMES.join(', ')}`);
    this.name = 'UnknownProviderError';
  }
}

/** The capability table of the adapter called `name`; throws UnknownProviderError for any other name. */
export function capabilitiesOf(name: string): ProviderCapabilities {
  const table = TABLES.find((t) => t.name === name);
  if (table === undefined) throw new UnknownProviderError(name);
  return table;
}

/** What an environment-configured adapter is built from. */
export interface AdapterSetup {
  /** Reads a variable (credentials come only from the environment). */
  readonly env: (name: string) => string | undefined;
  /** `--provider-api-url`: the provider's REST root, replaced (tests and simulators stand in for it). */
  readonly apiUrl?: string;
  /** Per-request timeout of its REST calls (ms). */
  readonly timeoutMs?: number;
}

const FROM_ENV: Readonly<Record<string, (setup: AdapterSetup) => ProviderAdapter>> = {
  twilio: twilioAdapter,
  telnyx: telnyxAdapter,
  signalwire: signalwireAdapter,
  jambonz: jambonzAdapter,
};

/**
 * The adapter called `name`, built from the environment; undefined for a
 * provider with its own flags (Hoiio). Throws the adapter's typed error (with
 * a stable `code` and the variable's name) when a variable is missing.
 */
export function adapterFromEnv(name: string, setup: AdapterSetup): ProviderAdapter | undefined {
  capabilitiesOf(name);
  return Object.hasOwn(FROM_ENV, name) ? FROM_ENV[name]?.(setup) : undefined;
}
