/**
 * The canonical order of keys, mapping by mapping. Keys not listed (typos,
 * future fields) keep their relative order after the listed ones; steps,
 * branches and vars keep the author's order (step order is meaningful: the
 * first step is the start when `start` is absent).
 */
import { STEP_KINDS } from '../limits.js';

export const TOP_LEVEL_ORDER = ['name', 'description', 'numbers', 'vars', 'defaults', 'start', 'steps'] as const;

/** A step: what it is for, what it does, then where it goes. */
export const STEP_ORDER = ['description', ...STEP_KINDS, 'save_as', 'next', 'branches', 'invalid', 'no_input', 'on_failure'] as const;

/** Inside each kind's block mapping. */
export const BLOCK_ORDER: Readonly<Record<string, readonly string[]>> = {
  play: ['message', 'tag'],
  gather: ['prompt', 'max_digits', 'timeout', 'attempts', 'tag'],
  record: ['prompt', 'max_duration', 'tag'],
  monitor: ['message', 'tag'],
  transfer: ['to', 'message', 'caller_id', 'tag'],
  hangup: ['message', 'tag'],
};

export const INVALID_ORDER = ['message', 'retries', 'goto'] as const;

export const DEFAULTS_ORDER = ['gather', 'record', 'invalid'] as const;

export const DEFAULTS_BLOCK_ORDER: Readonly<Record<string, readonly string[]>> = {
  gather: ['max_digits', 'timeout', 'attempts'],
  record: ['max_duration'],
  invalid: ['message', 'retries'],
};
