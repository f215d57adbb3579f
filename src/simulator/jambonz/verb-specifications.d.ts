/**
 * What callscript uses of @jambonz/verb-specifications (the validator the
 * jambonz feature server runs on every verb it is given), typed here: the
 * package ships no typings.
 */
declare module '@jambonz/verb-specifications' {
  interface Logger {
    info(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    error(...args: unknown[]): void;
  }
  /** Throws an Error naming the first verb or property it refuses. */
  export function validate(logger: Logger, verbs: unknown): void;
}
