/**
 * The Amazon Polly voices the TwiML providers (Twilio, Telnyx TeXML,
 * SignalWire) all offer as `Polly.<Name>` (../shared/providers.md §3.1), as
 * pure data: the adapter picks a voice for a script's language and gender
 * from it, and the simulator hears a `<Say voice>` as that voice's language
 * and gender, the way the provider does. Neither side imports the other.
 */
import { DEFAULT_VOICE } from './default-voice.js';

export type Gender = 'male' | 'female';

export interface PollyVoice {
  readonly name: string;
  readonly language: string;
  readonly gender: Gender;
}

/** One or two voices per language; a language with one voice uses it for both genders. */
export const POLLY_VOICES: readonly PollyVoice[] = Object.freeze([
  { name: 'Polly.Joanna', language: 'en-US', gender: 'female' },
  { name: 'Polly.Matthew', language: 'en-US', gender: 'male' },
  { name: 'Polly.Amy', language: 'en-GB', gender: 'female' },
  { name: 'Polly.Brian', language: 'en-GB', gender: 'male' },
  { name: 'Polly.Nicole', language: 'en-AU', gender: 'female' },
  { name: 'Polly.Russell', language: 'en-AU', gender: 'male' },
  { name: 'Polly.Aditi', language: 'en-IN', gender: 'female' },
  { name: 'Polly.Conchita', language: 'es-ES', gender: 'female' },
  { name: 'Polly.Enrique', language: 'es-ES', gender: 'male' },
  { name: 'Polly.Penelope', language: 'es-US', gender: 'female' },
  { name: 'Polly.Miguel', language: 'es-US', gender: 'male' },
  { name: 'Polly.Celine', language: 'fr-FR', gender: 'female' },
  { name: 'Polly.Mathieu', language: 'fr-FR', gender: 'male' },
  { name: 'Polly.Chantal', language: 'fr-CA', gender: 'female' },
  { name: 'Polly.Marlene', language: 'de-DE', gender: 'female' },
  { name: 'Polly.Hans', language: 'de-DE', gender: 'male' },
  { name: 'Polly.Carla', language: 'it-IT', gender: 'female' },
  { name: 'Polly.Giorgio', language: 'it-IT', gender: 'male' },
  { name: 'Polly.Mizuki', language: 'ja-JP', gender: 'female' },
  { name: 'Polly.Takumi', language: 'ja-JP', gender: 'male' },
  { name: 'Polly.Seoyeon', language: 'ko-KR', gender: 'female' },
  { name: 'Polly.Vitoria', language: 'pt-BR', gender: 'female' },
  { name: 'Polly.Ricardo', language: 'pt-BR', gender: 'male' },
  { name: 'Polly.Zhiyu', language: 'zh-CN', gender: 'female' },
  // Cantonese exists only as a neural voice; its name on the three is UNCONFIRMED (docs/providers/twilio.md).
  { name: 'Polly.Hiujin-Neural', language: 'zh-HK', gender: 'female' },
]);

/**
 * The voice callscript gives a `<Say>` whose message names no voice: the
 * default voice (default-voice.ts) in Polly. Written out because the three
 * providers' own defaults differ (Twilio `man`, SignalWire `woman`).
 */
export const POLLY_DEFAULT: PollyVoice = pollyVoiceFor(DEFAULT_VOICE.language, DEFAULT_VOICE.gender) as PollyVoice;

/** The languages with a Polly voice, in catalog order. */
export const POLLY_LANGUAGES: readonly string[] = Object.freeze([...new Set(POLLY_VOICES.map((v) => v.language))]);

/** The voice for a language and gender: the language's other voice when it has one gender only; undefined for a language not in the catalog. */
export function pollyVoiceFor(language: string, gender: Gender): PollyVoice | undefined {
  const voices = POLLY_VOICES.filter((v) => v.language === language);
  return voices.find((v) => v.gender === gender) ?? voices[0];
}

/** A voice by its TwiML name (`Polly.Joanna`). */
export function pollyVoiceNamed(name: string): PollyVoice | undefined {
  return POLLY_VOICES.find((v) => v.name === name);
}
