/**
 * The interactive caller of `callscript call`: asks for each decision on stderr and reads
 * the answer from stdin, line by line — digits then Enter at a gather (Enter alone = no
 * input), an outcome at a transfer or dial (answered/busy/unanswered/failed or a/b/u/f),
 * `h` to hang up. The end of input hangs up.
 */
import type { CallerAction, CallerPrompt, DialOutcome } from '../simulator/types.js';
import { DEFAULT_RECORD_SECONDS, type Decide } from './caller-plan.js';
import type { LineReader } from './line-reader.js';

const OUTCOMES: Readonly<Record<string, DialOutcome>> = {
  a: 'answered',
  answered: 'answered',
  b: 'busy',
  busy: 'busy',
  u: 'unanswered',
  unanswered: 'unanswered',
  f: 'failed',
  failed: 'failed',
};

function question(prompt: CallerPrompt): string {
  switch (prompt.block) {
    case 'gather':
      return `? keys${prompt.maxDigits > 0 ? ` (up to ${prompt.maxDigits})` : ''}, then Enter — Enter alone = no input, h = hang up: `;
    case 'transfer':
      return `? transfer to ${prompt.dest}: answered, busy, unanswered or failed (a/b/u/f; Enter = answered, h = hang up): `;
    case 'dial':
      return `? the callee at ${prompt.dest}: answered, busy, unanswered or failed (a/b/u/f; Enter = answered): `;
    case 'record':
      return `? speak for how many seconds (Enter = ${DEFAULT_RECORD_SECONDS}, h = hang up): `;
    default:
      return '';
  }
}

function parse(prompt: CallerPrompt, line: string): CallerAction | string {
  const text = line.trim().toLowerCase();
  if (text === 'h' || text === 'hangup' || text === 'hang up') return { type: 'hangup' };
  switch (prompt.block) {
    case 'gather':
      if (text === '') return { type: 'no-input' };
      return /^[0-9*#]+$/.test(text) ? { type: 'press', digits: text } : 'keys are 0-9, * and #';
    case 'transfer':
    case 'dial': {
      if (text === '') return { type: 'outcome', outcome: 'answered' };
      const outcome = OUTCOMES[text];
      return outcome !== undefined ? { type: 'outcome', outcome } : 'answer answered, busy, unanswered or failed (a/b/u/f)';
    }
    case 'record': {
      if (text === '') return { type: 'record', seconds: DEFAULT_RECORD_SECONDS };
      const n = Number(text);
      return Number.isFinite(n) && n >= 0 ? { type: 'record', seconds: n } : 'a number of seconds';
    }
    default:
      return { type: 'continue' };
  }
}

export interface TerminalCaller {
  readonly decide: Decide;
  /** The caller chose to hang up (h, or the end of input). */
  readonly hungUp: () => boolean;
}

export function terminalCaller(lines: LineReader, ask: (text: string) => void): TerminalCaller {
  let hungUp = false;
  const decide: Decide = async (prompt) => {
    for (;;) {
      ask(question(prompt));
      const line = await lines.next();
      if (line === undefined) {
        ask('(end of input: hanging up)\n');
        hungUp = true;
        return { type: 'hangup' };
      }
      const action = parse(prompt, line);
      if (typeof action !== 'string') {
        if (action.type === 'hangup') hungUp = true;
        return action;
      }
      ask(`  ${action}\n`);
    }
  };
  return { decide, hungUp: () => hungUp };
}
