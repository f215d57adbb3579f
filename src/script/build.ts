/**
 * Builds the compiled `Script` from schema-valid, cross-checked raw data:
 * shorthands expanded, defaults merged, templates attached. Only called when a
 * compile found no errors, so it trusts the data's shape.
 */
import { compileTemplate, type Template } from '../template/index.js';
import { DEFAULT_INVALID_MESSAGE, DEFAULT_INVALID_RETRIES } from './limits.js';
import type { GatherInvalid, GatherStep, Script, Step, StepId, VarValue } from './model.js';
import { toPointer, type DataPath } from './paths.js';
import { isRecord, kindsOf, own, type RawDefaults, type RawRecord, type RawScript } from './raw.js';

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

class StepBuilder {
  constructor(
    private readonly templates: ReadonlyMap<string, Template>,
    private readonly defaults: RawDefaults,
  ) {}

  private template(path: DataPath): Template | undefined {
    return this.templates.get(toPointer(path));
  }

  /** The template of a block's field, whether written as the shorthand string or in the mapping. */
  private blockTemplate(id: string, kind: string, field: string, shorthand: boolean): Template | undefined {
    return shorthand ? this.template(['steps', id, kind]) : this.template(['steps', id, kind, field]);
  }

  build(id: StepId, step: RawRecord): Step {
    const [kind] = kindsOf(step);
    const block = own(step, kind ?? '');
    const shorthand = typeof block === 'string';
    const fields: RawRecord = isRecord(block) ? block : {};
    const tag = this.template(['steps', id, kind ?? '', 'tag']);
    const next = own(step, 'next') as StepId | undefined;
    const saveAs = own(step, 'save_as') as string | undefined;
    switch (kind) {
      case 'play':
        return defined({ id, kind, tag, message: this.required(this.blockTemplate(id, kind, 'message', shorthand)), next: next ?? '' });
      case 'gather':
        return this.gather(id, step, fields, shorthand, tag);
      case 'record':
        return defined({
          id,
          kind,
          tag,
          prompt: this.blockTemplate(id, kind, 'prompt', shorthand),
          maxDuration: (own(fields, 'max_duration') as number | undefined) ?? this.defaults.record?.max_duration,
          saveAs,
          next: next ?? '',
        });
      case 'monitor':
        return defined({ id, kind, tag, message: this.blockTemplate(id, kind, 'message', shorthand), next: next ?? '' });
      case 'transfer':
        return defined({
          id,
          kind,
          tag,
          to: this.required(this.blockTemplate(id, kind, 'to', shorthand)),
          message: shorthand ? undefined : this.template(['steps', id, kind, 'message']),
          callerId: shorthand ? undefined : this.template(['steps', id, kind, 'caller_id']),
          onFailure: own(step, 'on_failure') as StepId | undefined,
        });
      case 'hangup':
        return defined({ id, kind, tag, message: this.blockTemplate(id, kind, 'message', shorthand) });
      default:
        throw new Error(`step ${id} has no kind (compile() checks this before building)`);
    }
  }

  private gather(id: StepId, step: RawRecord, fields: RawRecord, shorthand: boolean, tag: Template | undefined): GatherStep {
    const defaults = this.defaults.gather ?? {};
    const rawBranches = own(step, 'branches');
    const branches = isRecord(rawBranches)
      ? nullProto(Object.entries(rawBranches).map(([key, target]) => [key, String(target)] as const))
      : undefined;
    return defined({
      id,
      kind: 'gather' as const,
      tag,
      prompt: this.blockTemplate(id, 'gather', 'prompt', shorthand),
      maxDigits: (own(fields, 'max_digits') as number | undefined) ?? defaults.max_digits,
      timeout: (own(fields, 'timeout') as number | undefined) ?? defaults.timeout,
      attempts: (own(fields, 'attempts') as number | undefined) ?? defaults.attempts,
      branches,
      invalid: this.invalid(id, own(step, 'invalid')),
      noInput: own(step, 'no_input') as StepId | undefined,
      saveAs: own(step, 'save_as') as string | undefined,
      next: own(step, 'next') as StepId | undefined,
    });
  }

  /** Absent → defaults.invalid over the built-in; `invalid: step` → straight there; a mapping → merged over both. */
  private invalid(id: StepId, raw: unknown): GatherInvalid {
    if (typeof raw === 'string') return { retries: 0, goto: raw };
    const mapping = isRecord(raw) ? raw : {};
    const message =
      this.template(['steps', id, 'invalid', 'message']) ??
      this.template(['defaults', 'invalid', 'message']) ??
      DEFAULT_INVALID_TEMPLATE;
    const retries = (own(mapping, 'retries') as number | undefined) ?? this.defaults.invalid?.retries ?? DEFAULT_INVALID_RETRIES;
    return defined({ message, retries, goto: own(mapping, 'goto') as StepId | undefined });
  }

  private required(template: Template | undefined): Template {
    if (!template) throw new Error('missing template (compile() checks this before building)');
    return template;
  }
}

export function buildScript(input: BuildInput): Script {
  const { raw } = input;
  const builder = new StepBuilder(input.templates, raw.defaults ?? {});
  const ids = Object.keys(raw.steps);
  const steps = nullProto(ids.map((id) => [id, builder.build(id, raw.steps[id] ?? {})] as const));
  return defined({
    name: input.name,
    file: input.file,
    description: raw.description,
    numbers: [...(raw.numbers ?? [])],
    vars: nullProto<VarValue>(Object.entries(raw.vars ?? {})),
    start: raw.start ?? ids[0] ?? '',
    steps,
    version: input.version,
    source: input.source,
  });
}
