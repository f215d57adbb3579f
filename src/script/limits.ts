/** Limits and fixed names of the script format (v1). */

/** Larger sources are rejected before parsing (CS_TOO_LARGE). */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** YAML aliases beyond this are refused: protects against "billion laughs" documents. */
export const MAX_ALIAS_COUNT = 100;
/** Hoiio's limit on a rendered message. */
export const MAX_MESSAGE_LENGTH = 1000;
/** Hoiio's limit on a rendered tag. */
export const MAX_TAG_LENGTH = 256;

/** Names the interpreter puts in the template context itself; scripts cannot declare them. */
export const RESERVED_NAMES: readonly string[] = ['call', 'digits', 'record_url', 'transfer_status'];
/** The fields of `{{call.<field>}}`. */
export const CALL_FIELDS: readonly string[] = ['from', 'to', 'session', 'txn_ref', 'direction'];

export const STEP_KINDS = ['play', 'gather', 'record', 'monitor', 'transfer', 'hangup'] as const;

export const SCRIPT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** Said before asking again when input matches no branch, unless the script says otherwise. */
export const DEFAULT_INVALID_MESSAGE = 'Sorry, that is not a valid choice.';
export const DEFAULT_INVALID_RETRIES = 2;
