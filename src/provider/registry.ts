/**
 * Every provider adapter's capability table, in one list: `--provider NAME`
 * offers exactly these names, and a new adapter is added here once.
 */
import type { ProviderCapabilities } from '../engine/capabilities.js';
import { HOIIO_CAPABILITIES } from './hoiio/capabilities.js';

const TABLES = [HOIIO_CAPABILITIES] as const satisfies readonly ProviderCapabilities[];

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
