import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/log/logger.js';
import { loadScripts } from '../../src/script-files/load.js';
import type { Script } from '../../src/script/model.js';
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/dev/server.js';
import type { BlockEntry, SimCall, SimEntry } from '../../src/simulator/index.js';

/** A logger whose JSON lines a test can read back. */
export function captureLogger(level = 'info'): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const log = pino({ level, base: null }, stream);
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export async function exampleScripts(): Promise<Script[]> {
  const loaded = await loadScripts(['examples/']);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) throw new Error('examples do not validate');
  return loaded.scripts;
}

export const TEST_API_TOKEN = 'test-api-token';

/** A dev server (engine + simulator) on ephemeral loopback ports. */
export async function startTestServer(
  overrides: Partial<DevServerOptions> & { scripts?: readonly Script[]; log?: Logger } = {},
): Promise<DevServer> {
  return startDevServer({
    flags: {
      port: 0,
      host: '127.0.0.1',
      hoiioTimeout: 5_000,
      signatureMode: 'enforce',
      maxSteps: 200,
      maxBody: 65_536,
    },
    scripts: overrides.scripts ?? (await exampleScripts()),
    log: overrides.log ?? pino({ level: 'silent' }),
    apiToken: TEST_API_TOKEN,
    accessToken: 'test-access-token',
    ...overrides,
  });
}

/** The blocks the engine sent for a call, as `[block, params]` without notify_url and session. */
export function sentBlocks(call: SimCall): Array<[string, Record<string, string>]> {
  return call.transcript
    .filter((e: SimEntry): e is BlockEntry => e.kind === 'block')
    .map((e) => {
      const { notify_url: _n, session: _s, ...rest } = e.params;
      return [e.block, rest];
    });
}

/** Just the block names and their `msg`, for compact assertions. */
export function spoken(call: SimCall): Array<[string, string | undefined]> {
  return sentBlocks(call).map(([block, p]) => [block, p.msg]);
}
