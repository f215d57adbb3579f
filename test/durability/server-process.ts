/**
 * A callscript server as a real child process (`node bin/callscript.js serve …`), so
 * tests can kill it with SIGKILL like a crash or a deploy would. Its JSON log lines
 * are collected for assertions. Runs the built code in dist/ (`npm test` builds it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export type LogLine = Record<string, unknown>;

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  logs(): LogLine[];
  waitForLog(pred: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/callscript.js');

export const HOIIO = { appId: 'AP-durable', accessToken: 'durable-access-token' };
export const API_TOKEN = 'durable-api-token';

export interface ServeOptions {
  readonly scripts: string;
  /** `--store`; left out (the default store) when undefined. */
  readonly store?: string;
  /** The working directory (default: the repository); the default store's file is relative to it. */
  readonly cwd?: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly hoiioUrl: string;
  readonly extraArgs?: readonly string[];
  /** `info` unless a test reads the per-step lines (`notification`, `step.entered`), which are `debug`. */
  readonly logLevel?: 'info' | 'debug';
  /** Added to the process's environment (e.g. the crash hook `CALLSCRIPT_CRASH_AT`). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startServerProcess(o: ServeOptions): Promise<ServerProcess> {
  const server = spawnServer([BIN], o);
  await server.waitForLog((l) => l.msg === 'server.listening', 15_000);
  return server;
}

/** A server process whose code is loaded and which waits to be started. */
export interface Standby {
  /** Starts serving (the previous server on its port and store must be gone); resolves once it listens. */
  start(): Promise<ServerProcess>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const STANDBY = resolve(import.meta.dirname, 'standby.mjs');

/**
 * Spawns a server that loads its code (half a second or more of CPU on a busy machine)
 * and then waits for `start()`, so a restart test can prepare the next server while the
 * current one runs, and restart in the time it takes to open the store and listen.
 */
export async function spawnStandby(o: ServeOptions): Promise<Standby> {
  const server = spawnServer([STANDBY, BIN], o);
  await server.waitForLog((l) => l.msg === 'standby.ready', 30_000);
  return {
    start: async () => {
      server.child.stdin?.end('go\n');
      await server.waitForLog((l) => l.msg === 'server.listening', 15_000);
      return server;
    },
    kill: (signal) => server.kill(signal),
  };
}

function spawnServer(script: readonly string[], o: ServeOptions): ServerProcess {
  if (!existsSync(resolve(ROOT, 'dist/store/sqlite-store.js'))) {
    throw new Error('dist/ is missing or stale: run `npm run build` first (`npm test` does it)');
  }
  const args = [
    ...script,
    'serve',
    o.scripts,
    ...(o.store !== undefined ? ['--store', o.store] : []),
    '--port',
    String(o.port),
    '--host',
    '127.0.0.1',
    '--public-url',
    o.publicUrl,
    '--hoiio-url',
    o.hoiioUrl,
    '--signature-mode',
    'enforce',
    '--log-level',
    o.logLevel ?? 'info',
    ...(o.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: o.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOIIO_APP_ID: HOIIO.appId,
      HOIIO_ACCESS_TOKEN: HOIIO.accessToken,
      CALLSCRIPT_API_TOKEN: API_TOKEN,
      ...o.env,
    },
    stdio: [script[0] === STANDBY ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  /** Called on every new line and once at exit. */
  const waiters = new Set<(exited: boolean) => void>();
  let partial = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      if (part.trim() === '') continue;
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        lines.push({ msg: 'unparsed', text: part });
      }
    }
    for (const w of [...waiters]) w(false);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      for (const w of [...waiters]) w(true);
      done();
    }),
  );

  const waitForLog = (pred: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> =>
    new Promise((resolvePromise, reject) => {
      const settle = (isExit: boolean): void => {
        const hit = lines.find(pred);
        if (hit === undefined && !isExit) return;
        clearTimeout(timer);
        waiters.delete(settle);
        if (hit !== undefined) resolvePromise(hit);
        else reject(new Error(`server exited (${child.exitCode ?? child.signalCode}) before the awaited log line:\n${stderr}`));
      };
      const timer = setTimeout(() => {
        waiters.delete(settle);
        reject(new Error(`timed out waiting for a log line; stderr:\n${stderr}`));
      }, timeoutMs);
      waiters.add(settle);
      settle(child.exitCode !== null || child.signalCode !== null);
    });

  return {
    child,
    port: o.port,
    url: `http://127.0.0.1:${o.port}`,
    logs: () => [...lines],
    waitForLog,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
