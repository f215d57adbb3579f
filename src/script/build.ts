/**
 * Builds the compiled `Script` from schema-valid, cross-checked raw data:
 * shorthands expanded, defaults merged, templates attached. Only called when a
 * compile found no errors, so it trusts the data's shape.
 */
import { compileTemplate, type Template } from '../template/index.js';
import { parseCondition } from './condition-spec.js';
import { parseHours } from './hours-spec.js';
import { parseJsonPath } from './json-path.js';
import { hasInlineMarkup, parseInlineMarkup } from '../markup/hoiio-inline.js';
import { SHORTHAND_MESSAGE_KINDS, blockIsMessage, isBlockShorthand } from './messages.js';
import { DEFAULT_EVENTS_SECRET_ENV, DEFAULT_HTTP_TIMEOUT_S, DEFAULT_INVALID_MESSAGE, DEFAULT_INVALID_RETRIES, REPEAT_KEYWORD } from './limits.js';
import {
  REPEAT_TARGET,
  type Condition,
  type GatherInvalid,
  type GatherStep,
  type HttpBody,
  type HttpHeader,
  type HttpMethod,
  type HttpStep,
  type JsonTemplate,
  type Message,
  type MessageForm,
  type MessageItem,
  type Script,
  type Step,
  type StepId,
  type VarValue,
  type Voice,
} from './model.js';
import { toPointer, type DataPath } from './paths.js';
import { isRecord, kindsOf, own, ownRecord, type RawDefaults, type RawRecord, type RawScript } from './raw.js';

export interface BuildInput {
  readonly raw: RawScript;
  readonly name: string;
  readonly file?: string;
  readonly source: string;
  readonly version: string;
  /** Compiled templates by the JSON pointer of their field (from the template checks). */
  readonly templates: ReadonlyMap<string, Template>;
}

const DEFAULT_INVALID_TEMPLATE = compileTemplate(DEFAULT_INVALID_MESSAGE);
const EMPTY_TEMPLATE = compileTemplate('');

/** A record nothing can reach through the prototype chain (`__proto__`, `constructor` are just keys). */
function nullProto<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** Only the defined entries, so optional fields are absent rather than `undefined`. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function voiceOf(raw: unknown): Voice | undefined {
  if (!isRecord(raw)) return undefined;
  const language = own(raw, 'language');
  const gender = own(raw, 'gender');
  const voice: Voice = {
    ...(typeof language === 'string' ? { language } : {}),
    ...(gender === 'male' || gender === 'female' ? { gender } : {}),
  };
  return voice;
}

class StepBuilder {
  constructor(
    private readonly templates: ReadonlyMap<string, Template>,
    private readonly defaults: RawDefaults,
    /** The script's global keys as written (`repeat` or a step id). */
    private readonly globalKeys: Readonly<Record<string, string>>,
  ) {}

  template(path: DataPath): Template | undefined {
    return this.templates.get(toPointer(path));
  }

  /** A message as written at `path`: a template, `{ url }`, `{ parts }`, or one of those per language. */
  message(path: DataPath, value: unknown): Message | undefined {
    if (typeof value === 'string') return this.text(path, value);
    if (!isRecord(value)) return undefined;
    if (Object.hasOwn(value, 'url') || Object.hasOwn(value, 'parts')) return this.form(path, value);
    const byLanguage = nullProto<MessageForm>(
      Object.entries(value).flatMap(([lang, form]) => {
        const built = this.form([...path, lang], form);
        return built === undefined ? [] : [[lang, built] as const];
      }),
    );
    return { kind: 'languages', byLanguage };
  }

  private form(path: DataPath, value: unknown): MessageForm | undefined {
    if (typeof value === 'string') return this.text(path, value);
    if (!isRecord(value)) return undefined;
    const parts = own(value, 'parts');
    if (Array.isArray(parts)) return { kind: 'parts', items: this.items([...path, 'parts'], parts) };
    const url = this.template([...path, 'url']);
    return url === undefined ? undefined : { kind: 'audio', url };
  }

