/**
 * The one E.164 pattern: a phone number as `+`, a country code that does not start
 * with 0, and 7 to 15 digits in all. The script schema's `e164` definition
 * (schema/callscript.schema.json) says the same for numbers written in scripts.
 */
export const E164 = /^\+[1-9][0-9]{6,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}
