/**
 * CS_PROVIDER_UNSUPPORTED / CS_PROVIDER_LIMIT / CS_MESSAGE_TOO_LONG: what a
 * script asks of the telephony provider, checked against that provider's
 * capability table at load, so a script that needs something the provider
 * lacks is refused by `validate`, `serve`, `dev` and hot reload instead of
 * failing in the middle of a call.
 *
 * Only what the script fixes at load is judged: a message or tag with a
 * template in it may render shorter or longer, so only constant ones are
 * measured (the engine still checks every rendered message). A constant
 * message whose voice depends on the call's language is measured in the voice
 * that makes it shortest: it is refused only when it is too long whatever the
 * caller picks.
 *
 * Pure, like every check here: the table comes in as data (it is never looked
 * up by name from here), so the compiler stays usable without any provider.
 */
import type { ProviderCapabilities } from '../../engine/capabilities.js';
import { plainMessageLength } from '../../engine/capabilities.js';
import type { MessagePart, Voice } from '../../engine/parts.js';
import { INLINE_AUDIO, INLINE_SPEECH, hasInlineMarkup, parseInlineMarkup } from '../../markup/hoiio-inline.js';
import { MESSAGE_FIELD, blockIsMessage, isLanguageKey } from '../messages.js';
import { toPointer, type DataPath } from '../paths.js';
import { isRecord, kindsOf, own, ownRecord, type RawRecord } from '../raw.js';
import type { Reporter } from '../report.js';
import { stepsOf } from '../semantic-checks.js';

export const PROVIDER_UNSUPPORTED = 'CS_PROVIDER_UNSUPPORTED';
export const PROVIDER_LIMIT = 'CS_PROVIDER_LIMIT';
/** Older than the capability tables (it was Hoiio's fixed limit): kept so CI filters on it keep working. */
export const MESSAGE_TOO_LONG = 'CS_MESSAGE_TOO_LONG';

/** Where a diagnostic points: the node at `path`, its key or its value. */
interface Place {
  readonly path: DataPath;
  readonly on: 'key' | 'value';
}

/** One thing a message makes the caller hear, as written. */
type Item =
  | {
      readonly kind: 'say';
      readonly text: string;
      readonly voice?: Voice;
      /** A `{ say, language }` item: spoken in that declared language's voice. */
      readonly language?: string;
    }
  | { readonly kind: 'play'; readonly url: string; readonly at: Place; readonly inline: boolean }
  | { readonly kind: 'pause'; readonly seconds: number; readonly at: Place };

/** One form of a message: one language's text of one attempt's prompt. */
interface Variant {
  readonly path: DataPath;
  readonly items: readonly Item[];
  /** The language key of the per-language mapping it came from. */
  readonly language?: string;
}

/** A voice as written, with where its fields are. */
interface WrittenVoice {
  readonly voice: Voice;
  /** The `voice:` mapping; undefined for a voice written in inline Hoiio markup. */
  readonly path?: DataPath;
  /** The message text holding inline markup. */
  readonly inlineAt?: DataPath;
}

/** A template with no `{{` renders to itself (src/template/compile.ts): only those can be measured at load. */
function isConstant(source: string): boolean {
  return !source.includes('{{');
}

function voiceOf(value: unknown): Voice | undefined {
  if (!isRecord(value)) return undefined;
  const language = own(value, 'language');
  const gender = own(value, 'gender');
  const voice: { language?: string; gender?: 'male' | 'female' } = {};
  if (typeof language === 'string') voice.language = language;
  if (gender === 'male' || gender === 'female') voice.gender = gender;
  return voice.language === undefined && voice.gender === undefined ? undefined : voice;
}

function textItems(source: string, path: DataPath, voices: WrittenVoice[]): Item[] {
  // Hoiio's inline markup is read into parts at build time (src/script/build.ts): judge what it becomes.
  const segments = hasInlineMarkup(source) ? parseInlineMarkup(source) : undefined;
  if (segments === undefined) return [{ kind: 'say', text: source }];
  return segments.map((segment): Item => {
    if (segment.kind === 'url') return { kind: 'play', url: segment.source, at: { path, on: 'value' }, inline: true };
    const voice = voiceOf(segment);
    if (voice === undefined) return { kind: 'say', text: segment.source };
    voices.push({ voice, inlineAt: path });
    return { kind: 'say', text: segment.source, voice };
  });
}