  private items(path: DataPath, raw: readonly unknown[]): MessageItem[] {
    const items: MessageItem[] = [];
    raw.forEach((item: unknown, i) => {
      if (typeof item === 'string') {
        const text = this.template([...path, i]);
        if (text !== undefined) items.push({ kind: 'say', text });
        return;
      }
      if (!isRecord(item)) return;
      const pause = own(item, 'pause');
      if (typeof pause === 'number') {
        items.push({ kind: 'pause', seconds: pause });
        return;
      }
      const url = this.template([...path, i, 'url']);
      if (url !== undefined) {
        items.push({ kind: 'audio', url });
        return;
      }
      const text = this.template([...path, i, 'say']);
      if (text === undefined) return;
      const voice = voiceOf(own(item, 'voice'));
      const language = own(item, 'language');
      items.push(defined({ kind: 'say' as const, text, voice, language: typeof language === 'string' ? language : undefined }));
    });
    return items;
  }

  /**
   * A text message. Hoiio's inline speech and audio tags are read into parts
   * here, once, so no provider markup reaches the engine; markup that cannot be
   * split safely stays one text (`validate` says so).
   */
  private text(path: DataPath, source: string): MessageForm | undefined {
    const template = this.template(path);
    if (template === undefined || !hasInlineMarkup(source)) return template;
    const segments = parseInlineMarkup(source);
    if (segments === undefined) return template;
    const items = segments.map((segment): MessageItem => {
      if (segment.kind === 'url') return { kind: 'audio', url: compileTemplate(segment.source) };
      const text = compileTemplate(segment.source);
      if (segment.language === undefined && segment.gender === undefined) return { kind: 'say', text };
      const voice: Voice = {
        ...(segment.language !== undefined ? { language: segment.language } : {}),
        ...(segment.gender !== undefined ? { gender: segment.gender } : {}),
      };
      return { kind: 'say', text, voice };
    });
    return { kind: 'parts', items };
  }

  /** A block's message, whether written as the shorthand (a string or a message mapping) or in the block mapping. */
  private blockMessage(id: string, kind: string, field: string, block: unknown): Message | undefined {
    if (SHORTHAND_MESSAGE_KINDS.has(kind) && isBlockShorthand(block, false)) return this.message(['steps', id, kind], block);
    return isRecord(block) ? this.message(['steps', id, kind, field], own(block, field)) : undefined;
  }

  build(id: StepId, step: RawRecord): Step {
    const [kind] = kindsOf(step);
    const block = own(step, kind ?? '');
    const shorthand = typeof block === 'string';
    // Only a kind that may be written as its message can be one: `set: { who: Ann }` is an assignment.
    const fields: RawRecord = isRecord(block) && !blockIsMessage(kind ?? '', block) ? block : {};
    const base = {
      id,
      tag: this.template(['steps', id, kind ?? '', 'tag']),
      voice: voiceOf(own(step, 'voice')),
      onError: own(step, 'on_error') as StepId | undefined,
    };
    const next = own(step, 'next') as StepId | undefined;
    const saveAs = own(step, 'save_as') as string | undefined;
    switch (kind) {
      case 'play':
        return defined({ ...base, kind, message: this.required(this.blockMessage(id, kind, 'message', block)), next: next ?? '' });
      case 'gather':
        return this.gather(id, step, fields, block, base);
      case 'record':
        return defined({
          ...base,
          kind,
          prompt: this.blockMessage(id, kind, 'prompt', block),
          maxDuration: (own(fields, 'max_duration') as number | undefined) ?? this.defaults.record?.max_duration,
          saveAs,
          next: next ?? '',
        });
      case 'monitor':
        return defined({ ...base, kind, message: this.blockMessage(id, kind, 'message', block), next: next ?? '' });
      case 'transfer':
        return defined({
          ...base,
          kind,
          to: this.required(shorthand ? this.template(['steps', id, kind]) : this.template(['steps', id, kind, 'to'])),
          message: shorthand ? undefined : this.message(['steps', id, kind, 'message'], own(fields, 'message')),
          callerId: shorthand ? undefined : this.template(['steps', id, kind, 'caller_id']),
          onFailure: own(step, 'on_failure') as StepId | undefined,
        });
      case 'hangup':
        return defined({ ...base, kind, message: this.blockMessage(id, kind, 'message', block) });
      case 'set':
        return defined({
          ...base,
          kind,
          assign: Object.entries(fields).map(([name, value]) => {
            const template =
              typeof value === 'string' ? this.template(['steps', id, 'set', name]) : compileTemplate(value === null ? '' : String(value));
            return [name, template ?? EMPTY_TEMPLATE] as const;
          }),
          next: next ?? '',
        });
      case 'switch': {
        const cases = Array.isArray(block) ? block : [];
        return defined({
          ...base,
          kind,
          cases: cases.map((c: unknown, i) => {
            const raw = isRecord(c) ? c : {};
            const when = parseCondition(own(raw, 'if'), ['steps', id, 'switch', i, 'if'], [], []);
            return { when: when ?? ({ op: 'all', of: [] } as Condition), goto: String(own(raw, 'goto')) };
          }),
          default: String(own(step, 'default')),
        });
      }
      case 'http':
        return this.http(id, step, fields, base);
      case 'hours': {
        const { hours } = parseHours(block, ['steps', id, 'hours']);
        if (hours === undefined) throw new Error(`hours of ${id} do not parse (compile() checks this before building)`);
        return defined({ ...base, kind, hours, open: String(own(step, 'open')), closed: String(own(step, 'closed')) });
      }
      case 'call':
        return defined({ ...base, kind, script: String(block), next: next ?? '' });
      case 'return':
        return defined({ ...base, kind });
      default:
        throw new Error(`step ${id} has no kind (compile() checks this before building)`);
    }
  }

