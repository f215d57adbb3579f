import type { ServerConfig } from '../../src/server/config.js';

/**
 * The config of a test server on a free loopback port that runs another
 * provider's adapter: Hoiio's section is required by the type and never used.
 */
export function loopbackConfig(o: Partial<ServerConfig> = {}): ServerConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: 'unused', accessToken: 'unused', timeoutMs: 1000, signatureMode: 'off' },
    maxBodyBytes: 65_536,
    maxSteps: 200,
    ...o,
  };
}
