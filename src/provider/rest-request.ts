/**
 * What the reply adapters' REST clients (jambonz, the TwiML family) share: a
 * keep-alive pool whose answers undici limits, one JSON request with the
 * provider's HTTP status mapped to a ProviderError, and the codes of those
 * errors. Each client keeps its own paths, bodies and authorization.
 */
import { Pool } from 'undici';
import { ProviderError } from './errors.js';
import { transportError } from './transport-error.js';

/** Stable codes of a REST client's failures, beside the shared transport codes. */
export const RestErrorCode = {
  /** 4xx other than 404 and 429: the provider refused the request as made. */
  refused: 'E_PROVIDER_REFUSED',
  /** 404: the call (or account) is not there; nothing more can be sent to it. */
  notFound: 'E_PROVIDER_NOT_FOUND',
  rateLimited: 'E_PROVIDER_RATE_LIMITED',
  serverError: 'E_PROVIDER_SERVER_ERROR',
  /** The block is one reply mode never sends over REST. */
  unsupported: 'E_PROVIDER_UNSUPPORTED',
  /** Something the request needs was not given or configured (a From number, Telnyx's account). */
  config: 'E_PROVIDER_CONFIG',
} as const;

/** Largest answer read; the providers' call resources are a few kilobytes of JSON. */
export const REST_MAX_RESPONSE_BYTES = 64 * 1024;

/** A keep-alive pool to a provider's REST origin; undici refuses a larger answer while it parses (UND_ERR_RES_EXCEEDED_MAX_SIZE). */
export function restPool(origin: string, connections = 32): Pool {
  return new Pool(origin, {
    connections,
    keepAliveTimeout: 30_000,
    connect: { timeout: 5_000 },
    maxResponseSize: REST_MAX_RESPONSE_BYTES,
  });
}

export interface RestRequest {
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** For headers and for the body, each. */
  readonly timeoutMs: number;
  /** Names the request in messages: `jambonz hangup`, `Twilio dial`. */
  readonly what: string;
  /** Fields of an error answer that say what went wrong, in order of preference. */
  readonly detailFields: readonly string[];
}

/** The parsed JSON answer of a 2xx (`{}` when empty or not JSON); any other status as a ProviderError. */
export async function restRequest(pool: Pool, r: RestRequest): Promise<unknown> {
  let statusCode: number;
  let text: string;
  try {
    const res = await pool.request({
      path: r.path,
      method: r.method,
      headers: r.headers,
      body: r.body,
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
    });
    statusCode = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    throw transportError(err, r.what, REST_MAX_RESPONSE_BYTES);
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = {};
  }
  if (statusCode >= 200 && statusCode < 300) return parsed;
  let detail = text.slice(0, 200);
  for (const name of r.detailFields) {
    const value = stringField(parsed, name);
    if (value !== undefined) {
      detail = value;
      break;
    }
  }
  const message = `${r.what}: HTTP ${statusCode}${detail !== '' ? ` (${detail})` : ''}`;
  if (statusCode === 404) throw new ProviderError(RestErrorCode.notFound, message, { retryable: false, sessionGone: true, httpStatus: statusCode });
  // A rate-limited request was not carried out, so it may be sent again.
  if (statusCode === 429) throw new ProviderError(RestErrorCode.rateLimited, message, { retryable: true, httpStatus: statusCode });
  if (statusCode >= 500) throw new ProviderError(RestErrorCode.serverError, message, { retryable: false, httpStatus: statusCode });
  throw new ProviderError(RestErrorCode.refused, message, { retryable: false, httpStatus: statusCode });
}

/** A non-empty string (or a number, as text) field of a JSON answer. */
export function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null || !(name in value)) return undefined;
  const v = (value as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}
