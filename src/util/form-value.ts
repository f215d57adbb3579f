import { detached } from './detached-string.js';

/**
 * One `application/x-www-form-urlencoded` name or value, decoded strictly: `+`
 * is a space, `%XX` a UTF-8 byte, and a broken escape or bytes that are not
 * UTF-8 make it undefined (where URLSearchParams would guess), since a webhook
 * read differently from how its sender wrote it proves nothing.
 */
export function decodeFormValue(raw: string): string | undefined {
  const plus = raw.includes('+');
  const escaped = raw.includes('%');
  // Replacing and decoding build new strings; a value returned as it was sliced from the body is copied, so keeping it does not keep the body.
  if (!plus && !escaped) return detached(raw);
  const spaced = plus ? raw.replace(/\+/g, ' ') : raw;
  if (!escaped) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}
