/**
 * jambonz as an adapter of the provider port: a reply provider, whose hook
 * answers are JSON verb arrays (../shared/providers.md §3.2), configured from
 * the environment (config.ts).
 */
import type { ProviderAdapter } from '../port.js';
import { JAMBONZ_CAPABILITIES } from './capabilities.js';
import { JambonzClient } from './client.js';
import { jambonzConfig, type JambonzConfig, type JambonzSetup } from './config.js';
import { RecordingStore } from './recordings.js';
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
  // The recording's name is keyed with the webhook secret: a secret every server of a cluster shares.
  const recordings = new RecordingStore(config.recordingsDir, config.webhookSecret);
  return {
    capabilities: JAMBONZ_CAPABILITIES,
    client,
    // Recordings arrive over a WebSocket (the listen verb).
    websockets: true,
    callbackUrl: (base, id, seq, token) => stepUrl(base, id, seq, token),
    routes: (context) => {
      publicUrl = context.publicUrl;
      return jambonzRoutes(context, {
        webhookSecret: config.webhookSecret,
        ttsVendor: config.ttsVendor,
        recordings,
        ...(options.nowSeconds !== undefined ? { nowSeconds: options.nowSeconds } : {}),
      });
    },
  };
}

/** jambonz, from JAMBONZ_ACCOUNT_SID, JAMBONZ_API_KEY, JAMBONZ_API_URL and JAMBONZ_WEBHOOK_SECRET; throws ProviderEnvError naming a missing one. */
export function jambonzAdapter(setup: JambonzSetup, options?: JambonzAdapterOptions): ProviderAdapter {
  return jambonzAdapterFor(jambonzConfig(setup), options);
}
