/**
 * Fault plans: how the simulator misbehaves on purpose, per API request and per notification.
 *
 * `randomFaults` is deterministic for a seed: each decision draws from a stream keyed by
 * (seed, session, per-call counter), so concurrent calls do not disturb each other's faults.
 */
import { createPrng } from './prng.js';
import type {
  FaultContext,
  FaultHooks,
  FaultPlan,
  NotificationFault,
  NotificationFaultContext,
  RequestFault,
  RequestFaultContext,
} from './types.js';

export interface ResolvedFaults {
  request(ctx: RequestFaultContext): RequestFault | undefined;
  notification(ctx: NotificationFaultContext): NotificationFault | undefined;
}

export function resolveFaults(plan: FaultPlan | undefined): ResolvedFaults {
  if (!plan) return { request: () => undefined, notification: () => undefined };
  if (typeof plan === 'function') {
    const fn: (ctx: FaultContext) => RequestFault | NotificationFault | undefined = plan;
    return { request: (ctx) => fn(ctx), notification: (ctx) => fn(ctx) };
  }
  const hooks: FaultHooks = plan;
  return {
    request: (ctx) => hooks.request?.(ctx),
    notification: (ctx) => hooks.notification?.(ctx),
  };
}

export interface DelayChance {
  readonly p: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface RandomFaultOptions {
  readonly seed: number | string;
  readonly request?: {
    readonly delay?: DelayChance;
    /** Chance of answering one of `statuses` (default: rate limit, internal error) without running the block. */
    readonly status?: number;
    readonly statuses?: readonly string[];
    readonly http502?: number;
    readonly reset?: number;
    readonly hang?: number;
    /** Whether transport faults still run the block (the answer is lost, not the request). */
    readonly apply?: boolean;
  };
  readonly notification?: {
    readonly delay?: DelayChance;
    readonly duplicate?: number;
    readonly reorder?: number;
    readonly drop?: number;
  };
}

/** A seeded plan that injects each fault kind with the given probability. */
export function randomFaults(options: RandomFaultOptions): FaultHooks {
  const req = options.request ?? {};
  const note = options.notification ?? {};
  const statuses = req.statuses ?? ['error_rate_limit_exceeded', 'error_internal_server_error'];
  const apply = req.apply ?? false;
  return {
    request: (ctx) => {
      const rng = createPrng(`${options.seed}:req:${ctx.session ?? `#${ctx.index}`}:${ctx.callIndex}`);
      const delayMs = req.delay && rng.chance(req.delay.p) ? rng.int(req.delay.minMs, req.delay.maxMs) : undefined;
      const base = delayMs === undefined ? {} : { delayMs };
      if (rng.chance(req.status ?? 0)) return { ...base, status: rng.pick(statuses) };
      if (rng.chance(req.http502 ?? 0)) return { ...base, httpStatus: 502, apply };
      if (rng.chance(req.reset ?? 0)) return { ...base, reset: true, apply };
      if (rng.chance(req.hang ?? 0)) return { ...base, hang: true, apply };
      return delayMs === undefined ? undefined : base;
    },
    notification: (ctx) => {
      const rng = createPrng(`${options.seed}:note:${ctx.session}:${ctx.callIndex}`);
      if (rng.chance(note.drop ?? 0)) return { drop: true };
      const fault: { delayMs?: number; duplicate?: number; reorder?: boolean } = {};
      if (note.delay && rng.chance(note.delay.p)) fault.delayMs = rng.int(note.delay.minMs, note.delay.maxMs);
      if (rng.chance(note.duplicate ?? 0)) fault.duplicate = 1;
      if (rng.chance(note.reorder ?? 0)) fault.reorder = true;
      return Object.keys(fault).length === 0 ? undefined : fault;
    },
  };
}
