/**
 * The Polly voices under jambonz's names are the TwiML family's voices
 * (src/voices/polly.ts), so a script sounds alike on both: one entry each,
 * Polly's own names and language codes, and the way back from a code to the
 * tag a script writes.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_VOICE } from '../../src/voices/default-voice.js';
import { JAMBONZ_POLLY_DEFAULT, JAMBONZ_POLLY_VOICES, jambonzPollyVoiceFor, jambonzPollyVoiceNamed, languageOfPolly } from '../../src/voices/jambonz-polly.js';
import { POLLY_VOICES } from '../../src/voices/polly.js';

describe('the jambonz Polly catalog', () => {
  it('has each TwiML Polly voice once, by its Polly name, in the same language and gender', () => {
    expect(JAMBONZ_POLLY_VOICES.map((v) => [v.language, v.gender])).toEqual(POLLY_VOICES.map((v) => [v.language, v.gender]));
    for (const v of JAMBONZ_POLLY_VOICES) {
      expect(v.name).toMatch(/^[A-Z][a-z]+$/);
      expect(jambonzPollyVoiceNamed(v.name)).toBe(v);
      expect(languageOfPolly(v.pollyLanguage)).toBe(v.language);
    }
  });

  it("speaks Chinese in Polly's codes, falls back to a language's one voice, and defaults to the default voice", () => {
    expect(jambonzPollyVoiceFor('zh-HK', 'male')).toMatchObject({ name: 'Hiujin', pollyLanguage: 'yue-CN', neural: true });
    expect(jambonzPollyVoiceFor('zh-CN', 'female')).toMatchObject({ name: 'Zhiyu', pollyLanguage: 'cmn-CN' });
    expect(jambonzPollyVoiceFor('xx-XX', 'female')).toBeUndefined();
    expect(JAMBONZ_POLLY_DEFAULT).toMatchObject({ name: 'Joanna', language: DEFAULT_VOICE.language, gender: DEFAULT_VOICE.gender });
    expect(languageOfPolly('de-DE')).toBe('de-DE');
  });
});
