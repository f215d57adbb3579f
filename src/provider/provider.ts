import type { Block } from '../engine/blocks.js';

/** Where a block goes: the provider's session (absent for Dial) and the URL its result is posted to. */
export interface BlockTarget {
  readonly session?: string;
  /** Absent only for fire-and-forget blocks (e.g. rejecting an unknown number). */
  readonly notifyUrl?: string;
}

/** What the provider told us when it accepted a block. */
export interface SendResult {
  /** Set for Dial: the new call's session and transaction reference. */
  readonly session?: string;
  readonly providerRef?: string;
}

/**
 * A REST-style telephony provider: the engine calls it one block at a time and
 * the provider reports each block's result through a webhook. (Providers that
 * answer webhooks with markup instead plug in at the route level, not here.)
 */
export interface ProviderClient {
  readonly name: string;
  /** Rejects with a ProviderError. */
  send(block: Block, target: BlockTarget): Promise<SendResult>;
  close(): Promise<void>;
}
