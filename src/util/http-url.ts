/**
 * The one answer to "is this an http(s) URL": where scripts may send requests,
 * where audio may come from, where notifications may go, what a REST base may be.
 * Only absolute URLs of the two schemes count (WHATWG parsing, so they have a host).
 */

/** Whether a parsed URL's scheme is http or https. */
export function isHttpScheme(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/** `text` parsed when it is an absolute http(s) URL; undefined for anything else, a string that is no URL included. */
export function parseHttpUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return isHttpScheme(url) ? url : undefined;
}

export function isHttpUrl(text: string): boolean {
  return parseHttpUrl(text) !== undefined;
}
