/**
 * One header of a node request, read from `rawHeaders` as `req.headers[name]`
 * would give it, without building `req.headers`: Node builds that object on
 * first use, every header lower-cased and merged, and a webhook reads two or
 * three of them (the body's type and length, the signature). On the TwiML round
 * building it was about 5,600 instructions of each webhook (docs/performance.md,
 * "The ninth look").
 */
import type { IncomingMessage } from 'node:http';

/**
 * Headers of which Node keeps only the first when a request repeats them
 * (`matchKnownFields` in node's lib/_http_incoming.js); the rest are joined with
 * `, ` (`cookie` with `; `).
 */
const FIRST_ONLY: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

/** The value of header `name` (lower case), duplicates merged as Node merges them; undefined when absent. `set-cookie` is joined with `, `. */
export function incomingHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders;
  let found: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    // Most names differ in length; only those of the same length are lower-cased to compare.
    if (key.length !== name.length || (key !== name && key.toLowerCase() !== name)) continue;
    const value = raw[i + 1] as string;
    if (found === undefined) found = value;
    else if (FIRST_ONLY.has(name)) break;
    else found += name === 'cookie' ? `; ${value}` : `, ${value}`;
  }
  return found;
}