function partsItems(path: DataPath, value: unknown, voices: WrittenVoice[]): Item[] {
  if (!Array.isArray(value)) return [];
  const items: Item[] = [];
  value.forEach((item: unknown, i) => {
    const at: DataPath = [...path, i];
    if (typeof item === 'string') {
      items.push({ kind: 'say', text: item });
      return;
    }
    if (!isRecord(item)) return;
    const pause = own(item, 'pause');
    const url = own(item, 'url');
    const say = own(item, 'say');
    if (typeof pause === 'number') items.push({ kind: 'pause', seconds: pause, at: { path: [...at, 'pause'], on: 'key' } });
    else if (typeof url === 'string') items.push({ kind: 'play', url, at: { path: [...at, 'url'], on: 'key' }, inline: false });
    else if (typeof say === 'string') {
      const voice = voiceOf(own(item, 'voice'));
      if (voice !== undefined) voices.push({ voice, path: [...at, 'voice'] });
      const language = own(item, 'language');
      items.push({
        kind: 'say',
        text: say,
        ...(voice !== undefined ? { voice } : {}),
        ...(typeof language === 'string' ? { language } : {}),
      });
    }
  });
  return items;
}

/** A message's forms: a text, `{ url }` or `{ parts }`, per language, per attempt. */
function variantsOf(path: DataPath, value: unknown, listAllowed: boolean, voices: WrittenVoice[]): Variant[] {
  const out: Variant[] = [];
  const form = (at: DataPath, v: unknown, language: string | undefined, top: boolean): void => {
    const lang = language !== undefined ? { language } : {};
    if (typeof v === 'string') {
      out.push({ path: at, items: textItems(v, at, voices), ...lang });
      return;
    }
    if (!isRecord(v)) return;
    for (const [key, inner] of Object.entries(v)) {
      if (key === 'url') {
        if (typeof inner === 'string') {
          out.push({ path: [...at, 'url'], items: [{ kind: 'play', url: inner, at: { path: [...at, 'url'], on: 'key' }, inline: false }], ...lang });
        }
      } else if (key === 'parts') {
        out.push({ path: [...at, 'parts'], items: partsItems([...at, 'parts'], inner, voices), ...lang });
      } else if (top && isLanguageKey(key)) {
        form([...at, key], inner, key, false);
      }
    }
  };
  if (Array.isArray(value) && listAllowed) value.forEach((item: unknown, i) => form([...path, i], item, undefined, true));
  else form(path, value, undefined, true);
  return out;
}

interface MessageField {
  readonly path: DataPath;
  readonly value: unknown;
  readonly listAllowed: boolean;
  /** The voices of the steps it is said in (undefined: a step with no voice of its own). */
  readonly stepVoices: readonly (Voice | undefined)[];
}

function messageFieldsOf(data: RawRecord): MessageField[] {
  const out: MessageField[] = [];
  const gatherVoices: (Voice | undefined)[] = [];
  for (const [id, step] of Object.entries(stepsOf(data))) {
    if (!isRecord(step)) continue;
    const stepVoices = [voiceOf(own(step, 'voice'))];
    for (const [kind, field] of Object.entries(MESSAGE_FIELD)) {
      const block = own(step, kind);
      if (block === undefined) continue;
      if (kind === 'gather') gatherVoices.push(stepVoices[0]);
      const listAllowed = kind === 'gather';
      if (blockIsMessage(kind, block)) {
        out.push({ path: ['steps', id, kind], value: block, listAllowed, stepVoices });
      } else if (isRecord(block) && own(block, field) !== undefined) {
        out.push({ path: ['steps', id, kind, field], value: own(block, field), listAllowed, stepVoices });
      }
    }
    const invalid = ownRecord(step, 'invalid');
    if (invalid !== undefined && own(invalid, 'message') !== undefined) {
      out.push({ path: ['steps', id, 'invalid', 'message'], value: own(invalid, 'message'), listAllowed: false, stepVoices });
    }
  }
  const fallback = own(ownRecord(ownRecord(data, 'defaults') ?? {}, 'invalid') ?? {}, 'message');
  if (fallback !== undefined) {
    // Said at whichever gather gets input it does not expect, in that gather's voice.
    out.push({ path: ['defaults', 'invalid', 'message'], value: fallback, listAllowed: false, stepVoices: gatherVoices.length > 0 ? gatherVoices : [undefined] });
  }
  return out;
}

function voiceKey(voice: Voice | undefined): string {
  return voice === undefined ? '' : `${voice.language ?? ''}\u0000${voice.gender ?? ''}`;
}

function uniqueVoices(voices: readonly (Voice | undefined)[]): (Voice | undefined)[] {
  const seen = new Map<string, Voice | undefined>();
  for (const v of voices) if (!seen.has(voiceKey(v))) seen.set(voiceKey(v), v);
  return [...seen.values()];
}

/** What the language and script voices make of a message the script leaves unvoiced. */
interface VoiceContext {
  readonly script?: Voice;
  /** Declared languages and their voices, in order. */
  readonly languages: ReadonlyMap<string, Voice | undefined>;
}

