/**
 * The transcript of a call as the caller experiences it: the blocks the provider
 * received (with their rendered message and key parameters) and what the caller did
 * at each. Derived from the simulator's transcript entries, so it is exactly what was
 * sent over the wire, not what the engine meant to send.
 *
 * One model serves the terminal call (text and JSON lines), script tests (expected vs
 * actual), golden files (`--update`) and the browser phone.
 */
import { formatParts } from '../engine/parts.js';
import type { Outcome } from '../engine/state.js';
import type { BlockName, CallerAction, DialOutcome, EndReason, SimEntry } from '../simulator/types.js';

/** Block parameters worth showing and testing, under the script format's names. */
export const PARAM_NAMES = ['to', 'caller_id', 'max_digits', 'timeout', 'attempts', 'max_duration', 'tag', 'on_failure', 'force'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** The caller's part at a block, in the keys test files use. */
export type CallerMove =
  | { readonly press: string }
  | { readonly no_input: true }
  | { readonly outcome: DialOutcome }
  | { readonly hangup: true }
  | { readonly record: number };

export interface Turn {
  readonly block: BlockName;
  /** The `msg` said (rendered); absent when the block had none. */
  readonly message?: string;
  readonly params: Readonly<Partial<Record<ParamName, string>>>;
  /** What the caller (or, for dial, the callee) did; absent for plays listened to the end. */
  readonly caller?: CallerMove;
  /** The provider's error status when it refused the block. */
  readonly error?: string;
}

export interface CallEnd {
  /** The simulator's view: who or what ended the call. */
  readonly reason: EndReason;
  /** The engine's view, when known (in-process runs and dev servers with the phone API). */
  readonly outcome?: Outcome;
}

export interface Transcript {
  readonly turns: readonly Turn[];
  readonly end?: CallEnd;
}

const PROVIDER_PARAM: Readonly<Record<string, ParamName>> = {
  dest: 'to',
  caller_id: 'caller_id',
  max_digits: 'max_digits',
  timeout: 'timeout',
  attempts: 'attempts',
  max_duration: 'max_duration',
  tag: 'tag',
  on_failure: 'on_failure',
  force: 'force',
};

export function moveOf(action: CallerAction): CallerMove | undefined {
  switch (action.type) {
    case 'press':
      return { press: action.digits };
    case 'no-input':
      return { no_input: true };
    case 'outcome':
      return { outcome: action.outcome };
    case 'hangup':
      return { hangup: true };
    case 'record':
      return { record: action.seconds ?? 3 };
    case 'continue':
      return undefined;
  }
}

/** Turns from simulator entries (a whole call, or the part seen so far). */
export function buildTranscript(entries: readonly SimEntry[], outcome?: Outcome): Transcript {
  const turns: Array<{ -readonly [K in keyof Turn]: Turn[K] }> = [];
  let end: CallEnd | undefined;
  for (const entry of entries) {
    switch (entry.kind) {
      case 'block': {
        const params: Partial<Record<ParamName, string>> = {};
        for (const [key, value] of Object.entries(entry.params)) {
          const name = PROVIDER_PARAM[key];
          if (name !== undefined && value !== '') params[name] = value;
        }
        // The simulator's dialect read the message as heard; every provider's shows in the one readable form.
        const message = entry.heard !== undefined ? formatParts(entry.heard) : undefined;
        turns.push({
          block: entry.block,
          ...(message !== undefined && message !== '' ? { message } : {}),
          params,
          ...(entry.response !== 'success_ok' && entry.response !== 'accepted' ? { error: entry.response } : {}),
        });
        break;
      }
      case 'caller': {
        const move = moveOf(entry.action);
        const last = turns.at(-1);
        if (move !== undefined && last !== undefined && last.caller === undefined) last.caller = move;
        break;
      }
      case 'call':
        if (entry.event === 'ended' && entry.reason !== undefined) end = { reason: entry.reason };
        break;
      default:
        break;
    }
  }
  if (end !== undefined && outcome !== undefined) end = { ...end, outcome };
  return end === undefined ? { turns } : { turns, end };
}

const ICONS: Readonly<Record<BlockName, string>> = {
  dial: '☎',
  play: '▶',
  gather: '⌨',
  record: '●',
  monitor: '◉',
  transfer: '↪',
  hangup: '■',
  hold: '⏸',
  unhold: '⏵',
};

function plural(n: string, word: string): string {
  return `${n} ${word}${n === '1' ? '' : 's'}`;
}

/** What a block's settings mean to a caller: "(1 digit, 10 s, 2 attempts)". */
function details(turn: Turn): string {
  const p = turn.params;
  const parts: string[] = [];
  switch (turn.block) {
    case 'gather':
      if (p.max_digits !== undefined) parts.push(plural(p.max_digits, 'digit'));
      if (p.timeout !== undefined) parts.push(`${p.timeout} s`);
      if (p.attempts !== undefined) parts.push(plural(p.attempts, 'attempt'));
      break;
    case 'record':
      if (p.max_duration !== undefined) parts.push(`max ${p.max_duration} s`);
      break;
    case 'hangup':
      if (p.force !== undefined) parts.push('forced');
      break;
    default:
      break;
  }
  if (p.tag !== undefined) parts.push(`tag ${JSON.stringify(p.tag)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `⌨ gather (1 digit, 10 s, 2 attempts) "For sales press 1..."`. */
export function formatBlock(turn: Turn): string {
  let head = `${ICONS[turn.block]} ${turn.block}`;
  if ((turn.block === 'transfer' || turn.block === 'dial') && turn.params.to !== undefined) head += ` to ${turn.params.to}`;
  if (turn.params.caller_id !== undefined) head += ` from ${turn.params.caller_id}`;
  head += details(turn);
  if (turn.message !== undefined) head += ` ${JSON.stringify(turn.message)}`;
  if (turn.error !== undefined) head += `  ✗ refused: ${turn.error}`;
  return head;
}

/** `pressed 1`, `no input`, `busy`, `hung up`. */
export function formatMove(move: CallerMove, block: BlockName): string {
  if ('press' in move) return `pressed ${move.press}`;
  if ('no_input' in move) return 'no input';
  if ('outcome' in move) return block === 'dial' ? `callee: ${move.outcome}` : `transfer ${move.outcome}`;
  if ('hangup' in move) return 'hung up';
  return `spoke for ${move.record} s`;
}

export function formatTurn(turn: Turn): string[] {
  const lines = [formatBlock(turn)];
  if (turn.caller !== undefined) lines.push(`  ⇢ ${formatMove(turn.caller, turn.block)}`);
  return lines;
}

const END_WORDS: Readonly<Record<EndReason, string>> = {
  'caller-hangup': 'the caller hung up',
  'script-hangup': 'the script hung up',
  rejected: 'the call was rejected',
  'transfer-answered': 'the transfer was answered',
  'transfer-failed': 'the transfer failed and the call ended',
  'dial-failed': 'the callee did not answer',
  'no-answer-to-ringing': 'nobody answered the ringing call',
  'played-without-notify-url': 'the provider hung up after the message',
  'max-duration': 'the call reached its maximum duration',
  'idle-timeout': 'the engine sent nothing and the provider hung up',
  'application-error': 'the provider could not run the answer (an application error)',
  'simulator-closed': 'the simulator closed',
};

export function formatEnd(end: CallEnd): string {
  return `— call ended: ${END_WORDS[end.reason]}${end.outcome !== undefined ? ` (outcome: ${end.outcome})` : ''}`;
}

export function formatTranscript(transcript: Transcript): string[] {
  const lines = transcript.turns.flatMap(formatTurn);
  if (transcript.end !== undefined) lines.push(formatEnd(transcript.end));
  return lines;
}
