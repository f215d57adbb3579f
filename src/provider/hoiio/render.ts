/**
 * Hoiio's voice markup for a message (contract §3.9): text in a voice becomes
 * `<speech language=".." gender="..">…</speech>` (the text XML-escaped), recorded
 * audio `<url>…</url>`. Text with no voice is sent exactly as it was before
 * voices existed: unescaped, so Hoiio's TTS reads it as the author wrote it.
 * Parts are joined with one space, as the engine once joined a retry's
 * "invalid" message and the prompt.
 */
import type { MessagePart } from '../../engine/parts.js';
import { xmlEscape } from '../../util/xml.js';

export class HoiioRenderError extends Error {
  readonly code = 'CS_PROVIDER_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'HoiioRenderError';
  }
}

export function renderHoiioMessage(parts: readonly MessagePart[]): string {
  let out = '';
  for (const part of parts) {
    let piece: string;
    switch (part.type) {
      case 'say': {
        if (part.text === '') continue;
        const voice = part.voice;
        if (voice === undefined) {
          piece = part.text;
        } else {
          const language = voice.language !== undefined ? ` language="${xmlEscape(voice.language)}"` : '';
          const gender = voice.gender !== undefined ? ` gender="${voice.gender}"` : '';
          piece = `<speech${language}${gender}>${xmlEscape(part.text)}</speech>`;
        }
        break;
      }
      case 'play':
        piece = `<url>${xmlEscape(part.url.trim())}</url>`;
        break;
      case 'pause':
        // Load-time checks refuse pauses on Hoiio; a message built some other way still must not reach the wire.
        throw new HoiioRenderError('Hoiio has no pause in messages');
    }
    out = out === '' ? piece : `${out} ${piece}`;
  }
  return out;
}

/** undefined for an empty message, so the `msg` parameter is left out as before. */
export function hoiioMsg(parts: readonly MessagePart[] | undefined): string | undefined {
  if (parts === undefined) return undefined;
  const msg = renderHoiioMessage(parts);
  return msg === '' ? undefined : msg;
}

/** Hoiio's counting of a message (its markup included); a pause, which Hoiio cannot say, counts nothing. */
export function hoiioMessageLength(parts: readonly MessagePart[]): number {
  return renderHoiioMessage(parts.filter((p) => p.type !== 'pause')).length;
}
