import { detached } from './detached-string.js';

/**
 * One `application/x-www-form-urlencoded` name or value, decoded strictly: `+`
 * is a space, `%XX` a UTF-8 byte, and a broken escape or bytes that are not
 * UTF-8 make it undefined (where URLSearchParams would guess), since a webhook
 * read differently from how its sender wrote it proves nothing.
 *
 * A value with nothing to decode is returned as it was sliced, which may keep the
 * whole text it was cut from alive (detached-string.ts): for what is only read
 * while that text is at hand. `decodeFormValue` gives a copy for what is kept.
 */
export function decodeFormText(raw: string): string | undefined {
  const plus = raw.includes('+');
  const escaped = raw.includes('%');
  if (!plus && !escaped) return raw;
  const spaced = plus ? raw.replace(/\+/g, ' ') : raw;
  if (!escaped) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** `decodeFormText`, in storage of its own: a value that may be kept does not keep its source. */
export function decodeFormValue(raw: string): string | undefined {
  const text = decodeFormText(raw);
  // Replacing and decoding build new strings; only a value returned as sliced needs copying.
  return text === raw ? detached(raw) : text;
}
