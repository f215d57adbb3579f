/** Limits and fixed names of the script format (v1). */

/** Larger sources are rejected before parsing (CS_TOO_LARGE). */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** YAML aliases beyond this are refused: protects against "billion laughs" documents. */
export const MAX_ALIAS_COUNT = 100;
// Message and tag lengths are each provider's: see ProviderCapabilities (src/engine/capabilities.ts).

/** Names the interpreter puts in the template context itself; scripts cannot declare them. */
export const RESERVED_NAMES: readonly string[] = ['call', 'digits', 'record_url', 'transfer_status', 'http_status'];
/** The fields of `{{call.<field>}}`. */
export const CALL_FIELDS: readonly string[] = ['from', 'to', 'session', 'direction'];

export const STEP_KINDS = ['play', 'gather', 'record', 'monitor', 'transfer', 'hangup', 'set', 'switch', 'http', 'hours', 'call', 'return'] as const;

/** Step kinds that send the provider a block (the others are decided by the engine at once, or wait on an http request). */
export const BLOCK_STEP_KINDS = ['play', 'gather', 'record', 'monitor', 'transfer', 'hangup'] as const;

/** `keys:` target that asks the current gather again. */
export const REPEAT_KEYWORD = 'repeat';

/** An http step waits this long by default, and at most MAX_HTTP_TIMEOUT_S (seconds). */
export const DEFAULT_HTTP_TIMEOUT_S = 3;
export const MAX_HTTP_TIMEOUT_S = 10;

/**
 * A `matches:` condition tests at most this many characters of its value: more than any
 * value a call holds (rendered values stop at 4096), so in practice all of it. Patterns
 * run in linear time (pattern.ts); this bounds the input side of that product.
 */
export const MAX_MATCH_SUBJECT = 65_536;

/** Where call summaries are signed from when `events.secret_env` is not given. */
export const DEFAULT_EVENTS_SECRET_ENV = 'CALLSCRIPT_EVENTS_SECRET';

/** How deep `call:` may nest at run time (cycles are refused at load and on reload; this is the last guard). */
export const MAX_CALL_DEPTH = 8;

export const SCRIPT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** Said before asking again when input matches no branch, unless the script says otherwise. */
export const DEFAULT_INVALID_MESSAGE = 'Sorry, that is not a valid choice.';
export const DEFAULT_INVALID_RETRIES = 2;
