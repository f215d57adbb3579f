import type { Block } from '../engine/blocks.js';
import { ProviderError, ProviderErrorCode } from './errors.js';
import type { BlockTarget, ProviderClient, SendResult } from './provider.js';

export interface RetryPolicy {
  /** Retries after the first attempt, only for errors marked retryable. */
  readonly retries: number;
  /** First backoff; doubles each retry, with up to 50 % jitter. */
  readonly baseDelayMs: number;
  /** No retry is started once this much time has passed since the first attempt. */
  readonly budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 100, budgetMs: 5_000 };

/** For the forced Hangup: twice the retries and four times the budget (by default 6 retries within 20 s). */
export function lastResortPolicy(policy: RetryPolicy): RetryPolicy {
  return { retries: policy.retries * 2, baseDelayMs: policy.baseDelayMs, budgetMs: policy.budgetMs * 4 };
}

/** Failures after which a forced Hangup may have run or not. */
const HANGUP_RETRY_CODES: ReadonlySet<string> = new Set([
  ProviderErrorCode.timeout,
  ProviderErrorCode.connectionReset,
  ProviderErrorCode.badResponse,
  'error_internal_server_error',
  'error_service_not_available',
]);

/**
 * Whether a failed block may be sent again: when it provably did not run, or when
 * running it twice cannot be heard. A forced Hangup (the engine's last resort,
 * without a message) is such a block: if the first one ran, the second is refused
 * (`error_session_ended`) and nothing is heard either way. Without this, a forced
 * Hangup lost to a transport error would leave the caller on a silent line until
 * the provider's own idle timeout. (A failed goodbye is not repeated: the engine
 * forces the hangup at once rather than keep the caller waiting.)
 */
export function mayRetry(block: Block, err: ProviderError): boolean {
  if (err.retryable) return true;
  return block.kind === 'hangup' && block.force === true && !err.sessionGone && HANGUP_RETRY_CODES.has(err.code);
}

/**
 * Sends a block, retrying errors where the block provably did not run (and forced
 * Hangups, see `mayRetry`), with bounded backoff. `onRetry` is told about each retry (for
 * logs and metrics).
 */
export function sendWithRetry(
  client: ProviderClient,
  block: Block,
  target: BlockTarget,
  policy: RetryPolicy,
  onRetry?: (error: ProviderError, attempt: number, delayMs: number) => void,
): Promise<SendResult> {
  // The first attempt goes out directly (no async frame around it: this runs for every block); retries only after a failure.
  const started = Date.now();
  let sending: Promise<SendResult>;
  try {
    sending = client.send(block, target);
  } catch (err) {
    // A client that throws instead of rejecting is handled like one that rejects.
    sending = Promise.reject(err);
  }
  return sending.catch((err: unknown) => retry(client, block, target, policy, onRetry, started, err));
}

async function retry(
  client: ProviderClient,
  block: Block,
  target: BlockTarget,
  policy: RetryPolicy,
  onRetry: ((error: ProviderError, attempt: number, delayMs: number) => void) | undefined,
  started: number,
  first: unknown,
): Promise<SendResult> {
  // The last resort gets longer: if it never gets through, the caller stays on a silent line.
  const p = block.kind === 'hangup' && block.force === true ? lastResortPolicy(policy) : policy;
  let err = first;
  for (let attempt = 0; ; attempt++) {
    if (!(err instanceof ProviderError) || !mayRetry(block, err) || attempt >= p.retries) throw err;
    const delay = Math.round(p.baseDelayMs * 2 ** attempt * (1 + Math.random() * 0.5));
    if (Date.now() - started + delay > p.budgetMs) throw err;
    onRetry?.(err, attempt + 1, delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      return await client.send(block, target);
    } catch (next) {
      err = next;
    }
  }
}
