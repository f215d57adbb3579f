/**
 * Provider-neutral blocks: what the interpreter asks the provider to do next.
 *
 * Fields are plain, already-rendered values; what the caller hears is a list of
 * message parts (text with its voice, audio, pauses). A provider adapter turns a
 * block into its own wire form (Hoiio REST parameters, TwiML, jambonz verbs);
 * nothing here knows about any of them.
 */
import type { MessagePart } from './parts.js';

export type CallOutcomeStatus = 'answered' | 'busy' | 'unanswered' | 'failed';

export interface DialBlock {
  readonly kind: 'dial';
  readonly to: string;
  readonly callerId?: string;
  readonly maxDuration?: number;
  readonly tag?: string;
}

export interface PlayBlock {
  readonly kind: 'play';
  readonly message: readonly MessagePart[];
  readonly tag?: string;
}

export interface GatherBlock {
  readonly kind: 'gather';
  readonly prompt?: readonly MessagePart[];
  readonly maxDigits?: number;
  readonly timeout?: number;
  readonly attempts?: number;
  readonly tag?: string;
}

export interface RecordBlock {
  readonly kind: 'record';
  readonly prompt?: readonly MessagePart[];
  readonly maxDuration?: number;
  readonly tag?: string;
}

export interface MonitorBlock {
  readonly kind: 'monitor';
  readonly message?: readonly MessagePart[];
  readonly tag?: string;
}

export interface TransferBlock {
  readonly kind: 'transfer';
  readonly to: string;
  readonly message?: readonly MessagePart[];
  readonly callerId?: string;
  /** `continue`: a failed transfer comes back to the script; `hangup`: the provider ends the call. */
  readonly onFailure: 'continue' | 'hangup';
  readonly tag?: string;
}

export interface HangupBlock {
  readonly kind: 'hangup';
  readonly message?: readonly MessagePart[];
  /** Hang up at once, even in the middle of a block (never with a message). */
  readonly force?: boolean;
  readonly tag?: string;
}

export type Block = DialBlock | PlayBlock | GatherBlock | RecordBlock | MonitorBlock | TransferBlock | HangupBlock;
export type BlockKind = Block['kind'];
