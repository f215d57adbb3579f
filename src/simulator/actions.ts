/**
 * Which caller actions fit which prompt, and parsing of actions that arrive as JSON
 * (the control plane).
 */
import { ActionMismatchError, InvalidActionError } from './errors.js';
import type { CallerAction, CallerActionType, DialOutcome, PromptBlock } from './types.js';

const ALLOWED: Readonly<Record<PromptBlock, readonly CallerActionType[]>> = {
  dial: ['outcome', 'continue', 'hangup'],
  play: ['continue', 'hangup'],
  gather: ['press', 'no-input', 'hangup'],
  record: ['record', 'hangup'],
  monitor: ['continue', 'hangup'],
  transfer: ['outcome', 'hangup'],
};

const OUTCOMES: readonly DialOutcome[] = ['answered', 'busy', 'unanswered', 'failed'];
const DIGITS = /^[0-9*#]*$/;

/** The action types a UI should offer for a pending prompt. */
export function allowedActions(block: PromptBlock): readonly CallerActionType[] {
  return ALLOWED[block];
}

/** Throws InvalidActionError for a malformed action, ActionMismatchError for one that does not fit. */
export function checkAction(session: string, block: PromptBlock, action: CallerAction): void {
  checkShape(action);
  if (!ALLOWED[block].includes(action.type)) {
    throw new ActionMismatchError(session, block, action.type);
  }
}

function checkShape(action: CallerAction): void {
  switch (action.type) {
    case 'press':
      if (typeof action.digits !== 'string' || !DIGITS.test(action.digits)) {
        throw new InvalidActionError('press: digits must be a string of 0-9, * and #');
      }
      return;
    case 'outcome':
      if (!OUTCOMES.includes(action.outcome)) {
        throw new InvalidActionError(`outcome must be one of ${OUTCOMES.join(', ')}`);
      }
      checkSeconds(action.seconds);
      return;
    case 'record':
      checkSeconds(action.seconds);
      return;
    case 'no-input':
    case 'hangup':
    case 'continue':
      return;
    default: {
      const unknown: { type?: unknown } = action;
      throw new InvalidActionError(`unknown action type ${JSON.stringify(unknown.type)}`);
    }
  }
}

function checkSeconds(seconds: number | undefined): void {
  if (seconds !== undefined && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)) {
    throw new InvalidActionError('seconds must be a number ≥ 0');
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Turns untrusted JSON into a CallerAction or throws InvalidActionError. */
export function parseCallerAction(value: unknown): CallerAction {
  if (!isRecord(value) || typeof value.type !== 'string') {
    throw new InvalidActionError('an action is a JSON object with a "type"');
  }
  const seconds = value.seconds === undefined ? undefined : value.seconds;
  if (seconds !== undefined && typeof seconds !== 'number') {
    throw new InvalidActionError('seconds must be a number');
  }
  let action: CallerAction;
  switch (value.type) {
    case 'press':
      if (typeof value.digits !== 'string') throw new InvalidActionError('press needs "digits" (a string)');
      action = { type: 'press', digits: value.digits };
      break;
    case 'outcome': {
      const outcome = OUTCOMES.find((o) => o === value.outcome);
      if (!outcome) throw new InvalidActionError(`outcome must be one of ${OUTCOMES.join(', ')}`);
      action = seconds === undefined ? { type: 'outcome', outcome } : { type: 'outcome', outcome, seconds };
      break;
    }
    case 'record':
      action = seconds === undefined ? { type: 'record' } : { type: 'record', seconds };
      break;
    case 'no-input':
    case 'hangup':
    case 'continue':
      action = { type: value.type };
      break;
    default:
      throw new InvalidActionError(`unknown action type ${JSON.stringify(value.type)}`);
  }
  checkShape(action);
  return action;
}
