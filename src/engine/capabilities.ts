/**
 * What a provider can do, as data. Each adapter exports one table; `validate
 * --provider`, `serve` and `dev` check scripts against it at load (so a script
 * that needs something the provider lacks fails before a call does), and the
 * engine takes its limits from it at run time. The engine itself knows no
 * provider: it only ever sees these numbers and switches.
 */
import type { MessagePart } from './parts.js';

/**
 * How the provider is driven. `push`: the app sends each block over REST and
 * the block's result arrives later as a webhook (Hoiio). `reply`: the answer to
 * each webhook is the next instruction (TwiML providers, jambonz); outbound
 * calls and forced hangups still go over REST.
 */
export type DeliveryMode = 'push' | 'reply';

export interface ProviderCapabilities {
  /** The adapter's name, as in `--provider NAME`. */
  readonly name: string;
  readonly delivery: DeliveryMode;
  /** Longest message the provider takes, as the adapter measures it (see `messageLength`). */
  readonly maxMessageLength: number;
  /**
   * The length of a message as the provider counts it (Hoiio counts its own
   * markup). Absent: the characters of the spoken text and audio URLs.
   */
  readonly messageLength?: (parts: readonly MessagePart[]) => number;
  /** Longest block tag; 0 when the provider has no tags (they are then not sent). */
  readonly maxTagLength: number;
  /** Most digits one gather may collect. */
  readonly maxDigits: number;
  /** `record` steps (voicemail). */
  readonly record: boolean;
  /** `monitor` steps (record the rest of the call in the background). */
  readonly monitor: boolean;
  /** Pauses inside a message (`{ pause: seconds }`). */
  readonly pause: boolean;
  /** Recorded audio inside a message (`{ url }`). */
  readonly audio: boolean;
  /** Hanging up at once, in the middle of a block. */
  readonly forcedHangup: boolean;
  /** `gather.attempts`: repeated by the provider itself, or emulated by the runtime. */
  readonly gatherAttempts: 'provider' | 'emulated';
  /** Voice genders the provider can pick (empty: it ignores `gender`). */
  readonly genders: readonly ('male' | 'female')[];
  /** Languages a voice may name (BCP 47 tags), or `any` when the provider takes every tag it knows. */
  readonly languages: readonly string[] | 'any';
  /**
   * The provider's own call fields templates may read as `{{call.<name>}}`, beyond
   * the neutral `from`, `to`, `direction` and `session` (the provider's handle for
   * the call), each naming the state field it shows: Hoiio's transaction reference is the
   * call's `providerRef`.
   */
  readonly callFields?: Readonly<Record<string, 'providerRef'>>;
}

/** What the engine needs of a provider's table to bound what it renders. */
export interface MessageLimits {
  readonly maxMessageLength: number;
  readonly messageLength: (parts: readonly MessagePart[]) => number;
  /** 0: the provider has no tags; none are rendered. */
  readonly maxTagLength: number;
}

/** The limits the engine applies for a provider. */
export function messageLimits(capabilities: ProviderCapabilities): MessageLimits {
  return {
    maxMessageLength: capabilities.maxMessageLength,
    messageLength: capabilities.messageLength ?? plainMessageLength,
    maxTagLength: capabilities.maxTagLength,
  };
}

/** The characters a message is made of, for providers that count nothing else. */
export function plainMessageLength(parts: readonly MessagePart[]): number {
  let n = 0;
  for (const part of parts) {
    if (part.type === 'say') n += part.text.length;
    else if (part.type === 'play') n += part.url.length;
  }
  return n;
}