function voiceContext(data: RawRecord): VoiceContext {
  const languages = new Map<string, Voice | undefined>();
  for (const [key, spec] of Object.entries(ownRecord(data, 'languages') ?? {})) {
    languages.set(key, isRecord(spec) ? voiceOf(own(spec, 'voice')) : undefined);
  }
  const script = voiceOf(own(data, 'voice'));
  return script !== undefined ? { script, languages } : { languages };
}

/**
 * The voices an unvoiced text of this variant may be spoken in: the step's,
 * else the current language's (the variant's own language, or any declared
 * one for a message written once for all), else the script's — the order the
 * engine applies them in.
 */
function fallbackVoices(variant: Variant, stepVoices: readonly (Voice | undefined)[], ctx: VoiceContext): (Voice | undefined)[] {
  const languageVoices: (Voice | undefined)[] =
    variant.language !== undefined ? [ctx.languages.get(variant.language)] : ctx.languages.size > 0 ? [...ctx.languages.values()] : [undefined];
  const out: (Voice | undefined)[] = [];
  for (const step of stepVoices) {
    if (step !== undefined) out.push(step);
    else for (const language of languageVoices) out.push(language ?? ctx.script);
  }
  return uniqueVoices(out);
}

function partsFor(items: readonly Item[], fallback: Voice | undefined, ctx: VoiceContext): MessagePart[] {
  return items.map((item): MessagePart => {
    if (item.kind === 'play') return { type: 'play', url: item.url };
    if (item.kind === 'pause') return { type: 'pause', seconds: item.seconds };
    const voice = item.voice ?? (item.language !== undefined ? ctx.languages.get(item.language) : undefined) ?? fallback;
    return voice !== undefined ? { type: 'say', text: item.text, voice } : { type: 'say', text: item.text };
  });
}

function quote(value: string): string {
  return `\`${value}\``;
}

