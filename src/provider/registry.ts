/**
 * How the providers configured from the environment alone (the TwiML family,
 * jambonz) build their adapters; Hoiio's adapter takes its own flags
 * (src/cli/server-options.ts). The capability tables and the names
 * `--provider` accepts are in capability-tables.ts (re-exported here).
 */
import { capabilitiesOf } from './capability-tables.js';
import { jambonzAdapter } from './jambonz/adapter.js';
import type { ProviderAdapter } from './port.js';
import { signalwireAdapter, telnyxAdapter, twilioAdapter } from './twiml/adapter.js';

export { DEFAULT_PROVIDER, PROVIDER_NAMES, UnknownProviderError, capabilitiesOf } from './capability-tables.js';

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