  private gather(
    id: StepId,
    step: RawRecord,
    fields: RawRecord,
    block: unknown,
    base: Pick<GatherStep, 'id' | 'tag' | 'voice' | 'onError'>,
  ): GatherStep {
    const defaults = this.defaults.gather ?? {};
    const rawBranches = own(step, 'branches');
    const branches = isRecord(rawBranches)
      ? nullProto(Object.entries(rawBranches).map(([key, target]) => [key, String(target)] as const))
      : undefined;
    const listPath: DataPath = Array.isArray(block) ? ['steps', id, 'gather'] : ['steps', id, 'gather', 'prompt'];
    const rawPrompt = Array.isArray(block) ? block : own(fields, 'prompt');
    const prompts = Array.isArray(rawPrompt)
      ? rawPrompt.map((item: unknown, i) => this.required(this.message([...listPath, i], item)))
      : undefined;
    return defined({
      ...base,
      kind: 'gather' as const,
      prompt: prompts === undefined ? this.blockMessage(id, 'gather', 'prompt', block) : undefined,
      prompts,
      maxDigits: (own(fields, 'max_digits') as number | undefined) ?? defaults.max_digits,
      timeout: (own(fields, 'timeout') as number | undefined) ?? defaults.timeout,
      // One prompt per attempt: each is sent once, so the provider's own attempts do not apply.
      attempts: prompts !== undefined ? undefined : ((own(fields, 'attempts') as number | undefined) ?? defaults.attempts),
      branches,
      invalid: this.invalid(id, own(step, 'invalid')),
      noInput: own(step, 'no_input') as StepId | undefined,
      saveAs: own(step, 'save_as') as string | undefined,
      next: own(step, 'next') as StepId | undefined,
      keys: this.keys(ownRecord(step, 'keys'), branches),
    });
  }

  /** The script's keys, then the step's over them (null turns one off), minus the step's branches. */
  private keys(own: RawRecord | undefined, branches: Readonly<Record<string, string>> | undefined): Record<string, StepId> | undefined {
    const merged = new Map<string, string>(Object.entries(this.globalKeys));
    if (own !== undefined) {
      for (const [key, target] of Object.entries(own)) {
        if (typeof target === 'string') merged.set(key, target);
        else merged.delete(key);
      }
    }
    if (branches !== undefined) for (const key of Object.keys(branches)) merged.delete(key);
    if (merged.size === 0) return undefined;
    return nullProto([...merged].map(([key, target]) => [key, target === REPEAT_KEYWORD ? REPEAT_TARGET : target] as const));
  }

  /** Absent → defaults.invalid over the built-in; `invalid: step` → straight there; a mapping → merged over both. */
  private invalid(id: StepId, raw: unknown): GatherInvalid {
    if (typeof raw === 'string') return { retries: 0, goto: raw };
    const mapping = isRecord(raw) ? raw : {};
    const defaultsInvalid = this.defaults.invalid as RawRecord | undefined;
    const message =
      (Object.hasOwn(mapping, 'message') ? this.message(['steps', id, 'invalid', 'message'], own(mapping, 'message')) : undefined) ??
      (defaultsInvalid !== undefined && Object.hasOwn(defaultsInvalid, 'message')
        ? this.message(['defaults', 'invalid', 'message'], own(defaultsInvalid, 'message'))
        : undefined) ??
      DEFAULT_INVALID_TEMPLATE;
    const retries = (own(mapping, 'retries') as number | undefined) ?? this.defaults.invalid?.retries ?? DEFAULT_INVALID_RETRIES;
    return defined({ message, retries, goto: own(mapping, 'goto') as StepId | undefined });
  }

