/**
 * What a caller hears from `say`, `play` and `pause`, read the way the feature
 * server speaks them: a `say` with a `synthesizer` is spoken in that voice
 * (an `aws` voice by its Polly name, whose language and gender the catalog
 * knows; another vendor in the language and gender it is given), one without
 * in the application's own voice, which on the simulated network is the
 * default voice (en-US, female).
 */
import { isDefaultVoice } from '../../voices/default-voice.js';
import { AWS_VENDOR, jambonzPollyVoiceNamed, languageOfPolly } from '../../voices/jambonz-polly.js';
import type { HeardPart, HeardVoice } from '../types.js';
import type { JambonzVerb, PlayVerb, SayVerb } from './verbs.js';

/** The parts a verb is heard as (a `play` of several URLs is several); none for a verb that says nothing. */
export function heardOf(verb: JambonzVerb): HeardPart[] {
  switch (verb.verb) {
    case 'say':
      return heardOfSay(verb);
    case 'play':
      return heardOfPlay(verb);
    case 'pause':
      return [{ type: 'pause', seconds: verb.length }];
    default:
      return [];
  }
}

export function heardOfSay(verb: SayVerb): HeardPart[] {
  const text = verb.text.trim();
  if (text === '') return [];
  const voice = voiceOf(verb);
  return [voice === undefined || isDefaultVoice(voice) ? { type: 'say', text } : { type: 'say', text, voice }];
}

export function heardOfPlay(verb: PlayVerb): HeardPart[] {
  return verb.urls.filter((u) => u.trim() !== '').map((url) => ({ type: 'play', url: url.trim() }));
}

function voiceOf(verb: SayVerb): HeardVoice | undefined {
  const s = verb.synthesizer;
  if (s === undefined) return undefined;
  const aws = s.vendor === AWS_VENDOR;
  const named = aws && s.voice !== undefined ? jambonzPollyVoiceNamed(s.voice) : undefined;
  if (named !== undefined) return { language: named.language, gender: named.gender };
  const language = s.language !== undefined ? (aws ? languageOfPolly(s.language) : s.language) : undefined;
  const gender = s.gender?.toUpperCase() === 'MALE' ? 'male' : s.gender?.toUpperCase() === 'FEMALE' ? 'female' : undefined;
  if (language === undefined && gender === undefined) return undefined;
  return { ...(language !== undefined ? { language } : {}), ...(gender !== undefined ? { gender } : {}) };
}
