/**
 * What the TwiML providers can do, as the tables `validate --provider`,
 * `serve` and the engine read. The three are driven the same way (each
 * webhook's answer is the next block), so their tables differ only in name;
 * where a contract left a number UNCONFIRMED the value is one that holds on all
 * three (../shared/providers.md §3.1, §11; docs/providers/*.md).
 */
import type { ProviderCapabilities } from '../../engine/capabilities.js';
import type { TwimlProviderName } from './dialect.js';
import { TWIML_LANGUAGES } from './voices.js';

/** SignalWire documents 4,096 characters for `<Say>`; Twilio's limit is the same; Telnyx's is UNCONFIRMED. Kept under all three. */
const MAX_MESSAGE = 4000;

/** Telnyx documents `maxDigits` 1–128; the other two have no documented ceiling. */
const MAX_DIGITS = 128;

function table(name: TwimlProviderName): ProviderCapabilities {
  return Object.freeze({
    name,
    delivery: 'reply',
    // Counted as the characters spoken and the audio URLs: the markup is ours, not the author's.
    maxMessageLength: MAX_MESSAGE,
    // TwiML has no block tags; scripts' tags stay in transcripts only.
    maxTagLength: 0,
    maxDigits: MAX_DIGITS,
    record: true,
    // Each has a REST call that starts recording a call in progress.
    monitor: true,
    pause: true,
    audio: true,
    forcedHangup: true,
    // The provider asks once; the adapter repeats the <Gather> (or redirects back) for each attempt.
    gatherAttempts: 'emulated',
    genders: Object.freeze(['male', 'female'] as const),
    languages: TWIML_LANGUAGES,
  } satisfies ProviderCapabilities);
}

export const TWILIO_CAPABILITIES: ProviderCapabilities = table('twilio');
export const TELNYX_CAPABILITIES: ProviderCapabilities = table('telnyx');
export const SIGNALWIRE_CAPABILITIES: ProviderCapabilities = table('signalwire');
