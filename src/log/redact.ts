/**
 * What never reaches a log line, a transcript or a call summary: credentials that
 * travel inside URLs (query values such as `?api_key=…`, `user:password@`, a
 * fragment's token) and the values of `{ env: NAME }` headers. Pure functions,
 * used where such text is written (the http step's log lines and errors, the
 * transcript, event delivery logs); `[REDACTED]` keeps the shape readable.
 */

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not searched for in free text: `"1"` would blank every digit. */
const MIN_SECRET_LENGTH = 4;

/**
 * The URL with every query value, the user name, the password and the fragment
 * replaced: `https://[REDACTED]:[REDACTED]@h/p?key=[REDACTED]&q=[REDACTED]`. Names
 * of query parameters stay (they say which service was asked what). Text that is
 * not a URL keeps only what comes before its first `?` or `#`, without userinfo.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redactUnparsed(url);
  }
  if (u.host === '') return redactUnparsed(url);
  // Written out by hand: URL's setters would percent-encode the marker's brackets.
  const auth = u.username !== '' || u.password !== '' ? `${REDACTED}${u.password !== '' ? `:${REDACTED}` : ''}@` : '';
  const names = [...new Set(u.searchParams.keys())];
  const query = u.search === '' ? '' : `?${names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&')}`;
  const hash = u.hash === '' ? '' : `#${REDACTED}`;
  return `${u.protocol}//${auth}${u.host}${u.pathname}${query}${hash}`;
}

function redactUnparsed(text: string): string {
  const cut = text.search(/[?#]/);
  const head = cut === -1 ? text : text.slice(0, cut);
  const noUserinfo = head.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, `$1${REDACTED}@`);
  return cut === -1 ? noUserinfo : `${noUserinfo}${text[cut] === '?' ? `?${REDACTED}` : `#${REDACTED}`}`;
}

/**
 * `text` (an error message) with every occurrence of a secret replaced: each value
 * as given and percent-encoded, and each URL's secret parts.
 */
export function redactText(text: string, o: { readonly secrets?: readonly string[]; readonly urls?: readonly string[] }): string {
  let out = text;
  for (const url of o.urls ?? []) {
    if (url === '') continue;
    const safe = redactUrl(url);
    out = out.split(url).join(safe);
    // Messages often quote the URL as JSON, or as undici printed its parts.
    const quoted = JSON.stringify(url).slice(1, -1);
    if (quoted !== url) out = out.split(quoted).join(safe);
    for (const part of secretPartsOf(url)) out = out.split(part).join(REDACTED);
  }
  for (const secret of o.secrets ?? []) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  return out;
}

/** The raw secret-bearing pieces of a URL (query string, userinfo, fragment), long enough to search for. */
function secretPartsOf(url: string): string[] {
  const parts: string[] = [];
  const q = url.indexOf('?');
  const h = url.indexOf('#');
  if (q !== -1) parts.push(url.slice(q + 1, h > q ? h : undefined));
  if (h !== -1) parts.push(url.slice(h + 1));
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@?#]*)@/i.exec(url)?.[1];
  if (userinfo !== undefined) parts.push(userinfo);
  for (const part of [...parts]) {
    for (const pair of part.split('&')) {
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value !== pair) parts.push(value);
      try {
        parts.push(decodeURIComponent(value));
      } catch {
        // not percent-encoded text: searched for as it is
      }
    }
  }
  return [...new Set(parts)].filter((p) => p.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}