  private http(id: StepId, step: RawRecord, fields: RawRecord, base: Pick<HttpStep, 'id' | 'tag' | 'voice' | 'onError'>): HttpStep {
    const at = (...rest: Array<string | number>): DataPath => ['steps', id, 'http', ...rest];
    const headers: HttpHeader[] = Object.entries(ownRecord(fields, 'headers') ?? {}).map(([name, value]) => ({
      name,
      value: isRecord(value) ? { env: String(own(value, 'env')) } : this.required(this.template(at('headers', name))),
    }));
    let body: HttpBody | undefined;
    if (own(fields, 'json') !== undefined) body = { type: 'json', value: this.json(at('json'), own(fields, 'json')) };
    const form = ownRecord(fields, 'form');
    if (form !== undefined) {
      body = {
        type: 'form',
        fields: Object.entries(form).map(([name, value]) => [
          name,
          typeof value === 'string' ? this.required(this.template(at('form', name))) : compileTemplate(String(value)),
        ]),
      };
    }
    const method = (own(fields, 'method') as HttpMethod | undefined) ?? (body !== undefined ? 'POST' : 'GET');
    const timeout = (own(fields, 'timeout') as number | undefined) ?? DEFAULT_HTTP_TIMEOUT_S;
    const onStatus = ownRecord(step, 'on_status');
    return defined({
      ...base,
      kind: 'http' as const,
      method,
      url: this.required(this.template(at('url'))),
      headers,
      body,
      timeoutMs: Math.round(timeout * 1000),
      save: Object.entries(ownRecord(fields, 'save') ?? {}).map(([name, path]) => ({ name, path: parseJsonPath(String(path)) ?? [] })),
      next: String(own(step, 'next')),
      onStatus: onStatus === undefined ? undefined : nullProto(Object.entries(onStatus).map(([k, v]) => [k, String(v)] as const)),
      onTimeout: own(step, 'on_timeout') as StepId | undefined,
    });
  }

  private json(path: DataPath, value: unknown): JsonTemplate {
    if (typeof value === 'string') return { t: 'text', template: this.template(path) ?? compileTemplate(value) };
    if (Array.isArray(value)) return { t: 'list', items: value.map((item: unknown, i) => this.json([...path, i], item)) };
    if (isRecord(value)) return { t: 'object', entries: Object.entries(value).map(([key, item]) => [key, this.json([...path, key], item)] as const) };
    return { t: 'value', value: typeof value === 'number' || typeof value === 'boolean' ? value : null };
  }

  private required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('missing template (compile() checks this before building)');
    return value;
  }
}

function events(raw: RawRecord): Script['events'] {
  const url = own(raw, 'events_url');
  if (typeof url === 'string') return { url, secretEnv: DEFAULT_EVENTS_SECRET_ENV };
  const block = ownRecord(raw, 'events');
  if (block === undefined) return undefined;
  const secret = own(block, 'secret_env');
  return { url: String(own(block, 'url')), secretEnv: typeof secret === 'string' ? secret : DEFAULT_EVENTS_SECRET_ENV };
}

export function buildScript(input: BuildInput): Script {
  const { raw } = input;
  const rawRecord = raw as unknown as RawRecord;
  const globalKeys = Object.fromEntries(Object.entries(ownRecord(rawRecord, 'keys') ?? {}).map(([k, v]) => [k, String(v)]));
  const builder = new StepBuilder(input.templates, raw.defaults ?? {}, globalKeys);
  const ids = Object.keys(raw.steps);
  const steps = nullProto(ids.map((id) => [id, builder.build(id, raw.steps[id] ?? {})] as const));
  const languages = ownRecord(rawRecord, 'languages');
  return defined({
    name: input.name,
    file: input.file,
    description: raw.description,
    numbers: [...(raw.numbers ?? [])],
    vars: nullProto<VarValue>(Object.entries(raw.vars ?? {})),
    start: raw.start ?? ids[0] ?? '',
    steps,
    voice: voiceOf(own(rawRecord, 'voice')),
    languages:
      languages === undefined
        ? undefined
        : Object.entries(languages).map(([key, spec]) => defined({ key, voice: voiceOf(isRecord(spec) ? own(spec, 'voice') : undefined) })),
    language: builder.template(['language']),
    onError: own(rawRecord, 'on_error') as StepId | undefined,
    events: events(rawRecord),
    version: input.version,
    source: input.source,
  });
}
