import type { Outcome } from './state.js';

/**
 * What the caller hears when the engine, not the script, ends the call. Kept short:
 * they are said over a failing or finished call.
 */
export const POLITE_HANGUP: Readonly<Partial<Record<Outcome, string>>> = {
  'no-input': 'Sorry, we did not receive your input. Goodbye.',
  'invalid-input': 'Sorry, that is not a valid choice. Goodbye.',
  'step-limit': 'Sorry, we are having technical difficulties. Please call again later. Goodbye.',
  error: 'Sorry, we are having technical difficulties. Please call again later. Goodbye.',
};

/** Said (by the provider, with a hangup block) to calls to a number no script claims. */
export const UNKNOWN_NUMBER_MESSAGE = 'Sorry, this number is not in service. Goodbye.';
