/**
 * Text-to-speech voices on jambonz. jambonz speaks through whichever speech
 * vendor the account has credentials for; a `say` verb names it in its
 * `synthesizer` (never `voice`/`language` on `say` itself: the feature
 * server's validator refuses them, ../shared/providers.md §3.2). A part with no
 * voice in the script gets no synthesizer and is spoken with the application's
 * own speech settings.
 *
 * With the `aws` vendor (Amazon Polly, the default) a voice in the script
 * picks a Polly voice by language and gender, the same voices the TwiML family
 * uses, so a script sounds alike there and here. Any other vendor gets the
 * language and the gender, and the application's voice for that vendor
 * (jambonz fills in what the synthesizer leaves out).
 */
import type { Voice } from '../../engine/parts.js';

interface VoicePair {
  readonly female: string;
  readonly male: string;
}

const POLLY: Readonly<Record<string, VoicePair>> = Object.freeze({
  'en-US': { female: 'Joanna', male: 'Matthew' },
  'en-GB': { female: 'Amy', male: 'Brian' },
  'en-AU': { female: 'Nicole', male: 'Russell' },
  'en-IN': { female: 'Aditi', male: 'Aditi' },
  'es-ES': { female: 'Conchita', male: 'Enrique' },
  'es-US': { female: 'Penelope', male: 'Miguel' },
  'fr-FR': { female: 'Celine', male: 'Mathieu' },
  'fr-CA': { female: 'Chantal', male: 'Chantal' },
  'de-DE': { female: 'Marlene', male: 'Hans' },
  'it-IT': { female: 'Carla', male: 'Giorgio' },
  'ja-JP': { female: 'Mizuki', male: 'Takumi' },
  'ko-KR': { female: 'Seoyeon', male: 'Seoyeon' },
  'pt-BR': { female: 'Vitoria', male: 'Ricardo' },
  'cmn-CN': { female: 'Zhiyu', male: 'Zhiyu' },
  // Cantonese exists only as a neural voice.
  'yue-CN': { female: 'Hiujin', male: 'Hiujin' },
});

/** Polly's language codes for the BCP 47 tags scripts use, where they differ. */
const POLLY_LANGUAGE: Readonly<Record<string, string>> = Object.freeze({ 'zh-CN': 'cmn-CN', 'zh-HK': 'yue-CN' });

/**
 * Polly voices with a neural version. jambonz asks Polly for the neural engine
 * unless told otherwise, and a standard-only voice would then fail to speak.
 */
const NEURAL: ReadonlySet<string> = new Set(['Joanna', 'Matthew', 'Amy', 'Brian', 'Takumi', 'Seoyeon', 'Vitoria', 'Zhiyu', 'Hiujin']);

/** The vendor jambonz calls Amazon Polly. */
export const AWS_VENDOR = 'aws';

/** The language a voice with no language is spoken in. */
export const DEFAULT_LANGUAGE = 'en-US';

/** The BCP 47 tags a script's voices may name on jambonz (those Polly has voices for). */
export const JAMBONZ_LANGUAGES: readonly string[] = Object.freeze([
  ...Object.keys(POLLY).filter((tag) => !Object.values(POLLY_LANGUAGE).includes(tag)),
  ...Object.keys(POLLY_LANGUAGE),
]);

/** A `say` verb's `synthesizer` (the fields @jambonz/verb-specifications knows). */
export interface Synthesizer {
  readonly vendor: string;
  readonly language: string;
  readonly voice?: string;
  readonly engine?: 'neural' | 'standard';
  readonly gender?: 'MALE' | 'FEMALE';
}

/** The synthesizer for a script's voice with `vendor`; undefined for the application's default voice. */
export function synthesizerFor(voice: Voice | undefined, vendor: string): Synthesizer | undefined {
  if (voice === undefined || (voice.language === undefined && voice.gender === undefined)) return undefined;
  const language = voice.language ?? DEFAULT_LANGUAGE;
  if (vendor !== AWS_VENDOR) {
    return { vendor, language, ...(voice.gender !== undefined ? { gender: voice.gender === 'male' ? 'MALE' : 'FEMALE' } : {}) };
  }
  const polly = POLLY_LANGUAGE[language] ?? (Object.hasOwn(POLLY, language) ? language : DEFAULT_LANGUAGE);
  const pair = POLLY[polly] ?? { female: 'Joanna', male: 'Matthew' };
  const name = voice.gender === 'male' ? pair.male : pair.female;
  return { vendor, language: polly, voice: name, engine: NEURAL.has(name) ? 'neural' : 'standard' };
}
