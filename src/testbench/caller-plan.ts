/**
 * What the caller does at each block, decided from a plan: the actions written beside
 * the expected blocks of a test (by position), a plain list of actions (in order, by
 * the blocks that need a decision), or the terminal's `--press` / `--transfer` flags.
 *
 * A plan is a `Decide` function, so the same plan drives an in-process simulator (as a
 * caller agent) and a remote one (through the control plane's `act`).
 */
import type { CallerAction, CallerAgent, CallerPrompt, DialOutcome, SimCall } from '../simulator/types.js';
import type { ExpectedTurn } from './test-file.js';
import type { CallerMove } from './transcript.js';

/** `turn` is the 0-based index of the block the prompt belongs to, counting every block of the call. */
export type Decide = (prompt: CallerPrompt, turn: number) => CallerAction | Promise<CallerAction>;

export const DEFAULT_RECORD_SECONDS = 3;

/** When the plan says nothing: listen, answer, speak for a while; at a gather, hang up. */
export function defaultAction(prompt: CallerPrompt): CallerAction {
  switch (prompt.block) {
    case 'gather':
      return { type: 'hangup' };
    case 'transfer':
    case 'dial':
      return { type: 'outcome', outcome: 'answered' };
    case 'record':
      return { type: 'record', seconds: DEFAULT_RECORD_SECONDS };
    case 'play':
    case 'monitor':
      return { type: 'continue' };
  }
}

/** The simulator action for a move at a prompt, or undefined when the move does not fit it. */
export function actionFor(move: CallerMove, prompt: CallerPrompt): CallerAction | undefined {
  if ('hangup' in move) return { type: 'hangup' };
  switch (prompt.block) {
    case 'gather':
      if ('press' in move) return { type: 'press', digits: move.press };
      if ('no_input' in move) return { type: 'no-input' };
      return undefined;
    case 'transfer':
    case 'dial':
      return 'outcome' in move ? { type: 'outcome', outcome: move.outcome } : undefined;
    case 'record':
      return 'record' in move ? { type: 'record', seconds: move.record } : undefined;
    default:
      return undefined;
  }
}

/** A test's expectations: at block n, the action written beside expectation n. */
export function positionalPlan(expect: readonly ExpectedTurn[]): Decide {
  return (prompt, turn) => {
    const move = expect[turn]?.caller;
    return (move !== undefined ? actionFor(move, prompt) : undefined) ?? defaultAction(prompt);
  };
}

function needsDecision(prompt: CallerPrompt): boolean {
  return prompt.block === 'gather' || prompt.block === 'transfer' || prompt.block === 'dial';
}

/**
 * A list of actions taken in order by the blocks that need a decision: a gather takes
 * the next press / no input / hangup, a transfer or dial the next outcome or hangup (it
 * is answered when the next action is a press). A move that cannot apply where it comes
 * is reported through `problem` and the caller hangs up.
 */
export function queuePlan(moves: readonly CallerMove[], problem: (message: string) => void): Decide {
  let next = 0;
  return (prompt) => {
    if (!needsDecision(prompt)) return defaultAction(prompt);
    const move = moves[next];
    if (move === undefined) return defaultAction(prompt);
    const action = actionFor(move, prompt);
    if (action !== undefined) {
      next++;
      return action;
    }
    if (prompt.block !== 'gather') return defaultAction(prompt);
    problem(`action ${next + 1} (${JSON.stringify(move)}) came at a gather, which needs keys, no_input or hangup; the caller hung up`);
    next = moves.length;
    return { type: 'hangup' };
  };
}

export interface ScriptedCallerFlags {
  /** One per gather, '' = no input; when they run out the caller hangs up. */
  readonly presses: readonly string[];
  /** One per transfer; answered when they run out. */
  readonly transfers: readonly DialOutcome[];
  /** The callee's answer to an outbound call. */
  readonly dial?: DialOutcome;
}

/** The terminal's `--press 1,,9 --transfer busy --dial answered`. */
export function scriptedPlan(flags: ScriptedCallerFlags): Decide & { readonly exhausted: () => boolean } {
  let presses = 0;
  let transfers = 0;
  let ranOut = false;
  const decide: Decide = (prompt) => {
    switch (prompt.block) {
      case 'gather': {
        const digits = flags.presses[presses++];
        if (digits === undefined) {
          ranOut = true;
          return { type: 'hangup' };
        }
        return digits === '' ? { type: 'no-input' } : { type: 'press', digits };
      }
      case 'transfer':
        return { type: 'outcome', outcome: flags.transfers[transfers++] ?? 'answered' };
      case 'dial':
        return { type: 'outcome', outcome: flags.dial ?? 'answered' };
      default:
        return defaultAction(prompt);
    }
  };
  return Object.assign(decide, { exhausted: () => ranOut });
}

/** The index of the block a call is running: blocks so far, minus one. */
export function currentTurn(call: SimCall): number {
  let blocks = 0;
  for (const entry of call.transcript) if (entry.kind === 'block') blocks++;
  return blocks - 1;
}

/** A simulator caller agent that follows a plan. */
export function planAgent(decide: Decide): CallerAgent {
  return (prompt, call) => decide(prompt, currentTurn(call));
}
