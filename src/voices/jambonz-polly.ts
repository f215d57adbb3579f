/**
 * The Amazon Polly voices as jambonz names them in a `say` verb's
 * `synthesizer` with vendor `aws` (../shared/providers.md §3.2), as pure data:
 * the same voices the TwiML family uses (polly.ts), under Polly's own voice
 * names (`Joanna`, not `Polly.Joanna`) and language codes (Mandarin is
 * `cmn-CN`, Cantonese `yue-CN`). The adapter picks a voice from it for a
 * script's language and gender; the simulator hears a synthesizer as the
 * voice's language and gender, the way the feature server speaks it.
 */
import { DEFAULT_VOICE } from './default-voice.js';
import { POLLY_VOICES, type Gender } from './polly.js';

export interface JambonzPollyVoice {
  /** The `synthesizer.voice` (`Joanna`). */
  readonly name: string;
  /** The BCP 47 tag a script names (`zh-HK`). */
  readonly language: string;
  /** The `synthesizer.language` Polly expects (`yue-CN`). */
  readonly pollyLanguage: string;
  readonly gender: Gender;
  /**
   * Whether Polly has a neural version: jambonz asks for the neural engine
   * unless told otherwise, and a standard-only voice would then fail to speak.
   */
  readonly neural: boolean;
}

/** The vendor jambonz calls Amazon Polly. */
export const AWS_VENDOR = 'aws';

/** Polly's language codes for the tags scripts use, where they differ. */
const POLLY_LANGUAGE: Readonly<Record<string, string>> = Object.freeze({ 'zh-CN': 'cmn-CN', 'zh-HK': 'yue-CN' });

const NEURAL: ReadonlySet<string> = new Set(['Joanna', 'Matthew', 'Amy', 'Brian', 'Takumi', 'Seoyeon', 'Vitoria', 'Zhiyu', 'Hiujin']);

export const JAMBONZ_POLLY_VOICES: readonly JambonzPollyVoice[] = Object.freeze(
  POLLY_VOICES.map((v) => {
    const name = v.name.replace(/^Polly\./, '').replace(/-Neural$/, '');
    return Object.freeze({ name, language: v.language, pollyLanguage: POLLY_LANGUAGE[v.language] ?? v.language, gender: v.gender, neural: NEURAL.has(name) });
  }),
);

/** The voice a script's voice falls back to when its language has none here: the default voice (default-voice.ts). */
export const JAMBONZ_POLLY_DEFAULT: JambonzPollyVoice = jambonzPollyVoiceFor(DEFAULT_VOICE.language, DEFAULT_VOICE.gender) as JambonzPollyVoice;

/** The tag scripts use for a Polly language code (`yue-CN` → `zh-HK`); other codes are returned as given. */
export function languageOfPolly(code: string): string {
  return JAMBONZ_POLLY_VOICES.find((v) => v.pollyLanguage === code)?.language ?? code;
}

/** The voice for a script's language and gender: the language's other voice when it has one gender only; undefined for a language not in the catalog. */
export function jambonzPollyVoiceFor(language: string, gender: Gender): JambonzPollyVoice | undefined {
  const voices = JAMBONZ_POLLY_VOICES.filter((v) => v.language === language);
  return voices.find((v) => v.gender === gender) ?? voices[0];
}

/** A voice by its `synthesizer.voice` name. */
export function jambonzPollyVoiceNamed(name: string): JambonzPollyVoice | undefined {
  return JAMBONZ_POLLY_VOICES.find((v) => v.name === name);
}
