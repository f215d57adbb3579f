/**
 * jambonz as an adapter of the provider port: a reply provider, whose hook
 * answers are JSON verb arrays (../shared/providers.md §3.2), configured from
 * the environment (config.ts).
 */
import type { ProviderAdapter } from '../port.js';
import { JAMBONZ_CAPABILITIES } from './capabilities.js';
import { JambonzClient } from './client.js';
import { jambonzConfig, type JambonzConfig, type JambonzSetup } from './config.js';
import { jambonzRoutes } from './routes.js';
import { statusUrl, stepUrl } from './urls.js';

export interface JambonzAdapterOptions {
  /** Seconds since the epoch, for the signature's timestamp window (tests pass a fixed clock). */
  readonly nowSeconds?: () => number;
}

/** The adapter for a configured jambonz account. */
export function jambonzAdapterFor(config: JambonzConfig, options: JambonzAdapterOptions = {}): ProviderAdapter {
  // The public URL is known once the server listens; the routes are built before any call and hand it over.
  let publicUrl = (): string => '';
  const client = new JambonzClient(config, { statusUrl: () => statusUrl(publicUrl()) });
  return {
    capabilities: JAMBONZ_CAPABILITIES,
    client,
    callbackUrl: (base, id, seq, token) => stepUrl(base, id, seq, token),
    routes: (context) => {
      publicUrl = context.publicUrl;
      return jambonzRoutes(context, {
        webhookSecret: config.webhookSecret,
        ttsVendor: config.ttsVendor,
        ...(options.nowSeconds !== undefined ? { nowSeconds: options.nowSeconds } : {}),
      });
    },
  };
}

/** jambonz, from JAMBONZ_ACCOUNT_SID, JAMBONZ_API_KEY, JAMBONZ_API_URL and JAMBONZ_WEBHOOK_SECRET; throws ProviderEnvError naming a missing one. */
export function jambonzAdapter(setup: JambonzSetup, options?: JambonzAdapterOptions): ProviderAdapter {
  return jambonzAdapterFor(jambonzConfig(setup), options);
}
