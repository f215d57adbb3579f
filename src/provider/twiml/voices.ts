/**
 * Text-to-speech voices for the TwiML family. Twilio, Telnyx TeXML and
 * SignalWire each list Amazon Polly voices as `Polly.<Name>`
 * (../shared/providers.md §3.1), while their own basic voices differ (`man` and
 * `woman` are en-US only on Telnyx; SignalWire's default is `woman`, Twilio's
 * `man`). So every `<Say>` names a Polly voice, and a script sounds the same on
 * all three. A language with one Polly voice uses it for both genders.
 */
import type { Voice } from '../../engine/parts.js';

interface VoicePair {
  readonly female: string;
  readonly male: string;
}

const POLLY: Readonly<Record<string, VoicePair>> = Object.freeze({
  'en-US': { female: 'Polly.Joanna', male: 'Polly.Matthew' },
  'en-GB': { female: 'Polly.Amy', male: 'Polly.Brian' },
  'en-AU': { female: 'Polly.Nicole', male: 'Polly.Russell' },
  'en-IN': { female: 'Polly.Aditi', male: 'Polly.Aditi' },
  'es-ES': { female: 'Polly.Conchita', male: 'Polly.Enrique' },
  'es-US': { female: 'Polly.Penelope', male: 'Polly.Miguel' },
  'fr-FR': { female: 'Polly.Celine', male: 'Polly.Mathieu' },
  'fr-CA': { female: 'Polly.Chantal', male: 'Polly.Chantal' },
  'de-DE': { female: 'Polly.Marlene', male: 'Polly.Hans' },
  'it-IT': { female: 'Polly.Carla', male: 'Polly.Giorgio' },
  'ja-JP': { female: 'Polly.Mizuki', male: 'Polly.Takumi' },
  'ko-KR': { female: 'Polly.Seoyeon', male: 'Polly.Seoyeon' },
  'pt-BR': { female: 'Polly.Vitoria', male: 'Polly.Ricardo' },
  'zh-CN': { female: 'Polly.Zhiyu', male: 'Polly.Zhiyu' },
  // Cantonese exists only as a neural voice; its name on the three is UNCONFIRMED (docs/providers/twilio.md).
  'zh-HK': { female: 'Polly.Hiujin-Neural', male: 'Polly.Hiujin-Neural' },
});

/** The language a `<Say>` without a voice in the script is spoken in. */
export const DEFAULT_LANGUAGE = 'en-US';

/** The BCP 47 tags a script's voices may name on the TwiML providers. */
export const TWIML_LANGUAGES: readonly string[] = Object.freeze(Object.keys(POLLY));

/** `voice` and `language` for a `<Say>`; a script's voice with no language is en-US, with no gender female. */
export function sayVoice(voice: Voice | undefined): { readonly voice: string; readonly language: string } {
  const language = voice?.language !== undefined && Object.hasOwn(POLLY, voice.language) ? voice.language : DEFAULT_LANGUAGE;
  const pair = POLLY[language] ?? { female: 'Polly.Joanna', male: 'Polly.Matthew' };
  return { voice: voice?.gender === 'male' ? pair.male : pair.female, language };
}
