/**
 * The providers `dev`, `call` and `test` can run on a built-in simulator, and
 * how each is put together: its simulator, the adapter that talks to it (with
 * throwaway credentials made at start, for the simulator to check and sign
 * with), and where a tool rings a given script. A provider with a simulator is
 * one entry here; the simulator itself is one folder under src/simulator/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderAdapter } from '../provider/port.js';
import { adapterFromEnv } from '../provider/registry.js';
import { startSimulator } from '../simulator/index.js';
import { accountOf, newCredentials, UNSEEN_PARAMS, startTwimlSimulator, telnyxPublicKeyText, type TwimlCredentials, type TwimlProvider } from '../simulator/twiml/index.js';
import type { CallerAgent, FaultPlan, Simulator, SimulatorOptions, SimulatorTiming } from '../simulator/types.js';

/** What any simulator is started with by the dev server. */
export interface SimulatorStart {
  /** The server's public URL and listening URL, once it listens. */
  readonly server: () => { readonly publicUrl: string; readonly url: string } | undefined;
  /** Hoiio: the access token its notifications are signed with (the server checks them). */
  readonly accessToken: string;
  /** Callers, faults, timing and clock for tests and tools (the Hoiio simulator takes more: its own options pass through). */
  readonly options: Partial<SimulatorOptions>;
  readonly outboundCaller: CallerAgent;
}

export interface SimulatedProvider {
  readonly name: string;
  readonly simulator: Simulator;
  /** The adapter talking to the simulator; absent for Hoiio, whose adapter the server builds from `hoiio` settings. */
  readonly adapter?: ProviderAdapter;
  /** Hoiio's client settings (the server's `hoiio` config); placeholders for the others. */
  readonly hoiio: { readonly baseUrl: string; readonly appId: string; readonly accessToken: string };
  /** The URL a tool rings to run `script` by name whatever its numbers; undefined: the call is routed by the number dialled. */
  scriptUrl(publicUrl: string, script: { readonly name: string }): string | undefined;
  /** The caller id of an outbound call that names none (TwiML providers need a From; Hoiio uses the account's). */
  readonly defaultFrom?: string;
  /** Transcript parameters this provider never receives, so tests cannot compare them (empty on Hoiio). */
  readonly unseenParams: readonly string[];
}

type Starter = (start: SimulatorStart) => Promise<SimulatedProvider>;

const HOIIO_APP_ID = 'callscript-dev';

async function hoiio(start: SimulatorStart): Promise<SimulatedProvider> {
  const simulator = await startSimulator({
    appId: HOIIO_APP_ID,
    accessToken: start.accessToken,
    voiceNotifyUrl: () => {
      const server = start.server();
      return server !== undefined ? `${server.publicUrl}/hoiio/incoming` : undefined;
    },
    concurrentCallLimit: 100_000,
    ...start.options,
    outboundCaller: start.outboundCaller,
  });
  return {
    name: 'hoiio',
    simulator,
    hoiio: { baseUrl: simulator.url, appId: HOIIO_APP_ID, accessToken: start.accessToken },
    scriptUrl: (publicUrl, script) => `${publicUrl}/hoiio/incoming/${script.name}`,
    unseenParams: [],
  };
}

/** The environment a TwiML adapter reads, for the simulator's account. */
export function twimlEnv(c: TwimlCredentials): Record<string, string> {
  switch (c.provider) {
    case 'twilio':
      return { TWILIO_ACCOUNT_SID: c.accountSid, TWILIO_AUTH_TOKEN: c.authToken };
    case 'signalwire':
      return { SIGNALWIRE_PROJECT_ID: c.projectId, SIGNALWIRE_API_TOKEN: c.apiToken, SIGNALWIRE_SPACE_URL: c.space, SIGNALWIRE_SIGNING_KEY: c.signingKey };
    case 'telnyx':
      return { TELNYX_API_KEY: c.apiKey, TELNYX_PUBLIC_KEY: telnyxPublicKeyText(c.publicKey), TELNYX_ACCOUNT_SID: accountOf(c) };
  }
}

