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
  if (!raw.includes('%') && !raw.includes('+')) return raw;
  // One pass for what webhooks carry (`+` in numbers, `%3A%2F` in URLs): a byte of 0x80 or
  // more is UTF-8, decoded strictly by decodeURIComponent. That runtime call, for every `%2B`
  // of a webhook's numbers, was 59k instructions a call on the TwiML round (docs/performance.md,
  // "The ninth look").
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === PLUS) {
      out += `${raw.slice(from, i)} `;
      from = i + 1;
    } else if (c === PERCENT) {
      const high = hexValue(raw.charCodeAt(i + 1));
      const low = hexValue(raw.charCodeAt(i + 2));
      if (high < 0 || low < 0) return undefined;
      const byte = high * 16 + low;
      if (byte >= 0x80) return decodeStrictly(raw);
      out += raw.slice(from, i) + String.fromCharCode(byte);
      i += 2;
      from = i + 1;
    }
  }
  return out + raw.slice(from);
}

const PLUS = 0x2b;
const PERCENT = 0x25;

/** 0–15 for a hex digit's code, -1 for anything else (NaN past the end of the text included). */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** `+` as a space, then every `%XX` as UTF-8: undefined for a broken escape or bytes that are not UTF-8. */
function decodeStrictly(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** `decodeFormText`, in storage of its own: a value that may be kept does not keep its source. */
export function decodeFormValue(raw: string): string | undefined {
  const text = decodeFormText(raw);
  // Decoded text may be built from slices of `raw` (the pieces between escapes): copied too.
  return text === undefined ? undefined : detached(text);
}
