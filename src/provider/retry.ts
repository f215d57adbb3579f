import type { Block } from '../engine/blocks.js';
import { ProviderError } from './errors.js';
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

/**
 * Sends a block, retrying only errors where the block provably did not run.
 * `onRetry` is told about each retry (for logs and metrics).
 */
export async function sendWithRetry(
  client: ProviderClient,
  block: Block,
  target: BlockTarget,
  policy: RetryPolicy,
  onRetry?: (error: ProviderError, attempt: number, delayMs: number) => void,
): Promise<SendResult> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.send(block, target);
    } catch (err) {
      if (!(err instanceof ProviderError) || !err.retryable || attempt >= policy.retries) throw err;
      const delay = Math.round(policy.baseDelayMs * 2 ** attempt * (1 + Math.random() * 0.5));
      if (Date.now() - started + delay > policy.budgetMs) throw err;
      onRetry?.(err, attempt + 1, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
