/**
 * Where an http step's result takes the call: its `on_status` (exact, then by
 * class), `next` with the saved values on 2xx, `on_timeout`, else a failure.
 */
import type { CallEvent } from './events.js';
import type { StepId } from '../script/model.js';
import { MAX_ERROR_JUMPS } from './options.js';
import type { Run } from './run.js';

/** Where an http answer goes: an exact `on_status`, then its class (`5xx`), then `next` for 2xx; anything else is a failure. */
export function onHttpResult(run: Run, event: Extract<CallEvent, { type: 'http.result' }>): void {
  const s = run.s;
  const current = s.step !== null && !run.broken ? run.script.steps[s.step] : undefined;
  if (current?.kind !== 'http') {
    run.hangupPolitely('error');
    return;
  }
  s.httpStatus = event.status !== undefined ? String(event.status) : '';
  run.invalidateContext();
  run.notes.push({
    type: 'http.done',
    step: current.id,
    ...(event.status !== undefined ? { status: event.status } : {}),
    ...(event.failure !== undefined ? { failure: event.failure } : {}),
    ...(event.message !== undefined ? { error: event.message } : {}),
    ...(event.ms !== undefined ? { ms: event.ms } : {}),
  });

  if (event.failure === 'timeout' && current.onTimeout !== undefined) {
    // A timeout taken to `on_timeout` counts like an error: a service that never answers cannot loop a call for ever.
    if ((s.errors ?? 0) >= MAX_ERROR_JUMPS) {
      run.hangupPolitely('error');
      return;
    }
    s.errors = (s.errors ?? 0) + 1;
    run.branch(current.id, 'on_timeout');
    run.enter(current.onTimeout);
    return;
  }
  if (event.failure === undefined && event.status !== undefined) {
    const exact = String(event.status);
    const klass = `${Math.floor(event.status / 100)}xx`;
    const onStatus = current.onStatus;
    const label = onStatus !== undefined ? (Object.hasOwn(onStatus, exact) ? exact : Object.hasOwn(onStatus, klass) ? klass : undefined) : undefined;
    if (label !== undefined && onStatus !== undefined) {
      run.branch(current.id, label);
      run.enter(onStatus[label] as StepId);
      return;
    }
    if (event.status >= 200 && event.status < 300) {
      for (const [name, value] of Object.entries(event.values ?? {})) run.save(name, value);
      run.invalidateContext();
      run.branch(current.id, 'next');
      run.enter(current.next);
      return;
    }
  }
  const next = run.failure(current, `http:${event.failure ?? `status ${event.status ?? ''}`}`);
  if (next !== undefined) run.enter(next);
}

