/**
 * Hoiio as one adapter of the provider port: a push provider (each block is
 * POSTed to its REST API; the block's result arrives at its notify URL).
 */
import type { ProviderAdapter } from '../port.js';
import type { ProviderClient } from '../provider.js';
import { HOIIO_CAPABILITIES } from './capabilities.js';
import { HoiioClient } from './client.js';
import { hoiioNotifyUrl, hoiioRoutes } from './routes.js';
import type { SignatureMode } from './signature.js';

/** Hoiio's settings: `serve`'s --hoiio-* flags and HOIIO_* environment variables. */
export interface HoiioConfig {
  readonly baseUrl: string;
  readonly appId: string;
  readonly accessToken: string;
  readonly timeoutMs: number;
  readonly signatureMode: SignatureMode;
}

export function hoiioAdapter(config: HoiioConfig, client?: ProviderClient): ProviderAdapter {
  return {
    capabilities: HOIIO_CAPABILITIES,
    client:
      client ??
      new HoiioClient({ baseUrl: config.baseUrl, appId: config.appId, accessToken: config.accessToken, timeoutMs: config.timeoutMs }),
    callbackUrl: hoiioNotifyUrl,
    routes: (context) =>
      hoiioRoutes({
        runner: context.runner,
        log: context.log,
        accessToken: config.accessToken,
        signatureMode: config.signatureMode,
        maxBodyBytes: context.maxBodyBytes,
        ...(context.onRefused !== undefined ? { onRefused: context.onRefused } : {}),
      }),
  };
}
