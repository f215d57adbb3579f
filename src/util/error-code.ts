/**
 * The one way to dig a system or library error code out of an error: Node sets
 * `code` on the error itself (ECONNREFUSED), undici on its own errors and on the
 * socket error it wraps as `cause` (fetch's TypeError, UND_ERR_SOCKET around
 * ECONNRESET). The chain is followed a few links deep, never round a cycle.
 */
const MAX_DEPTH = 4;

/** The first string `code` on `err` or its causes, passing over the codes in `skip` (too general to name the failure). */
export function errorCode(err: unknown, skip?: ReadonlySet<string>): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < MAX_DEPTH && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && skip?.has(code) !== true) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
