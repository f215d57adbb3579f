import type { SignatureMode } from '../provider/hoiio/signature.js';
import type { StoreConfig } from '../store/open-store.js';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Base URL the provider can reach us at; `http://localhost:<port>` when absent. */
  readonly publicUrl?: string;
  readonly hoiio: {
    readonly baseUrl: string;
    readonly appId: string;
    readonly accessToken: string;
    readonly timeoutMs: number;
    readonly signatureMode: SignatureMode;
  };
  /** Bearer token for `/calls`; outbound calls are disabled without one. */
  readonly apiToken?: string;
  /** Bearer token `GET /metrics` requires (CALLSCRIPT_METRICS_TOKEN); open when absent. */
  readonly metricsToken?: string;
  /** Largest webhook or API body accepted (bytes). */
  readonly maxBodyBytes: number;
  readonly maxSteps: number;
  /** Where calls live (`--store`); `startServer` opens it unless handed a store. The memory store when absent. */
  readonly store?: StoreConfig;
}

export const DEFAULT_HOIIO_URL = 'https://secure.hoiio.com/open/';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