function twiml(provider: TwimlProvider): Starter {
  return async (start) => {
    const credentials = newCredentials(provider);
    const at = (path: string): string | undefined => {
      const server = start.server();
      return server !== undefined ? `${server.publicUrl}/${provider}/${path}` : undefined;
    };
    const o = start.options;
    const simulator = await startTwimlSimulator({
      provider,
      credentials,
      voiceUrl: () => at('voice'),
      statusUrl: () => at('status'),
      // The server may name a public URL (a tunnel's) that this machine does not route to itself: its requests go to where it listens.
      reach: (url) => {
        const server = start.server();
        return server !== undefined && url.startsWith(server.publicUrl) ? server.url + url.slice(server.publicUrl.length) : url;
      },
      outboundCaller: start.outboundCaller,
      ...(o.defaultCaller !== undefined ? { defaultCaller: o.defaultCaller } : {}),
      ...(o.outboundCallers !== undefined ? { outboundCallers: o.outboundCallers } : {}),
      ...(o.faults !== undefined ? { faults: o.faults as FaultPlan } : {}),
      ...(o.timing !== undefined ? { timing: o.timing as Partial<SimulatorTiming> } : {}),
      ...(o.clock !== undefined ? { clock: o.clock } : {}),
      ...(o.accountNumber !== undefined ? { accountNumber: o.accountNumber } : {}),
    });
    const env = twimlEnv(credentials);
    const adapter = adapterFromEnv(provider, { env: (name) => env[name], apiUrl: simulator.apiUrl });
    if (adapter === undefined) throw new Error(`no adapter for ${provider}`);
    return {
      name: provider,
      simulator,
      adapter,
      hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: '', accessToken: '' },
      // A TwiML number's voice URL is the same for every number: the adapter routes by To.
      scriptUrl: () => undefined,
      defaultFrom: simulator.accountNumber,
      unseenParams: UNSEEN_PARAMS,
    };
  };
}

/**
 * jambonz: the feature server stand-in rings the app's `/jambonz/voice` (routed by the number
 * called, like the TwiML family) and takes the adapter's REST calls with a throwaway API key.
 * Voicemail is written by the adapter itself (jambonz streams audio, it keeps none), in a
 * temporary folder of this run rather than the default under the working directory.
 */
async function jambonz(start: SimulatorStart): Promise<SimulatedProvider> {
  // Loaded only when asked for: it brings jambonz's verb validator.
  const { newJambonzCredentials, startJambonzSimulator } = await import('../simulator/jambonz/index.js');
  const credentials = newJambonzCredentials();
  const at = (path: string): string | undefined => {
    const server = start.server();
    return server !== undefined ? `${server.publicUrl}/jambonz/${path}` : undefined;
  };
  const o = start.options;
  const simulator = await startJambonzSimulator({
    credentials,
    callHook: () => at('voice'),
    statusHook: () => at('status'),
    reach: (url) => {
      const server = start.server();
      return server !== undefined && url.startsWith(server.publicUrl) ? server.url + url.slice(server.publicUrl.length) : url;
    },
    outboundCaller: start.outboundCaller,
    ...(o.defaultCaller !== undefined ? { defaultCaller: o.defaultCaller } : {}),
    ...(o.outboundCallers !== undefined ? { outboundCallers: o.outboundCallers } : {}),
    ...(o.faults !== undefined ? { faults: o.faults as FaultPlan } : {}),
    ...(o.timing !== undefined ? { timing: o.timing as Partial<SimulatorTiming> } : {}),
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
    ...(o.accountNumber !== undefined ? { accountNumber: o.accountNumber } : {}),
  });
  const recordings = mkdtempSync(join(tmpdir(), 'callscript-jambonz-recordings-'));
  simulator.on('close', () => rmSync(recordings, { recursive: true, force: true }));
  const env: Record<string, string> = {
    JAMBONZ_ACCOUNT_SID: credentials.accountSid,
    JAMBONZ_API_KEY: credentials.apiKey,
    JAMBONZ_WEBHOOK_SECRET: credentials.webhookSecret,
    JAMBONZ_RECORDINGS_DIR: recordings,
  };
  const adapter = adapterFromEnv('jambonz', { env: (name) => env[name], apiUrl: simulator.apiUrl });
  if (adapter === undefined) throw new Error('no adapter for jambonz');
  return {
    name: 'jambonz',
    simulator,
    adapter,
    hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: '', accessToken: '' },
    // One call hook for every number: the adapter routes by `to`.
    scriptUrl: () => undefined,
    defaultFrom: simulator.accountNumber,
    // Like the TwiML family, jambonz never receives tags, attempts (asked once each) or on_failure.
    unseenParams: UNSEEN_PARAMS,
  };
}

const STARTERS: Readonly<Record<string, Starter>> = {
  hoiio,
  twilio: twiml('twilio'),
  telnyx: twiml('telnyx'),
  signalwire: twiml('signalwire'),
  jambonz,
};

/** The providers with a built-in simulator, in `--provider` order. */
export const SIMULATED_PROVIDER_NAMES: readonly string[] = Object.freeze(Object.keys(STARTERS));

export function hasSimulator(provider: string): boolean {
  return Object.hasOwn(STARTERS, provider);
}

/** Starts `provider`'s simulator and its adapter; throws for a provider without one (check hasSimulator first). */
export function startSimulatedProvider(provider: string, start: SimulatorStart): Promise<SimulatedProvider> {
  const starter = STARTERS[provider];
  if (starter === undefined) throw new Error(`there is no ${provider} simulator`);
  return starter(start);
}
