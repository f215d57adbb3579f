/**
 * Every provider adapter's capability table, in one list: `--provider NAME`
 * offers exactly these names, and a new adapter is added here once (and its
 * builder in registry.ts when it is configured from the environment). Apart
 * from the adapters themselves, so that commands which only check scripts
 * against a provider (`validate`, `test`, `call`) load the tables and none of
 * the adapters' HTTP clients, routes and servers.
 */
import type { ProviderCapabilities } from '../engine/capabilities.js';
import { HOIIO_CAPABILITIES } from './hoiio/capabilities.js';
import { JAMBONZ_CAPABILITIES } from './jambonz/capabilities.js';
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
