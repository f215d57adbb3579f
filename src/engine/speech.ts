/**
 * Turns a rendered message into Hoiio's voice markup: `<speech language=".."
 * gender="..">…</speech>` when a voice applies (the text XML-escaped), and
 * `<url>…</url>` for recorded audio. A message with no voice is sent as it is,
 * exactly as before voices existed; so is a text that already carries its own
 * `<speech>` or `<url>` markup (the author chose it).
 */
import type { Voice } from '../script/model.js';

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const AUTHOR_MARKUP = /<speech[\s>]|<url>/;

export function speechMarkup(text: string, voice: Voice | undefined): string {
  if (voice === undefined || text === '' || AUTHOR_MARKUP.test(text)) return text;
  const language = voice.language !== undefined ? ` language="${voice.language}"` : '';
  const gender = voice.gender !== undefined ? ` gender="${voice.gender}"` : '';
  return `<speech${language}${gender}>${xmlEscape(text)}</speech>`;
}

export function audioMarkup(url: string): string {
  return `<url>${xmlEscape(url.trim())}</url>`;
}
