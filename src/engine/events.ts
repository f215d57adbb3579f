import type { CallOutcomeStatus } from './blocks.js';

/**
 * What can happen to a call, in provider-neutral terms. Provider adapters map their
 * notifications and API results onto these.
 */
export type CallEvent =
  /** The provider accepted the outbound Dial and named the session. */
  | { readonly type: 'dial.accepted'; readonly session: string; readonly txnRef: string }
  /** The outstanding block `seq` finished and the call goes on. */
  | {
      readonly type: 'block.done';
      readonly seq: number;
      readonly digits?: string;
      readonly recordUrl?: string;
      /** Dial or transfer result. */
      readonly status?: CallOutcomeStatus | string;
    }
  /** The call is over (caller hung up, end block finished, dial not answered). May repeat. */
  | {
      readonly type: 'ended';
      readonly seq?: number;
      readonly recordUrl?: string;
      readonly status?: CallOutcomeStatus | string;
    }
  /** Sending block `seq` failed for good (retries, if any, are already spent). */
  | {
      readonly type: 'send.failed';
      readonly seq: number;
      readonly code: string;
      readonly message: string;
      /** The provider says the session no longer exists: nothing more can be sent. */
      readonly sessionGone: boolean;
    };

export type CallEventType = CallEvent['type'];
