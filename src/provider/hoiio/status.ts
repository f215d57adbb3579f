/**
 * Hoiio `status` values the engine treats specially. Everything else that starts
 * with `error_` ends the call politely.
 */
export const HOIIO_OK = 'success_ok';

/** The block provably did not run: safe to send again after a pause. */
export const HOIIO_RETRYABLE: ReadonlySet<string> = new Set(['error_rate_limit_exceeded', 'error_session_not_ready']);

/** A block is still running on the session (or it is on hold): the block sent did not run. */
export const HOIIO_SESSION_BUSY = 'error_session_not_ready';

/** The session is over or not ours: nothing more can be sent to it. */
export const HOIIO_SESSION_GONE: ReadonlySet<string> = new Set([
  'error_session_ended',
  'error_invalid_session',
  'error_session_access_denied',
]);
