/**
 * What a caller hears from `<Say>`, `<Play>` and `<Pause>`, read the way the
 * TwiML providers read them: a `<Say>` in a Polly voice is spoken in that
 * voice's language and gender (Telnyx ignores `language` for Polly voices, and
 * on the others the voice decides it too), whatever `language` says.
 */
import { isDefaultVoice } from '../../voices/default-voice.js';
import { pollyVoiceNamed } from '../../voices/polly.js';
import type { HeardPart } from '../types.js';
import { textOf, type TwimlElement } from './xml.js';

/** The part a verb is heard as; undefined for a verb that says nothing (an empty `<Say>`, any other verb). */
export function heardOf(verb: TwimlElement): HeardPart | undefined {
  switch (verb.name) {
    case 'Say': {
      const text = textOf(verb).trim();
      if (text === '') return undefined;
      const named = verb.attributes.voice !== undefined ? pollyVoiceNamed(verb.attributes.voice) : undefined;
      // The default voice (en-US female, Hoiio's too) reads as the default on every provider.
      if (named === undefined || isDefaultVoice(named)) return { type: 'say', text };
      return { type: 'say', text, voice: { language: named.language, gender: named.gender } };
    }
    case 'Play':
      return { type: 'play', url: textOf(verb).trim() };
    case 'Pause':
      return { type: 'pause', seconds: Number(verb.attributes.length ?? '1') };
    default:
      return undefined;
  }
}

/** The parts heard from the verbs nested in a `<Gather>`. */
export function heardInside(element: TwimlElement): HeardPart[] {
  const out: HeardPart[] = [];
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    const part = heardOf(child);
    if (part !== undefined) out.push(part);
  }
  return out;
}
