import type { CallOutcomeStatus } from './blocks.js';

/**
 * What can happen to a call, in provider-neutral terms. Provider adapters map their
 * notifications and API results onto these.
 */
export type CallEvent =
  /** The provider accepted the outbound Dial and named the session. */
  | { readonly type: 'dial.accepted'; readonly session: string; readonly providerRef: string }
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
    }
  /** The outstanding http request `seq` finished (or failed): carried out by the runner. */
  | {
      readonly type: 'http.result';
      readonly seq: number;
      /** The HTTP status, when an answer came. */
      readonly status?: number;
      /** The `save` values taken from a 2xx JSON answer. */
      readonly values?: Readonly<Record<string, string>>;
      /** Why there is no usable answer: no answer in time, no connection, a 2xx that is not the JSON `save` needs, too large, or a request that could not be made. */
      readonly failure?: HttpFailure;
      readonly message?: string;
      readonly ms?: number;
    };

export type HttpFailure = 'timeout' | 'network' | 'malformed' | 'too-large' | 'bad-request';

export type CallEventType = CallEvent['type'];
