/**
 * Text-to-speech voices for the TwiML family. Twilio, Telnyx TeXML and
 * SignalWire each list Amazon Polly voices as `Polly.<Name>`
 * (../shared/providers.md §3.1), while their own basic voices differ (`man` and
 * `woman` are en-US only on Telnyx; SignalWire's default is `woman`, Twilio's
 * `man`). So every `<Say>` names a Polly voice from the shared catalog
 * (src/voices/polly.ts), and a script sounds the same on all three.
 */
import type { Voice } from '../../engine/parts.js';
import { POLLY_DEFAULT, POLLY_LANGUAGES, pollyVoiceFor } from '../../voices/polly.js';

/** The language a `<Say>` without a voice in the script is spoken in. */
export const DEFAULT_LANGUAGE = POLLY_DEFAULT.language;

/** The BCP 47 tags a script's voices may name on the TwiML providers. */
export const TWIML_LANGUAGES: readonly string[] = POLLY_LANGUAGES;

/** sayVoice's answers by language and gender: every `<Say>` asks, and a catalog search each time showed in profiles. */
const chosen = new Map<string, { readonly voice: string; readonly language: string }>();

/** `voice` and `language` for a `<Say>`; a script's voice with no language is en-US, with no gender female. */
export function sayVoice(voice: Voice | undefined): { readonly voice: string; readonly language: string } {
  const key = `${voice?.language ?? ''}|${voice?.gender ?? ''}`;
  let said = chosen.get(key);
  if (said === undefined) {
    const language = voice?.language !== undefined && POLLY_LANGUAGES.includes(voice.language) ? voice.language : DEFAULT_LANGUAGE;
    const polly = pollyVoiceFor(language, voice?.gender ?? POLLY_DEFAULT.gender) ?? POLLY_DEFAULT;
    said = Object.freeze({ voice: polly.name, language });
    chosen.set(key, said);
  }
  return said;
}
