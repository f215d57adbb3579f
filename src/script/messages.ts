/**
 * Where a script says something to the caller, and the forms a message takes:
 * a template; `{ url }` (recorded audio); or, in a script with `languages`, one
 * template or `{ url }` per language; a gather's prompt may also be a list of
 * those (one per attempt). Shared by the template checks, the language checks
 * and the builder so they agree on what a message is.
 */
import type { DataPath } from './paths.js';
import { isRecord, own, ownRecord, type RawRecord } from './raw.js';
import { stepsOf } from './semantic-checks.js';

export interface MessageField {
  readonly path: DataPath;
  readonly value: unknown;
  /** A gather's prompt may be a list (escalating prompts). */
  readonly listAllowed: boolean;
  /** The step kind, when the whole block is written as its message (`play: { en: …, zh: … }`). */
  readonly shorthandOf?: string;
}

/** Message-valued block fields per kind. */
export const MESSAGE_FIELD: Readonly<Record<string, string>> = {
  play: 'message',
  gather: 'prompt',
  record: 'prompt',
  monitor: 'message',
  transfer: 'message',
  hangup: 'message',
};

/**
 * The kinds whose whole block may be written as its message (`play: "Hi"`,
 * `play: { en: …, zh: … }`, a gather's list of prompts). These are the only places
 * where a mapping is told apart as a message or a block; every other mapping
 * (`set`, `vars`, an http step's `save`, `headers` and `json`, `branches`…)
 * is names to values whatever its keys look like. A transfer's shorthand is
 * its `to`, not its message. The schema says the same: only these kinds'
 * `…Block` definitions start with `if: messageShape`
 * (test/script/message-positions.test.ts holds the two together).
 */
export const SHORTHAND_MESSAGE_KINDS: ReadonlySet<string> = new Set(['play', 'gather', 'record', 'monitor', 'hangup']);

/** A step's block (of `kind`) written as its message rather than as the block mapping. */
export function blockIsMessage(kind: string, block: unknown): boolean {
  return SHORTHAND_MESSAGE_KINDS.has(kind) && isBlockShorthand(block, kind === 'gather');
}

/** Every message-valued field of the script (as written: a string, mapping or list). */
export function messageFields(data: unknown): MessageField[] {
  const out: MessageField[] = [];
  if (!isRecord(data)) return out;
  const invalidDefaults = ownRecord(ownRecord(data, 'defaults') ?? {}, 'invalid');
  if (invalidDefaults && own(invalidDefaults, 'message') !== undefined) {
    out.push({ path: ['defaults', 'invalid', 'message'], value: own(invalidDefaults, 'message'), listAllowed: false });
  }
  for (const [id, step] of Object.entries(stepsOf(data))) {
    if (!isRecord(step)) continue;
    for (const [kind, field] of Object.entries(MESSAGE_FIELD)) {
      const block = own(step, kind);
      if (blockIsMessage(kind, block)) out.push({ path: ['steps', id, kind], value: block, listAllowed: kind === 'gather', shorthandOf: kind });
      else if (isRecord(block) && own(block, field) !== undefined) {
        out.push({ path: ['steps', id, kind, field], value: own(block, field), listAllowed: kind === 'gather' });
      }
    }
    const invalid = ownRecord(step, 'invalid');
    if (invalid && own(invalid, 'message') !== undefined) {
      out.push({ path: ['steps', id, 'invalid', 'message'], value: own(invalid, 'message'), listAllowed: false });
    }
  }
  return out;
}

export type LeafRole = 'message' | 'audio';

export interface MessageLeaf {
  readonly path: DataPath;
  readonly source: string;
  readonly role: LeafRole;
}

/** The templates inside one message value: its text, audio URL, each language's form, each attempt's prompt. */
export function messageLeaves(path: DataPath, value: unknown): MessageLeaf[] {
  const out: MessageLeaf[] = [];
  const visit = (at: DataPath, v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      out.push({ path: at, source: v, role: 'message' });
    } else if (Array.isArray(v) && depth === 0) {
      v.forEach((item: unknown, i) => visit([...at, i], item, 1));
    } else if (isRecord(v)) {
      for (const [key, part] of Object.entries(v)) {
        if (key === 'url') {
          if (typeof part === 'string') out.push({ path: [...at, 'url'], source: part, role: 'audio' });
        } else if (key === 'parts') {
          visitParts([...at, 'parts'], part);
        } else if (typeof part === 'string') {
          out.push({ path: [...at, key], source: part, role: 'message' });
        } else if (isRecord(part)) {
          const url = own(part, 'url');
          if (typeof url === 'string') out.push({ path: [...at, key, 'url'], source: url, role: 'audio' });
          const parts = own(part, 'parts');
          if (parts !== undefined) visitParts([...at, key, 'parts'], parts);
        }
      }
    }
  };
  const visitParts = (at: DataPath, items: unknown): void => {
    if (!Array.isArray(items)) return;
    items.forEach((item: unknown, i) => {
      if (typeof item === 'string') out.push({ path: [...at, i], source: item, role: 'message' });
      else if (isRecord(item)) {
        const say = own(item, 'say');
        const url = own(item, 'url');
        if (typeof say === 'string') out.push({ path: [...at, i, 'say'], source: say, role: 'message' });
        if (typeof url === 'string') out.push({ path: [...at, i, 'url'], source: url, role: 'audio' });
      }
    });
  };
  visit(path, value, 0);
  return out;
}

const LANGUAGE_KEY = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/;

/** A language key (`en`, `pt-BR`); `url` and `tag` are never one. */
export function isLanguageKey(key: string): boolean {
  return LANGUAGE_KEY.test(key) && key !== 'url' && key !== 'tag';
}

/**
 * A mapping that is a message, not a block: `{ url }`, `{ parts }`, or texts per language.
 * This is how `play: { en: …, zh: … }` is told from `play: { message: …, tag: … }`
 * (the schema's `messageShape` says the same).
 */
export function isMessageShape(value: unknown): value is RawRecord {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k === 'url' || k === 'parts' || isLanguageKey(k));
}

/** A block written as its message: a string, a message mapping, or (gather) a list of prompts. */
export function isBlockShorthand(block: unknown, listAllowed: boolean): boolean {
  return typeof block === 'string' || isMessageShape(block) || (listAllowed && Array.isArray(block));
}

/** A mapping message whose keys are languages (anything but a lone `url` or `parts`). */
export function isLanguageMap(value: unknown): value is RawRecord {
  return isRecord(value) && Object.keys(value).some((k) => k !== 'url' && k !== 'parts');
}

/** The declared language keys, in order. */
export function declaredLanguages(data: unknown): string[] {
  const languages = isRecord(data) ? ownRecord(data, 'languages') : undefined;
  return languages ? Object.keys(languages) : [];
}
