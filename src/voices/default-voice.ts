/**
 * The voice a message without one is spoken in: English (en-US), female. It is
 * Hoiio's documented default and the Polly voice callscript gives the TwiML
 * providers (whose own defaults differ). Each simulator hears a message in this
 * voice as the default voice, so a script that names it and one that does not
 * read the same in every provider's transcript.
 */
export const DEFAULT_VOICE = Object.freeze({ language: 'en-US', gender: 'female' as const });

/** A voice that is the default one: each of its given attributes is the default's. */
export function isDefaultVoice(voice: { readonly language?: string; readonly gender?: string }): boolean {
  return (voice.language === undefined || voice.language === DEFAULT_VOICE.language) && (voice.gender === undefined || voice.gender === DEFAULT_VOICE.gender);
}
