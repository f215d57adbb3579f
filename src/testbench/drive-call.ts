/**
 * Follows a live call for a terminal: prints each block as the caller experiences it
 * (text) or each finished turn (JSON lines), asks the caller's plan at every decision,
 * and says how the call ended. Pure of process globals: output goes through `write`.
 */
import { POLITE_HANGUP, UNKNOWN_NUMBER_MESSAGE } from '../engine/messages.js';
import type { Outcome } from '../engine/state.js';
import type { CallerPrompt, SimEntry } from '../simulator/types.js';
import type { Decide } from './caller-plan.js';
import type { LiveCall } from './live-call.js';
import { buildTranscript, formatBlock, formatEnd, formatMove, moveOf, type CallEnd, type Transcript, type Turn } from './transcript.js';

export interface DriveOptions {
  readonly decide: Decide;
  readonly json: boolean;
  readonly write: (text: string) => void;
  /** With no new entry for this long (while not waiting for the caller), the call is hung up as stuck. */
  readonly idleMs: number;
  /** Whether the caller deliberately hung up (they asked: `h`, end of input, presses ran out). */
  readonly hungUpOnPurpose: () => boolean;
}

export interface DriveResult {
  readonly transcript: Transcript;
  readonly outcome?: Outcome;
  readonly stuck: boolean;
  /** The call ended the way the operator meant: the script hung up, a transfer was answered, or they hung up. */
  readonly clean: boolean;
}

function needsDecision(prompt: CallerPrompt): boolean {
  return prompt.block === 'gather' || prompt.block === 'transfer' || prompt.block === 'dial' || prompt.block === 'record';
}

const POLITE = new Set([...Object.values(POLITE_HANGUP), UNKNOWN_NUMBER_MESSAGE]);

/** Clean endings, from the engine's outcome when known, else from how the simulator saw it end. */
export function endedCleanly(end: CallEnd | undefined, outcome: Outcome | undefined, turns: readonly Turn[], hungUpOnPurpose: boolean): boolean {
  if (outcome !== undefined) return outcome === 'completed' || outcome === 'transferred' || (outcome === 'caller-hangup' && hungUpOnPurpose);
  switch (end?.reason) {
    case 'script-hangup': {
      const last = turns.at(-1);
      return last?.block === 'hangup' && last.params.force === undefined && !POLITE.has(last.message ?? '');
    }
    case 'transfer-answered':
      return true;
    case 'caller-hangup':
      return hungUpOnPurpose;
    default:
      return false;
  }
}

export async function driveCall(live: LiveCall, o: DriveOptions): Promise<DriveResult> {
  const entries: SimEntry[] = [];
  let blocks = 0;
  let stuck = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stuck = true;
      void live.close();
    }, o.idleMs);
  };
  const turnsPrinted = { n: 0 };
  const flushTurns = (all: boolean): void => {
    if (!o.json) return;
    const { turns } = buildTranscript(entries);
    const upTo = all ? turns.length : turns.length - 1;
    for (; turnsPrinted.n < upTo; turnsPrinted.n++) o.write(`${JSON.stringify({ type: 'turn', ...turns[turnsPrinted.n] })}\n`);
  };
  arm();
  try {
    for await (const entry of live.entries()) {
      entries.push(entry);
      arm();
      switch (entry.kind) {
        case 'block': {
          blocks++;
          flushTurns(false);
          if (!o.json) {
            const turn = buildTranscript([entry]).turns[0];
            if (turn !== undefined) o.write(`${formatBlock(turn)}\n`);
          }
          break;
        }
        case 'caller': {
          const move = moveOf(entry.action);
          if (!o.json && move !== undefined) o.write(`  ⇢ ${formatMove(move, entry.block === 'none' ? 'play' : entry.block)}\n`);
          break;
        }
        case 'prompt':
          if (needsDecision(entry.prompt)) {
            clearTimeout(timer);
            const action = await o.decide(entry.prompt, blocks - 1);
            await live.act(action);
            arm();
          }
          break;
        default:
          break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  const outcome = await live.outcome();
  const transcript = buildTranscript(entries, outcome);
  flushTurns(true);
  if (o.json) {
    o.write(`${JSON.stringify({ type: 'end', reason: transcript.end?.reason ?? null, outcome: outcome ?? null, stuck })}\n`);
  } else {
    if (transcript.end !== undefined) o.write(`${formatEnd(transcript.end)}\n`);
    if (stuck) o.write(`— the call made no progress for ${Math.round(o.idleMs / 1000)} s: hung up\n`);
  }
  const clean = !stuck && endedCleanly(transcript.end, outcome, transcript.turns, o.hungUpOnPurpose());
  return { transcript, ...(outcome !== undefined ? { outcome } : {}), stuck, clean };
}
