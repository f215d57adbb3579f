/**
 * How a dialect's player asks the person on the line, the same for every
 * provider: the question becomes the call's running block (so a hangup or the
 * end of the call stops it) and goes through CallSession's pending decision.
 */
import type { CallSession, RunningBlock } from './session.js';
import type { BlockName, CallerAction, CallerPrompt, DialOutcome, EndReason } from './types.js';

/** Asks the caller during a block; the call is busy meanwhile unless `busy` is false (an outbound call still ringing). */
export async function askCaller(call: CallSession, block: BlockName, prompt: CallerPrompt, busy = true): Promise<CallerAction> {
  const running: RunningBlock = { block, params: {}, notifyUrl: undefined, controller: new AbortController() };
  call.running = running;
  if (busy) call.setState('busy');
  try {
    return await call.decide(prompt, running.controller.signal);
  } finally {
    if (call.running === running) call.running = undefined;
  }
}

/** What ringing an outbound call's callee needs from the simulator. */
export interface CalleeHost {
  answer(call: CallSession): void;
  end(call: CallSession, reason: EndReason, detail?: { readonly dialStatus?: DialOutcome }): void;
}

/** Rings an outbound call's callee: true once answered (the call is then answered); otherwise the call ends as the callee decided, or had already ended. */
export async function calleeAnswers(call: CallSession, host: CalleeHost): Promise<boolean> {
  let choice: CallerAction;
  try {
    choice = await askCaller(call, 'dial', { block: 'dial', dest: call.to }, false);
  } catch {
    return false;
  }
  if (call.state === 'ended') return false;
  const outcome: DialOutcome = choice.type === 'outcome' ? choice.outcome : choice.type === 'hangup' ? 'busy' : 'answered';
  if (outcome !== 'answered') {
    host.end(call, 'dial-failed', { dialStatus: outcome });
    return false;
  }
  host.answer(call);
  return true;
}
