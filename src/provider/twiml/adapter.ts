/**
 * The TwiML family as three adapters of the provider port, one code path
 * parameterised by each provider's dialect (dialect.ts) and settings
 * (config.ts): reply providers, whose webhook answers carry the next block.
 */
import type { ProviderAdapter } from '../port.js';
import { SIGNALWIRE_CAPABILITIES, TELNYX_CAPABILITIES, TWILIO_CAPABILITIES } from './capabilities.js';
import { TwimlClient } from './client.js';
import { signalwireConfig, telnyxConfig, twilioConfig, type TwimlConfig, type TwimlSetup } from './config.js';
import { twimlRoutes } from './routes.js';
import { statusUrl, stepUrl } from './urls.js';

export interface TwimlAdapterOptions {
  /** Seconds since the epoch, for Telnyx's timestamp window (tests pass a fixed clock). */
  readonly nowSeconds?: () => number;
}

/** The adapter for one configured TwiML provider. */
export function twimlAdapter(config: TwimlConfig, options: TwimlAdapterOptions = {}): ProviderAdapter {
  const name = config.dialect.name;
  // The public URL is known once the server listens; the routes are built before any call and hand it over.
  let publicUrl = (): string => '';
  const client = new TwimlClient(config, { statusUrl: () => statusUrl(publicUrl(), name) });
  const capabilities = name === 'twilio' ? TWILIO_CAPABILITIES : name === 'telnyx' ? TELNYX_CAPABILITIES : SIGNALWIRE_CAPABILITIES;
  return {
    capabilities,
    client,
    callbackUrl: (base, id, seq, token) => stepUrl(base, name, id, seq, token),
    routes: (context) => {
      publicUrl = context.publicUrl;
      return twimlRoutes(context, {
        dialect: config.dialect,
        verifier: config.verifier,
        rest: client,
        ...(options.nowSeconds !== undefined ? { nowSeconds: options.nowSeconds } : {}),
      });
    },
  };
}

/** Twilio, from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN; throws ProviderEnvError naming a missing one. */
export function twilioAdapter(setup: TwimlSetup, options?: TwimlAdapterOptions): ProviderAdapter {
  return twimlAdapter(twilioConfig(setup), options);
}

/** Telnyx TeXML, from TELNYX_API_KEY and TELNYX_PUBLIC_KEY (TELNYX_ACCOUNT_SID optional). */
export function telnyxAdapter(setup: TwimlSetup, options?: TwimlAdapterOptions): ProviderAdapter {
  return twimlAdapter(telnyxConfig(setup), options);
}

/** SignalWire, from SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN, SIGNALWIRE_SPACE_URL and SIGNALWIRE_SIGNING_KEY. */
export function signalwireAdapter(setup: TwimlSetup, options?: TwimlAdapterOptions): ProviderAdapter {
  return twimlAdapter(signalwireConfig(setup), options);
}
