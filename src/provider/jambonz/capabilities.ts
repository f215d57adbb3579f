/**
 * What jambonz can do, as the table `validate --provider jambonz`, `serve` and
 * the engine read (../shared/providers.md §3.2, §10.4).
 */
import type { ProviderCapabilities } from '../../engine/capabilities.js';
import { JAMBONZ_LANGUAGES } from './voices.js';

export const JAMBONZ_CAPABILITIES: ProviderCapabilities = Object.freeze({
  name: 'jambonz',
  delivery: 'reply',
  // jambonz documents no limit on `say` text; the speech vendors' own limits start around 3,000–5,000 characters.
  maxMessageLength: 3000,
  // jambonz verbs have no tags; scripts' tags stay in transcripts only.
  maxTagLength: 0,
  // `numDigits` has no documented ceiling; this is what the TwiML family takes too.
  maxDigits: 128,
  // jambonz runs no record verb itself: its listen verb streams the caller's audio to us, and we write the WAV (recordings.ts).
  record: true,
  // `config.record` is SIPREC control (a recording server of the user's own), not a recording callscript can start and collect.
  monitor: false,
  pause: true,
  audio: true,
  forcedHangup: true,
  // A gather reports once (even on timeout); the adapter asks again for each further attempt.
  gatherAttempts: 'emulated',
  genders: Object.freeze(['male', 'female'] as const),
  languages: JAMBONZ_LANGUAGES,
} satisfies ProviderCapabilities);
