/**
 * What a gather's result does: the next escalating prompt or no-input on
 * nothing pressed, the branch for the keys, a global key (or `repeat`), or an
 * invalid-input retry that says the invalid message and then the prompt.
 */
import type { MessagePart } from './parts.js';
import { REPEAT_TARGET, type GatherStep } from '../script/model.js';
import { RenderError, type Run } from './run.js';

/** Asks a gather again where it is: an invalid-input retry (with `prefix`), the next escalating prompt, or a `repeat` key. */
export function askAgain(run: Run, step: GatherStep, prefix: readonly MessagePart[] | undefined): void {
  try {
    run.sendStep(step, prefix !== undefined && prefix.length === 0 ? undefined : prefix);
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    run.notes.push({ type: 'render.failed', step: step.id, field: err.field, error: err.message });
    const next = run.failure(step, 'render');
    if (next !== undefined) run.enter(next);
  }
}

export function onGatherDone(run: Run, step: GatherStep, digits: string): void {
  const s = run.s;
  s.digits = digits;
  run.invalidateContext();
  run.keepInput(step.id, digits);

  if (digits === '') {
    if (step.prompts !== undefined && (s.attempt ?? 0) < step.prompts.length - 1) {
      s.attempt = (s.attempt ?? 0) + 1;
      run.notes.push({ type: 'prompt.next', step: step.id, attempt: s.attempt });
      askAgain(run, step, undefined);
      return;
    }
    run.notes.push({ type: 'input.none', step: step.id });
    if (step.noInput !== undefined) run.enter(step.noInput);
    else run.hangupPolitely('no-input');
    return;
  }

  const branch = step.branches !== undefined && Object.hasOwn(step.branches, digits) ? step.branches[digits] : undefined;
  if (branch !== undefined) {
    run.save(step.saveAs, digits);
    run.invalidateContext();
    run.enter(branch);
    return;
  }

  // Global keys: only where the gather's own branches did not take the input.
  const key = step.keys !== undefined && Object.hasOwn(step.keys, digits) ? step.keys[digits] : undefined;
  if (key !== undefined) {
    run.branch(step.id, digits);
    if (key !== REPEAT_TARGET) {
      run.enter(key);
      return;
    }
    // `repeat` asks again without using an invalid-input retry; it counts against the step limit.
    if (s.steps >= run.maxSteps) {
      run.notes.push({ type: 'step.limit', limit: run.maxSteps });
      run.hangupPolitely('step-limit');
      return;
    }
    s.steps += 1;
    askAgain(run, step, undefined);
    return;
  }

  if (step.branches === undefined) {
    run.save(step.saveAs, digits);
    run.invalidateContext();
    if (step.next !== undefined) run.enter(step.next);
    else run.hangupPolitely('error');
    return;
  }

  const { invalid } = step;
  if (s.retries < invalid.retries) {
    s.retries += 1;
    run.notes.push({ type: 'input.invalid', step: step.id, digits, retry: s.retries });
    let prefix: MessagePart[] | undefined;
    try {
      prefix = invalid.message !== undefined ? run.renderMessage(invalid.message, 'invalid.message', step.voice) : undefined;
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      run.notes.push({ type: 'render.failed', step: step.id, field: err.field, error: err.message });
      const next = run.failure(step, 'render');
      if (next !== undefined) run.enter(next);
      return;
    }
    askAgain(run, step, prefix);
    return;
  }
  run.notes.push({ type: 'input.invalid', step: step.id, digits, retry: s.retries + 1 });
  if (invalid.goto !== undefined) run.enter(invalid.goto);
  else run.hangupPolitely('invalid-input');
}

