/**
 * A copy of `s` in storage of its own. V8 represents a substring of 13 or more
 * characters as a slice that keeps its whole parent alive: a CallSid cut from a
 * webhook's body would keep that body in memory for as long as the call's state
 * holds it (the whole call, then `--ended-retention`), and every garbage
 * collection in between copies or marks it (docs/performance.md, "The sixth look").
 * Concatenating flattens into a new string, and the slice of that no longer
 * reaches the body.
 */
export function detached(s: string): string {
  return s.length === 0 ? '' : (' ' + s).slice(1);
}
