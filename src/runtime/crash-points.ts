/**
 * A test hook: `CALLSCRIPT_CRASH_AT=<point>:<n>` kills the process with SIGKILL the
 * n-th time (from 1) it passes the named point, so the restart test can crash a real
 * server at each point between a notification's arrival and its answer (see
 * docs/durability.md). Compiled in and inert unless the variable is set: an unset
 * variable costs one comparison per point passed.
 */

/** The points, in the order a notification passes them (docs/durability.md, "Crash points"). */
export const CRASH_POINTS = ['notify.arrived', 'notify.received', 'notify.committed', 'block.sending', 'block.accepted'] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Why `CALLSCRIPT_CRASH_AT` was refused. */
export class CrashPointError extends Error {
  readonly code = 'CS_BAD_CRASH_POINT';
  constructor(value: string) {
    super(`CALLSCRIPT_CRASH_AT must be <point>:<n> with a point of ${CRASH_POINTS.join(', ')} and n ≥ 1, got "${value}"`);
    this.name = 'CrashPointError';
  }
}

interface Armed {
  readonly point: CrashPoint;
  left: number;
}

/** Reads `CALLSCRIPT_CRASH_AT`; undefined (inert) when unset. A malformed value throws rather than test nothing. */
export function parseCrashAt(value: string | undefined): Armed | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^([a-z.]+):([1-9][0-9]*)$/.exec(value);
  const point = CRASH_POINTS.find((p) => p === match?.[1]);
  if (match === null || point === undefined) throw new CrashPointError(value);
  return { point, left: Number(match[2]) };
}

const armed = parseCrashAt(process.env.CALLSCRIPT_CRASH_AT);

/** Kills this process here if `CALLSCRIPT_CRASH_AT` names this point and this is its n-th pass. */
export function crashPoint(point: CrashPoint): void {
  if (armed === undefined || armed.point !== point) return;
  armed.left -= 1;
  if (armed.left === 0) process.kill(process.pid, 'SIGKILL');
}
