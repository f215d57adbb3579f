/**
 * Who plays the caller of a call placed from the terminal (`call`, `phone`): a
 * scripted plan when --press/--transfer/--dial say what to do, else the person
 * at the terminal, asked line by line on stdin.
 */
import { scriptedPlan, type Decide, type ScriptedCallerFlags } from '../testbench/caller-plan.js';
import { LineReader } from '../testbench/line-reader.js';
import { terminalCaller } from '../testbench/terminal-caller.js';

export interface TerminalCallerChoice {
  readonly decide: Decide;
  /** Whether the caller hung up on purpose (the presses ran out, `h`, the end of input). */
  readonly hungUpOnPurpose: () => boolean;
  /** Releases stdin (interactive only). */
  close(): void;
}

export function chooseCaller(scripted: ScriptedCallerFlags | undefined, err: (text: string) => void): TerminalCallerChoice {
  if (scripted !== undefined) {
    const plan = scriptedPlan(scripted);
    return { decide: plan, hungUpOnPurpose: plan.exhausted, close: () => undefined };
  }
  const lines = new LineReader(process.stdin);
  const caller = terminalCaller(lines, err);
  return { decide: caller.decide, hungUpOnPurpose: caller.hungUp, close: () => lines.close() };
}
