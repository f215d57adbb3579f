import type { Logger } from '../log/logger.js';
import type { RunnerHooks } from '../runtime/hooks.js';
import type { ReloadSetup } from '../reload/setup.js';
import type { Script } from '../script/model.js';
import { createSimulatorControl, startSimulator } from '../simulator/index.js';
import type { Simulator, SimulatorOptions } from '../simulator/index.js';
import type { SessionStore } from '../store/session-store.js';
import { CalleeDirectory } from '../testbench/callees.js';
import { phoneRoutes } from '../phone/routes.js';
import { startServer, type RunningServer } from './start.js';
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
  readonly apiToken?: string;
  readonly accessToken: string;
  readonly store?: SessionStore;
  readonly hooks?: RunnerHooks;
  /** Hot reload of the scripts' folder (see `startServer`). */
  readonly reload?: ReloadSetup;
  /** Extra simulator options (callers, faults, timing) for tests and tools. */
  readonly simulator?: Partial<SimulatorOptions>;
}

export interface DevServer extends RunningServer {
  readonly simulator: Simulator;
  /** Answers the calls the engine dials: per call for tools that claim one (tests, phones), else the configured callee. */
  readonly callees: CalleeDirectory;
}

/**
 * The callscript server wired to the built-in Hoiio simulator: the simulator rings
 * the server's Voice Notify URL and the server calls the simulator's API. The
 * simulator's control plane is mounted at `/sim` for terminal and browser phones.
 */
export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const appId = 'callscript-dev';
  let server: RunningServer | undefined;
  const callees = new CalleeDirectory(o.simulator?.outboundCaller);
  const simulator = await startSimulator({
    appId,
    accessToken: o.accessToken,
    voiceNotifyUrl: () => (server !== undefined ? `${server.publicUrl}/hoiio/incoming` : undefined),
    concurrentCallLimit: 100_000,
    ...o.simulator,
    outboundCaller: callees.agent,
  });
  callees.attach(simulator);
  try {
    server = await startServer({
      config: {
        port: o.flags.port,
        host: o.flags.host,
        ...(o.flags.publicUrl !== undefined ? { publicUrl: o.flags.publicUrl } : {}),
        hoiio: {
          baseUrl: simulator.url,
          appId,
          accessToken: o.accessToken,
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
      ...(o.store !== undefined ? { store: o.store } : {}),
      ...(o.hooks !== undefined ? { hooks: o.hooks } : {}),
      ...(o.reload !== undefined ? { reload: o.reload } : {}),
      mount: (app) => {
        app.route('/sim', createSimulatorControl(simulator));
        // The browser phone: dev only, it places and drives calls without credentials.
        app.route('/phone', phoneRoutes({ simulator, callees, server: () => server }));
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
    callees,
    close: async () => {
      await simulator.close();
      await running.close();
    },
  };
}
