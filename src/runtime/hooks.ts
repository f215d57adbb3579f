import type { Block } from '../engine/blocks.js';
import type { CallState, Outcome } from '../engine/state.js';

/** Observation points for metrics and tools; every hook is optional and must not throw. */
export interface RunnerHooks {
  callStarted?(state: CallState): void;
  blockSent?(state: CallState, block: Block, ms: number): void;
  providerError?(block: Block['kind'], code: string): void;
  callEnded?(state: CallState, outcome: Outcome): void;
}
