/**
 * A setting a simulator may take for all its numbers or number by number (a
 * voice URL, a status callback): one server can then stand in for several
 * apps, each behind its own numbers.
 */
export type PerNumber = string | ((to: string) => string | undefined);

/** The setting for the number `to`; undefined when it has none. */
export function forNumber(setting: PerNumber | undefined, to: string): string | undefined {
  return typeof setting === 'function' ? setting(to) : setting;
}
