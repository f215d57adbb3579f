import type { Logger } from '../log/logger.js';
import type { RunnerHooks } from '../runtime/hooks.js';
import type { ReloadSetup } from '../reload/setup.js';
import type { Script } from '../script/model.js';
import { createSimulatorControl } from '../simulator/index.js';
import type { Simulator, SimulatorOptions } from '../simulator/index.js';
import { startSimulatedProvider, type SimulatedProvider } from './simulated-providers.js';
import type { SessionStore } from '../store/session-store.js';
import { CalleeDirectory } from './callees.js';
import { phoneRoutes } from './phone-routes.js';
import { startServer, type RunningServer, type StartOptions } from '../server/start.js';
import { devEventSink, type DevSink } from './event-sink.js';
import { DEFAULT_EVENTS_SECRET_ENV } from '../script/limits.js';
import type { SignatureMode } from '../provider/hoiio/signature.js';

export interface DevServerOptions {
  readonly flags: {
    readonly port: number;
    readonly host: string;
    readonly publicUrl?: string;
    readonly hoiioTimeout: number;
    readonly signatureMode: SignatureMode;
    readonly maxSteps: number;
    readonly maxBody: number;
    /** `--store`: opened by the server unless `store` is given; the memory store when both are absent. */
    readonly store?: string;
    readonly sessionTtl?: number;
    readonly endedRetention?: number;
  };
  readonly scripts: readonly Script[];
  readonly log: Logger;
  /** The provider whose simulator runs the calls (simulated-providers.ts); default hoiio. */
  readonly provider?: string;
  readonly apiToken?: string;
  readonly accessToken: string;
  readonly store?: SessionStore;
  readonly hooks?: RunnerHooks;
  /** Hot reload of the scripts' folder (see `startServer`). */
  readonly reload?: ReloadSetup;
  /** Extra simulator options (callers, faults, timing) for tests and tools. */
  readonly simulator?: Partial<SimulatorOptions>;
  /** Scripting features (see StartOptions): per-call setup, the `hours` clock, environment, call summaries. */
  readonly callSetup?: StartOptions['callSetup'];
  readonly clock?: () => number;
  readonly env?: (name: string) => string | undefined;
  readonly events?: StartOptions['events'];
}

export interface DevServer extends RunningServer {
  readonly simulator: Simulator;
  /** The simulated provider: its name, how a tool rings a script, the caller id of outbound calls. */
  readonly simulated: SimulatedProvider;
  /** Answers the calls the engine dials: per call for tools that claim one (tests, phones), else the configured callee. */
  readonly callees: CalleeDirectory;
  /** `POST /dev/events`: the local receiver of call summaries (`events_url: /dev/events`). */
  readonly eventSink: DevSink;
}

/**
 * The signing secret of call summaries on the dev server when CALLSCRIPT_EVENTS_SECRET
 * is not set (like `dev-token` for the API): summaries to the dev sink are signed and
 * checked without any setup. `serve` has no such default.
 */
export const DEV_EVENTS_SECRET = 'dev-events-secret';

/**
 * The callscript server wired to a built-in provider simulator (Hoiio's unless
 * `provider` says otherwise): the simulator rings the server's webhook URL and
 * the server calls the simulator's API. The simulator's control plane is
 * mounted at `/sim` for terminal and browser phones.
 */
export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  let server: RunningServer | undefined;
  const callees = new CalleeDirectory(o.simulator?.outboundCaller);
  const simulated = await startSimulatedProvider(o.provider ?? 'hoiio', {
    server: () => server,
    accessToken: o.accessToken,
    options: o.simulator ?? {},
    outboundCaller: callees.agent,
  });
  const simulator = simulated.simulator;
  callees.attach(simulator);
  const base = o.env ?? ((name: string) => process.env[name]);
  const env = (name: string): string | undefined => base(name) ?? (name === DEFAULT_EVENTS_SECRET_ENV ? DEV_EVENTS_SECRET : undefined);
  const eventSink = devEventSink({ log: o.log, secret: () => env(DEFAULT_EVENTS_SECRET_ENV) });
  try {
    server = await startServer({
      config: {
        port: o.flags.port,
        host: o.flags.host,
        ...(o.flags.publicUrl !== undefined ? { publicUrl: o.flags.publicUrl } : {}),
        hoiio: {
          ...simulated.hoiio,
          timeoutMs: o.flags.hoiioTimeout,
          signatureMode: o.flags.signatureMode,
        },
        ...(o.apiToken !== undefined ? { apiToken: o.apiToken } : {}),
        maxBodyBytes: o.flags.maxBody,
        maxSteps: o.flags.maxSteps,
        ...(o.flags.store !== undefined
          ? {
              store: {
                spec: o.flags.store,
                ...(o.flags.sessionTtl !== undefined ? { idleTtlMs: o.flags.sessionTtl } : {}),
                ...(o.flags.endedRetention !== undefined ? { endedRetentionMs: o.flags.endedRetention } : {}),
              },
            }
          : {}),
      },
      scripts: o.scripts,
      log: o.log,
      ...(simulated.adapter !== undefined ? { adapter: simulated.adapter } : {}),
      ...(o.store !== undefined ? { store: o.store } : {}),
      ...(o.hooks !== undefined ? { hooks: o.hooks } : {}),
      ...(o.reload !== undefined ? { reload: o.reload } : {}),
      ...(o.callSetup !== undefined ? { callSetup: o.callSetup } : {}),
      ...(o.clock !== undefined ? { clock: o.clock } : {}),
      ...(o.events !== undefined ? { events: o.events } : {}),
      env,
      mount: (app) => {
        // Call summaries of scripts with `events_url: /dev/events` land here (dev only).
        app.route('/dev/events', eventSink.routes);
        app.route('/sim', createSimulatorControl(simulator));
        // Which provider is simulated, and the caller id tools give an outbound call that names none (TwiML providers need a From).
        app.get('/dev/provider', (c) => c.json({ provider: simulated.name, ...(simulated.defaultFrom !== undefined ? { defaultFrom: simulated.defaultFrom } : {}) }));
        // The browser phone: dev only, it places and drives calls without credentials.
        app.route('/phone', phoneRoutes({ simulator, callees, server: () => server, scriptUrl: simulated.scriptUrl, ...(simulated.defaultFrom !== undefined ? { defaultFrom: simulated.defaultFrom } : {}) }));
      },
    });
  } catch (err) {
    await simulator.close();
    throw err;
  }
  const running = server;
  if (o.store === undefined && o.flags.store !== undefined) {
    // Calls of an earlier run died with its simulator, and this simulator numbers its
    // sessions from S1 again: old bindings would make new calls look like duplicates.
    await running.store.clear();
    o.log.info({ store: running.store.kind }, 'store.cleared');
  }
  return {
    ...running,
    simulator,
    simulated,
    callees,
    eventSink,
    close: async () => {
      await simulator.close();
      await running.close();
    },
  };
}
