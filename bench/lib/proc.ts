/**
 * Child processes of the benchmark and what the kernel says about them: CPU time
 * and peak RSS come from /proc/<pid>, the same way for the engine and the baseline,
 * so neither needs instrumenting. (Linux only; elsewhere they are reported as unknown.)
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

// One helper for the tests, the bench and the soak.
export { freePort } from '../../test/store/redis-server.js';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds a process has used so far; NaN when unknown. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return Number.NaN;
  }
}

/** Peak resident set size (VmHWM) in bytes; NaN when unknown. */
export function peakRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Whether processes can be pinned to CPUs here (Linux `taskset`, two CPUs or more). */
export function canPin(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) >= 2;
  } catch {
    return false;
  }
}

/** Pins a running process (all its threads) to one CPU. */
export function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}

/**
 * Starts a server process (stdout and stderr to `logFile`) and waits until `GET /healthz` answers.
 * With `cpu`, it runs pinned to that CPU (`taskset` execs node, so the pid is node's).
 */
export async function startServerProcess(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  cpu?: number,
): Promise<ServerProcess> {
  const out = openSync(logFile, 'a');
  const [command, argv] = cpu === undefined ? [process.execPath, args] : ['taskset', ['-c', String(cpu), process.execPath, ...args]];
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before it was ready; see ${logFile}`))),
  );
  const deadline = Date.now() + 30_000;
  const ready = (async () => {
    for (;;) {
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${name} did not answer /healthz within 30 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return {
    name,
    child,
    url,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface Worker {
  readonly child: ChildProcess;
  /** Sends `message` and resolves with the first reply of `type`. */
  ask<T>(message: object, type: string): Promise<T>;
  stop(): Promise<void>;
}

/** Forks a bench module with an IPC channel and waits for its `{type:'ready'}`. */
export async function forkWorker(module: string, execArgv: readonly string[] = []): Promise<{ worker: Worker; ready: Record<string, unknown> }> {
  const child = fork(module, [], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: object | undefined, type: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (reply: { type?: string } & Record<string, unknown>): void => {
        if (reply.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply as T);
      };
      const onExit = (code: number | null): void => {
        child.off('message', onMessage);
        reject(new Error(`${module} exited (${code}) while waiting for "${type}"`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (message !== undefined) child.send(message);
    });
  const ready = await ask<Record<string, unknown>>(undefined, 'ready');
  return {
    ready,
    worker: {
      child,
      ask: (message, type) => ask(message, type),
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.send({ cmd: 'exit' });
        }),
    },
  };
}
