import type { Context } from 'hono';

/** Reads the raw body as UTF-8 text; the body-limit middleware has already capped its size. */
export async function readText(c: Context): Promise<string> {
  return c.req.text();
}

/** The raw query string (without `?`), read without building a URL object on the hot path. */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
}

const FORM = 'application/x-www-form-urlencoded';

/** Notifications are form-encoded; an empty body (fields in the query string) needs no type. */
export function isFormOrEmpty(contentType: string | undefined, body: string): boolean {
  if (body === '') return true;
  if (contentType === undefined) return false;
  return contentType.toLowerCase().startsWith(FORM);
}
