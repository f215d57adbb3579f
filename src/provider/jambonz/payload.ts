/**
 * Reads jambonz's hook bodies: one JSON object with snake_case keys
 * (../shared/providers.md §2.2). Strict: anything else is malformed (400),
 * and only string fields are read, so a number where a string belongs is
 * treated as absent rather than coerced.
 */
export type Payload = Readonly<Record<string, unknown>>;

/** The body as an object, or undefined when it is not one JSON object. */
export function parsePayload(body: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : undefined;
}

/** A string field, or '' when absent or not a string. */
export function text(payload: Payload, name: string): string {
  const v = payload[name];
  return typeof v === 'string' ? v : '';
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** jambonz posts `application/json`. */
export function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_TYPE.test(contentType.trim());
}
