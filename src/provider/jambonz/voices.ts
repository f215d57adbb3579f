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
import { AWS_VENDOR, JAMBONZ_POLLY_DEFAULT, jambonzPollyVoiceFor } from '../../voices/jambonz-polly.js';
import { POLLY_LANGUAGES } from '../../voices/polly.js';

export { AWS_VENDOR };

/** The language a voice with no language is spoken in. */
export const DEFAULT_LANGUAGE = 'en-US';

/** The BCP 47 tags a script's voices may name on jambonz (those Polly has voices for). */
export const JAMBONZ_LANGUAGES: readonly string[] = POLLY_LANGUAGES;

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
  const gender = voice.gender ?? 'female';
  const chosen = jambonzPollyVoiceFor(language, gender) ?? jambonzPollyVoiceFor(DEFAULT_LANGUAGE, gender) ?? JAMBONZ_POLLY_DEFAULT;
  return { vendor, language: chosen.pollyLanguage, voice: chosen.name, engine: chosen.neural ? 'neural' : 'standard' };
}
