/**
 * What the caller hears, in provider-neutral form: ordered parts, each spoken
 * text (with its voice), recorded audio or a pause. Blocks carry these; turning
 * them into a provider's markup, TwiML verbs, jambonz `say` verbs or SSML is each adapter's job.
 */
/** A text-to-speech voice; each adapter maps it onto its provider's voices. */
export interface Voice {
  /** BCP 47 tag, e.g. `en-US`, `zh-HK`. */
  readonly language?: string;
  readonly gender?: 'male' | 'female';
}

export type MessagePart =
  /** Text to speak; `voice` absent = the provider's default voice. */
  | { readonly type: 'say'; readonly text: string; readonly voice?: Voice }
  /** Recorded audio at an http(s) URL. */
  | { readonly type: 'play'; readonly url: string }
  /** Silence, in seconds. */
  | { readonly type: 'pause'; readonly seconds: number };

export type MessagePartType = MessagePart['type'];

/** The empty message: nothing to say. */
export const NO_PARTS: readonly MessagePart[] = Object.freeze([]);

/** A message of one spoken text in the default voice (the engine's own messages). */
export function said(text: string): readonly MessagePart[] {
  return [{ type: 'say', text }];
}

function voiceLabel(voice: Voice | undefined): string {
  const label = voice === undefined ? '' : [voice.language, voice.gender].filter((v) => v !== undefined).join(' ');
  return label === '' ? '[default] ' : `[${label}] `;
}

/**
 * One readable line for a message, the same whatever the provider: text as is,
 * its voice in brackets before it where the voice changes (`[en-US female]
 * Hello`; `[default]` back to the provider's own voice), audio as
 * `[audio URL]`, a pause as `[pause 2s]`. Transcripts, `callscript test` and the
 * phones show messages this way.
 */
export function formatParts(parts: readonly MessagePart[]): string {
  const out: string[] = [];
  let current: Voice | undefined;
  let spoken = false;
  for (const part of parts) {
    switch (part.type) {
      case 'say': {
        let label = '';
        if (!spoken ? part.voice !== undefined : !sameVoice(part.voice, current)) label = voiceLabel(part.voice);
        out.push(`${label}${part.text}`);
        current = part.voice;
        spoken = true;
        break;
      }
      case 'play':
        out.push(`[audio ${part.url}]`);
        break;
      case 'pause':
        out.push(`[pause ${part.seconds}s]`);
        break;
    }
  }
  return out.join(' ');
}

/** Two voices are the same voice. */
export function sameVoice(a: Voice | undefined, b: Voice | undefined): boolean {
  return a?.language === b?.language && a?.gender === b?.gender;
}
