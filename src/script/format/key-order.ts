/**
 * The canonical order of keys, mapping by mapping. Keys not listed (typos,
 * future fields) keep their relative order after the listed ones; steps,
 * branches and vars keep the author's order (step order is meaningful: the
 * first step is the start when `start` is absent).
 */
import { STEP_KINDS } from '../limits.js';

export const TOP_LEVEL_ORDER = [
  'name',
  'description',
  'numbers',
  'vars',
  'voice',
  'languages',
  'language',
  'keys',
  'defaults',
  'on_error',
  'events_url',
  'events',
  'start',
  'steps',
] as const;

/** A step: what it is for, what it does, then where it goes. */
export const STEP_ORDER = [
  'description',
  ...STEP_KINDS,
  'voice',
  'save_as',
  'next',
  'branches',
  'keys',
  'invalid',
  'no_input',
  'on_failure',
  'default',
  'on_status',
  'on_timeout',
  'open',
  'closed',
  'on_error',
] as const;

/** Inside each kind's block mapping. */
export const BLOCK_ORDER: Readonly<Record<string, readonly string[]>> = {
  play: ['message', 'tag'],
  gather: ['prompt', 'max_digits', 'timeout', 'attempts', 'tag'],
  record: ['prompt', 'max_duration', 'tag'],
  monitor: ['message', 'tag'],
  transfer: ['to', 'message', 'caller_id', 'tag'],
  hangup: ['message', 'tag'],
  http: ['method', 'url', 'headers', 'json', 'form', 'timeout', 'save'],
  hours: ['timezone', 'weekly', 'exceptions'],
};

/** A switch case. */
export const CASE_ORDER = ['if', 'goto'] as const;

/** A voice, at the top, in a language or on a step. */
export const VOICE_ORDER = ['language', 'gender'] as const;

export const EVENTS_ORDER = ['url', 'secret_env'] as const;

export const INVALID_ORDER = ['message', 'retries', 'goto'] as const;

export const DEFAULTS_ORDER = ['gather', 'record', 'invalid'] as const;

export const DEFAULTS_BLOCK_ORDER: Readonly<Record<string, readonly string[]>> = {
  gather: ['max_digits', 'timeout', 'attempts'],
  record: ['max_duration'],
  invalid: ['message', 'retries'],
};
