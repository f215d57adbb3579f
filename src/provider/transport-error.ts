/**
 * A REST request's transport failure as a ProviderError with one of the shared
 * codes (errors.ts). Only a connection that never opened is retryable: after
 * that the provider may have carried the request out (placed the call), and
 * sending it again could do it twice.
 */
import { errors as undiciErrors } from 'undici';
import { errorCode } from '../util/error-code.js';
import { ProviderError, ProviderErrorCode } from './errors.js';

/** undici's code for any socket failure: the cause's code says which. */
const GENERAL = new Set(['UND_ERR_SOCKET']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** `what` names the request in the message (`jambonz dial`); `maxResponseBytes` the pool's answer limit. */
export function transportError(err: unknown, what: string, maxResponseBytes: number): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = errorCode(err, GENERAL);
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new ProviderError(ProviderErrorCode.unreachable, `${what}: provider unreachable (${code})`, { retryable: true, cause: err });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new ProviderError(ProviderErrorCode.timeout, `${what}: no answer within the timeout`, { retryable: false, cause: err });
  }
  if (err instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return new ProviderError(ProviderErrorCode.badResponse, `${what}: answer larger than ${maxResponseBytes} bytes`, { retryable: false, cause: err });
  }
  if (err instanceof undiciErrors.ClientDestroyedError || err instanceof undiciErrors.ClientClosedError) {
    return new ProviderError(ProviderErrorCode.closed, `${what}: client closed`, { retryable: false, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(ProviderErrorCode.connectionReset, `${what}: connection failed (${code ?? message})`, { retryable: false, cause: err });
}
