import type { Block } from '../engine/blocks.js';
import type { CallState, Outcome } from '../engine/state.js';
import type { Note } from '../engine/transition.js';

/** Observation points for metrics and tools; every hook is optional and must not throw. */
export interface RunnerHooks {
  callStarted?(state: CallState): void;
  blockSent?(state: CallState, block: Block, ms: number): void;
  providerError?(block: Block['kind'], code: string): void;
  callEnded?(state: CallState, outcome: Outcome): void;
  /** The interpreter's notes of one transition (steps entered, no input, invalid input…) with the state after it; test coverage reads them. */
  notes?(state: CallState, notes: readonly Note[]): void;
}
