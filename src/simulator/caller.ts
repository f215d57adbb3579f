/**
 * Caller agents: the simulated people on the line. An agent is asked once per block that
 * needs a decision (dial and transfer outcomes, gather keys, recording length, and whether
 * to keep listening to a play or monitor), so it can hang up in the middle of anything.
 *
 * Agents keep per-call state in WeakMaps, so one agent can serve many calls.
 */
import { createPrng, type Prng } from './prng.js';
import type { CallerAction, CallerAgent, DialOutcome, SimCall } from './types.js';

export interface CallerScript {
  /** One entry per Gather, in order; '' = no input. When they run out, the caller hangs up at the next Gather. */
  readonly presses?: readonly string[];
  /** One outcome per Transfer, in order; default `answered`. */
  readonly transfers?: readonly DialOutcome[];
  /** The callee's answer to a Dial; default `answered`. */
  readonly dial?: DialOutcome;
  /** Hang up during the block after this many blocks (0 = during the first). */
  readonly hangupAfter?: number;
  /** Seconds spoken at a Record; default 3. */
  readonly recordSeconds?: number;
  /** Seconds of an answered transfer before it ends; default 0. */
  readonly talkSeconds?: number;
}

/** A caller that follows a fixed script. */
export function scriptedCaller(script: CallerScript = {}): CallerAgent {
  const progress = new WeakMap<SimCall, { blocks: number; presses: number; transfers: number }>();
  return (prompt, call): CallerAction => {
    let p = progress.get(call);
    if (!p) {
      p = { blocks: 0, presses: 0, transfers: 0 };
      progress.set(call, p);
    }
    p.blocks++;
    if (script.hangupAfter !== undefined && p.blocks > script.hangupAfter) return { type: 'hangup' };
    switch (prompt.block) {
      case 'gather': {
        const presses = script.presses ?? [];
        if (p.presses >= presses.length) return { type: 'hangup' };
        const digits = presses[p.presses++] ?? '';
        return digits === '' ? { type: 'no-input' } : { type: 'press', digits };
      }
      case 'transfer': {
        const outcome = script.transfers?.[p.transfers++] ?? 'answered';
        return { type: 'outcome', outcome, seconds: script.talkSeconds ?? 0 };
      }
      case 'dial':
        return { type: 'outcome', outcome: script.dial ?? 'answered', seconds: script.talkSeconds ?? 0 };
      case 'record':
        return { type: 'record', seconds: script.recordSeconds ?? 3 };
      case 'play':
      case 'monitor':
        return { type: 'continue' };
    }
  };
}

export interface InteractiveOptions {
  /** Wait for `act({type:'continue'})` at every Play/Monitor too; default false (they just play). */
  readonly confirmPlays?: boolean;
}

/**
 * A caller driven from outside through `call.act(action)` (terminal phone, browser phone).
 * Its decisions never settle on their own; `act` settles them.
 */
export function interactiveCaller(options: InteractiveOptions = {}): CallerAgent {
  return (prompt) => {
    if (!options.confirmPlays && (prompt.block === 'play' || prompt.block === 'monitor')) {
      return { type: 'continue' };
    }
    return new Promise<CallerAction>(() => undefined);
  };
}

export interface RandomCallerOptions {
  /** Chance of hanging up at any block; default 0.05. */
  readonly hangup?: number;
  /** Chance of pressing nothing at a Gather; default 0.15. */
  readonly noInput?: number;
  /** Keys to draw from; default 0-9. */
  readonly keys?: string;
  /** Outcomes of Dial/Transfer, drawn uniformly; default mostly answered. */
  readonly outcomes?: readonly DialOutcome[];
  readonly maxRecordSeconds?: number;
}

/** A seeded random caller: same seed and session → same behaviour, whatever runs alongside. */
export function randomCaller(seed: number | string, options: RandomCallerOptions = {}): CallerAgent {
  const streams = new WeakMap<SimCall, Prng>();
  const hangup = options.hangup ?? 0.05;
  const noInput = options.noInput ?? 0.15;
  const keys = [...(options.keys ?? '0123456789')];
  const outcomes = options.outcomes ?? ['answered', 'answered', 'answered', 'busy', 'unanswered', 'failed'];
  return (prompt, call): CallerAction => {
    let rng = streams.get(call);
    if (!rng) {
      rng = createPrng(`${seed}:${call.session}`);
      streams.set(call, rng);
    }
    if (rng.chance(hangup)) return { type: 'hangup' };
    switch (prompt.block) {
      case 'gather': {
        if (rng.chance(noInput)) return { type: 'no-input' };
        const n = prompt.maxDigits > 0 ? rng.int(1, prompt.maxDigits) : rng.int(1, 4);
        let digits = '';
        for (let i = 0; i < n; i++) digits += rng.pick(keys);
        return { type: 'press', digits };
      }
      case 'dial':
      case 'transfer':
        return { type: 'outcome', outcome: rng.pick(outcomes), seconds: rng.int(0, 120) };
      case 'record':
        return { type: 'record', seconds: rng.int(1, options.maxRecordSeconds ?? 30) };
      case 'play':
      case 'monitor':
        return { type: 'continue' };
    }
  };
}
