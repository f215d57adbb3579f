import type { Block } from '../engine/blocks.js';
import type { CallState, Outcome } from '../engine/state.js';
import type { Note } from '../engine/transition.js';

/** Observation points for metrics and tools; every hook is optional and must not throw. */
export interface RunnerHooks {
  callStarted?(state: CallState): void;
  /** The provider accepted `block`; `ms`: how long its request took, retries included. */
  blockSent?(state: CallState, block: Block, ms: number): void;
  /** An event was handled up to its next block being accepted: `ms` from the notification (or the new call) reaching the runner. */
  stepCompleted?(state: CallState, block: Block['kind'], ms: number): void;
  providerError?(block: Block['kind'], code: string): void;
  /** A provider request is retried (the block provably did not run). */
  providerRetry?(block: Block['kind'], code: string): void;
  callEnded?(state: CallState, outcome: Outcome): void;
  /** The interpreter's notes of one transition (steps entered, no input, invalid input…) with the state after it; test coverage reads them. */
  notes?(state: CallState, notes: readonly Note[]): void;
}

/** One set of hooks that calls each of `all` in turn (e.g. metrics and a test's own). */
export function mergeHooks(...all: ReadonlyArray<RunnerHooks | undefined>): RunnerHooks {
  const list = all.filter((h): h is RunnerHooks => h !== undefined);
  if (list.length === 1 && list[0] !== undefined) return list[0];
  return {
    callStarted: (state) => list.forEach((h) => h.callStarted?.(state)),
    blockSent: (state, block, ms) => list.forEach((h) => h.blockSent?.(state, block, ms)),
    stepCompleted: (state, block, ms) => list.forEach((h) => h.stepCompleted?.(state, block, ms)),
    providerError: (block, code) => list.forEach((h) => h.providerError?.(block, code)),
    providerRetry: (block, code) => list.forEach((h) => h.providerRetry?.(block, code)),
    callEnded: (state, outcome) => list.forEach((h) => h.callEnded?.(state, outcome)),
    notes: (state, notes) => list.forEach((h) => h.notes?.(state, notes)),
  };
}
