/**
 * The values an http step saves, taken from the JSON answer: a missing path
 * gives "", text as it is, numbers and booleans as text, objects and lists as
 * JSON text. Pure; the runner calls it so only these few strings (not the whole
 * answer) travel in the `http.result` event.
 */
import type { HttpSave } from '../script/model.js';

/** Longest saved value; longer ones are cut (a var is said, compared or sent on, never stored in bulk). */
export const MAX_SAVED_VALUE = 4096;

export function extractPath(json: unknown, path: ReadonlyArray<string | number>): string {
  let at: unknown = json;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(at) || segment >= at.length) return '';
      at = at[segment];
    } else {
      if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, segment)) return '';
      at = (at as Record<string, unknown>)[segment];
    }
  }
  let text: string;
  if (at === null || at === undefined) text = '';
  else if (typeof at === 'string') text = at;
  else if (typeof at === 'number' || typeof at === 'boolean') text = String(at);
  else text = JSON.stringify(at);
  return text.length > MAX_SAVED_VALUE ? text.slice(0, MAX_SAVED_VALUE) : text;
}

export function extractValues(json: unknown, saves: readonly HttpSave[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const save of saves) out[save.name] = extractPath(json, save.path);
  return out;
}
