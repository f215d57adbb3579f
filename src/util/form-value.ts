/**
 * One `application/x-www-form-urlencoded` name or value, decoded strictly: `+`
 * is a space, `%XX` a UTF-8 byte, and a broken escape or bytes that are not
 * UTF-8 make it undefined (where URLSearchParams would guess), since a webhook
 * read differently from how its sender wrote it proves nothing.
 */
export function decodeFormValue(raw: string): string | undefined {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}