export function checkCapabilities(data: unknown, reporter: Reporter, caps: ProviderCapabilities): void {
  if (!isRecord(data)) return;
  const provider = `the ${quote(caps.name)} provider`;
  const at = (place: Place, code: string, message: string, severity: 'error' | 'warning' = 'error'): void =>
    reporter.at(toPointer(place.path), place.on, code, message, severity);

  for (const [id, step] of Object.entries(stepsOf(data))) {
    if (!isRecord(step)) continue;
    const kinds = kindsOf(step);
    if (kinds.includes('record') && !caps.record) {
      at(
        { path: ['steps', id, 'record'], on: 'key' },
        PROVIDER_UNSUPPORTED,
        `step ${quote(id)} records the caller, but ${provider} cannot record: ` +
          'take messages another way (e.g. a transfer to a voicemail number) or run this script on a provider that records',
      );
    }
    if (kinds.includes('monitor') && !caps.monitor) {
      at(
        { path: ['steps', id, 'monitor'], on: 'key' },
        PROVIDER_UNSUPPORTED,
        `step ${quote(id)} records the rest of the call, but ${provider} cannot record a call in the background: ` +
          'remove the monitor step (point what leads to it at its `next`) or run this script on a provider that can',
      );
    }
    const gather = ownRecord(step, 'gather');
    const digits = gather !== undefined ? own(gather, 'max_digits') : undefined;
    if (typeof digits === 'number' && digits > caps.maxDigits) {
      at(
        { path: ['steps', id, 'gather', 'max_digits'], on: 'value' },
        PROVIDER_LIMIT,
        `gather ${quote(id)} collects up to ${digits} keys; ${provider} collects at most ${caps.maxDigits}: lower \`max_digits\` to ${caps.maxDigits} or less`,
      );
    }
    if (caps.maxTagLength > 0) {
      for (const kind of Object.keys(MESSAGE_FIELD)) {
        const block = ownRecord(step, kind);
        const tag = block !== undefined ? own(block, 'tag') : undefined;
        if (typeof tag === 'string' && isConstant(tag) && tag.length > caps.maxTagLength) {
          at(
            { path: ['steps', id, kind, 'tag'], on: 'value' },
            MESSAGE_TOO_LONG,
            `tag is ${tag.length} characters; ${provider} allows at most ${caps.maxTagLength}: shorten it`,
          );
        }
      }
    }
  }
  const defaultDigits = own(ownRecord(ownRecord(data, 'defaults') ?? {}, 'gather') ?? {}, 'max_digits');
  if (typeof defaultDigits === 'number' && defaultDigits > caps.maxDigits) {
    at(
      { path: ['defaults', 'gather', 'max_digits'], on: 'value' },
      PROVIDER_LIMIT,
      `gathers collect up to ${defaultDigits} keys by default; ${provider} collects at most ${caps.maxDigits}: lower \`max_digits\` to ${caps.maxDigits} or less`,
    );
  }

  const voices: WrittenVoice[] = [];
  const ctx = voiceContext(data);
  for (const field of messageFieldsOf(data)) {
    for (const variant of variantsOf(field.path, field.value, field.listAllowed, voices)) {
      let measurable = true;
      for (const item of variant.items) {
        if (item.kind === 'pause' && !caps.pause) {
          measurable = false;
          at(
            item.at,
            PROVIDER_UNSUPPORTED,
            `a pause of ${item.seconds}s, but ${provider} cannot pause inside a message: remove \`{ pause: ${item.seconds} }\` ` +
              '(a full stop in the text gives a short natural break)',
          );
        } else if (item.kind === 'play' && !caps.audio) {
          measurable = false;
          at(
            item.at,
            PROVIDER_UNSUPPORTED,
            `${item.inline ? `recorded audio (inline ${INLINE_AUDIO} markup)` : 'recorded audio (`{ url }`)'}, but ${provider} cannot play audio files: ` +
              'say the words as text instead',
          );
        } else if ((item.kind === 'say' && !isConstant(item.text)) || (item.kind === 'play' && !isConstant(item.url))) {
          measurable = false;
        }
      }
      if (!measurable || variant.items.length === 0) continue;
      const measure = caps.messageLength ?? plainMessageLength;
      // Measured in the voice that makes it shortest: refused only when no language the caller picks fits it.
      const length = Math.min(...fallbackVoices(variant, field.stepVoices, ctx).map((voice) => measure(partsFor(variant.items, voice, ctx))));
      if (length > caps.maxMessageLength) {
        at(
          { path: variant.path, on: 'value' },
          MESSAGE_TOO_LONG,
          `message is ${length} characters${caps.messageLength !== undefined ? ' as the provider counts them' : ''}; ${provider} allows at most ${caps.maxMessageLength}: ` +
            'shorten it or split it over steps',
        );
      }
    }
  }

  const declared: WrittenVoice[] = [];
  const scriptVoice = voiceOf(own(data, 'voice'));
  if (scriptVoice !== undefined) declared.push({ voice: scriptVoice, path: ['voice'] });
  for (const [key, spec] of Object.entries(ownRecord(data, 'languages') ?? {})) {
    const voice = isRecord(spec) ? voiceOf(own(spec, 'voice')) : undefined;
    if (voice !== undefined) declared.push({ voice, path: ['languages', key, 'voice'] });
  }
  for (const [id, step] of Object.entries(stepsOf(data))) {
    const voice = isRecord(step) ? voiceOf(own(step, 'voice')) : undefined;
    if (voice !== undefined) declared.push({ voice, path: ['steps', id, 'voice'] });
  }
  for (const written of [...declared, ...voices]) checkVoice(written, caps, provider, at);
}

function checkVoice(
  written: WrittenVoice,
  caps: ProviderCapabilities,
  provider: string,
  at: (place: Place, code: string, message: string, severity?: 'error' | 'warning') => void,
): void {
  const { voice } = written;
  const place = (field: 'gender' | 'language'): Place =>
    written.path !== undefined ? { path: [...written.path, field], on: 'value' } : { path: written.inlineAt ?? [], on: 'value' };
  const where = written.path !== undefined ? 'voice' : `inline ${INLINE_SPEECH} voice`;
  if (voice.gender !== undefined && !caps.genders.includes(voice.gender)) {
    if (caps.genders.length === 0) {
      // The call still works, in the provider's default voice: worth knowing, not worth refusing.
      at(place('gender'), PROVIDER_UNSUPPORTED, `${where} gender ${quote(voice.gender)} is ignored by ${provider}, which cannot choose a voice's gender: remove \`gender\``, 'warning');
    } else {
      at(
        place('gender'),
        PROVIDER_UNSUPPORTED,
        `${where} gender ${quote(voice.gender)} is not available on ${provider} (it has ${caps.genders.map(quote).join(', ')}): ` +
          `use ${caps.genders.length === 1 ? `gender: ${caps.genders[0] ?? ''}` : 'one of those'} or leave \`gender\` out`,
      );
    }
  }
  const languages = caps.languages;
  if (voice.language !== undefined && languages !== 'any') {
    const wanted = voice.language.toLowerCase();
    // BCP 47 tags are case-insensitive: `en-us` is `en-US`.
    if (!languages.some((l) => l.toLowerCase() === wanted)) {
      at(
        place('language'),
        PROVIDER_UNSUPPORTED,
        `${where} language ${quote(voice.language)} is not one of ${provider}'s languages (${languages.join(', ')}): use one of those`,
      );
    }
  }
}
