/**
 * Turns ajv's errors into one clear diagnostic per problem. ajv reports the
 * same problem several ways (an `if` failing because its `then` failed, every
 * branch of a `oneOf`, `propertyNames` wrapping the real error); only the
 * error that names the problem is kept, and it is worded for an operator.
 */
import type { Node as YamlNode } from 'yaml';
import { yamlPackage } from '../yaml/yaml-package.js';
import type { ErrorObject } from 'ajv';
import { childPointer, dotPath } from './paths.js';
import type { Reporter } from './report.js';
import { schemaParts, type SchemaNode } from './schema.js';
import { didYouMean } from './suggest.js';

/** Keywords that only restate an error reported elsewhere (or one checked semantically). */
const ECHO_KEYWORDS = new Set(['if', 'oneOf', 'anyOf', 'allOf', 'propertyNames', 'uniqueItems', '$ref', 'false schema']);

export interface SchemaErrorOptions {
  /** Pointers of steps with zero or several kind keys: CS_STEP_KIND covers them, so their step-level schema errors are noise. */
  readonly badKindSteps: ReadonlySet<string>;
}

function schemaOf(error: ErrorObject): SchemaNode {
  const parent: unknown = error.parentSchema;
  return typeof parent === 'object' && parent !== null ? schemaParts.canonical(parent as SchemaNode) : {};
}

function types(schema: SchemaNode): readonly string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

/** "a number greater than 0 and at most 10". */
function numberForm(schema: SchemaNode & { readonly exclusiveMinimum?: number }): string {
  const parts: string[] = [];
  if (schema.exclusiveMinimum !== undefined) parts.push(`greater than ${schema.exclusiveMinimum}`);
  else if (schema.minimum !== undefined) parts.push(`at least ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`at most ${schema.maximum}`);
  return parts.length === 0 ? 'a number' : `a number ${parts.join(' and ')}`;
}

function integerForm(schema: SchemaNode): string {
  const { minimum: min, maximum: max } = schema;
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min !== undefined) return `an integer of at least ${min}`;
  if (max !== undefined) return `an integer of at most ${max}`;
  return 'an integer';
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
};

/** What the schema accepts, in words: "an integer from 0 to 255", "a string or a mapping". */
export function expectedForm(schema: SchemaNode): string {
  return joinOr(types(schema).map((t) => (t === 'integer' ? integerForm(schema) : t === 'number' ? numberForm(schema) : (TYPE_WORDS[t] ?? t))));
}

/** The value as the operator wrote it, briefly. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function label(reporter: Reporter, pointer: string): string {
  const path = reporter.index.path(pointer);
  const last = path[path.length - 1];
  if (last === undefined) return 'the script';
  return typeof last === 'number' ? `\`${dotPath(path.slice(-2))}\`` : `\`${last}\``;
}

/** "branch key", "step id", … for errors on a mapping's keys. */
function keyLabel(reporter: Reporter, objectPointer: string): string {
  const path = reporter.index.path(objectPointer);
  const last = path[path.length - 1];
  if (path.length === 1 && last === 'steps') return 'step id';
  if (path.length === 1 && last === 'vars') return 'variable name';
  if (last === 'branches') return 'branch key';
  return 'key';
}

function sourceText(node: YamlNode): string {
  return yamlPackage().isScalar(node) && typeof node.source === 'string' ? node.source : String(yamlPackage().isScalar(node) ? node.value : '');
}

/** A plain YAML scalar that YAML read as a number where a string was expected: `+6511111111`, `0123`. */
export function numericScalar(node: YamlNode | null | undefined): node is YamlNode {
  return yamlPackage().isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'bigint');
}

export function notAStringMessage(node: YamlNode, what: string): string {
  const text = sourceText(node);
  const value = yamlPackage().isScalar(node) ? String(node.value) : text;
  const read = value === text ? 'a number' : `the number ${value}`;
  return `${what} ${text} is read by YAML as ${read}, not a string: write "${text}" in quotes`;
}

function reportType(reporter: Reporter, error: ErrorObject, pointer: string): void {
  const schema = schemaOf(error);
  const node = reporter.index.exact(pointer)?.value;
  if (types(schema).includes('string') && numericScalar(node)) {
    reporter.at(pointer, 'value', 'CS_NOT_A_STRING', notAStringMessage(node, `${label(reporter, pointer)}:`));
    return;
  }
  const message =
    pointer === ''
      ? `a script is a mapping with \`steps:\` (and optionally name, numbers, vars, defaults, start), got ${describeValue(error.data)}`
      : `${label(reporter, pointer)}: expected ${expectedForm(schema)}, got ${describeValue(error.data)}`;
  reporter.at(pointer, 'value', 'CS_TYPE', message);
}

function reportUnknownKey(reporter: Reporter, error: ErrorObject, pointer: string): void {
  const key = String(error.params['additionalProperty'] ?? '');
  const keyPointer = childPointer(pointer, key);
  const schema = schemaOf(error);
  const allowed = Object.keys(schema.properties ?? {});
  const kind = schemaParts.kindSteps.get(schema);
  const where = kind ? `a ${kind} step` : label(reporter, pointer);
  const suggestion = didYouMean(key, allowed);
  const allowedList = `allowed: ${allowed.join(', ')}`;
  if (kind && Object.hasOwn(schemaParts.step.properties ?? {}, key)) {
    // A real step key, just not for this kind (e.g. `branches` on a play step).
    reporter.at(keyPointer, 'key', 'CS_UNKNOWN_KEY', `\`${key}\` is not allowed in ${where}; ${allowedList}`);
    return;
  }
  reporter.at(
    keyPointer,
    'key',
    'CS_UNKNOWN_KEY',
    suggestion ? `unknown key \`${key}\` in ${where}${suggestion}` : `unknown key \`${key}\` in ${where}; ${allowedList}`,
  );
}

function reportRequired(reporter: Reporter, error: ErrorObject, pointer: string): void {
  const missing = String(error.params['missingProperty'] ?? '');
  const schema = schemaOf(error);
  const kind = schemaParts.kindSteps.get(schema);
  const stepId = reporter.index.path(pointer).at(-1);
  if (missing === 'next') {
    const message =
      schema === schemaParts.gatherWithoutBranches
        ? `gather step \`${String(stepId)}\` has no branches, so it needs \`next\`: the step that receives the digits`
        : `${kind ?? 'this'} step \`${String(stepId)}\` has nowhere to go next: add \`next: <step id>\``;
    reporter.at(pointer, 'key', 'CS_NO_NEXT', message);
    return;
  }
  const needs: Readonly<Record<string, string>> = {
    default: 'where to go when no case holds',
    open: 'where to go when open',
    closed: 'where to go when closed',
  };
  if (kind !== undefined && Object.hasOwn(needs, missing)) {
    reporter.at(pointer, 'key', 'CS_REQUIRED', `${kind} step \`${String(stepId)}\` needs \`${missing}\`: ${needs[missing] ?? ''}`);
    return;
  }
  if (pointer === '') {
    reporter.at(pointer, 'value', 'CS_REQUIRED', `missing \`${missing}\`: a script needs ${missing === 'steps' ? 'at least one step' : `\`${missing}\``}`);
    return;
  }
  reporter.at(pointer, 'key', 'CS_REQUIRED', `${label(reporter, pointer)} is missing \`${missing}\``);
}

function reportValue(reporter: Reporter, error: ErrorObject, pointer: string): void {
  const schema = schemaOf(error);
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  // Errors from `propertyNames` are about a key: point at it.
  const onKey = propertyName !== undefined;
  const target = onKey ? childPointer(pointer, propertyName) : pointer;
  const subject = onKey ? `${keyLabel(reporter, pointer)} \`${propertyName}\`` : label(reporter, pointer);
  const got = onKey ? '' : `, got ${describeValue(error.data)}`;

  switch (error.keyword) {
    case 'pattern': {
      const form = schema.patternErrorMessage ?? `a string matching /${schema.pattern ?? ''}/`;
      if (target === '/name') {
        reporter.at(target, 'value', 'CS_INVALID_NAME', `invalid script name ${describeValue(error.data)}: ${form}`);
        return;
      }
      reporter.at(target, onKey ? 'key' : 'value', 'CS_VALUE', `${subject}: expected ${form}${got}`);
      return;
    }
    case 'not': {
      if (schema === schemaParts.variableName) {
        const name = onKey ? propertyName : String(error.data);
        reporter.at(
          target,
          onKey ? 'key' : 'value',
          'CS_RESERVED_NAME',
          `\`${name}\` is reserved (${schema.errorMessage ?? 'a template name set by callscript'}); choose another name`,
        );
        return;
      }
      if (schema === schemaParts.gatherWithBranches) {
        const stepId = String(reporter.index.path(pointer).at(-1));
        reporter.at(
          childPointer(pointer, 'next'),
          'key',
          'CS_GATHER_NEXT_WITH_BRANCHES',
          `gather step \`${stepId}\` has branches, so it cannot have \`next\`: use \`invalid:\` for other input`,
        );
        return;
      }
      reporter.at(target, onKey ? 'key' : 'value', 'CS_VALUE', `${subject}: ${schema.errorMessage ?? 'value not allowed'}${got}`);
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      reporter.at(target, 'value', 'CS_VALUE', `${subject}: expected ${expectedForm(schema)}${got}`);
      return;
    case 'enum': {
      const allowed = (schema.enum ?? []).map((v) => JSON.stringify(v)).join(', ');
      reporter.at(target, onKey ? 'key' : 'value', 'CS_VALUE', `${subject}: expected one of ${allowed}${got}`);
      return;
    }
    case 'minProperties': {
      const what = pointer === '/steps' ? 'step' : pointer.endsWith('/branches') ? 'branch' : 'entry';
      reporter.at(target, 'key', 'CS_VALUE', `${subject}: expected at least one ${what}`);
      return;
    }
    default:
      reporter.at(target, 'value', 'CS_VALUE', `${subject}: ${error.message ?? 'invalid value'}`);
  }
}

/** Reports each meaningful ajv error through the reporter. */
export function reportSchemaErrors(
  errors: readonly ErrorObject[],
  reporter: Reporter,
  options: SchemaErrorOptions,
): void {
  // Under a key that is not allowed at all, what its value contains is beside the point.
  const unknownKeys = errors
    .filter((e) => e.keyword === 'additionalProperties')
    .map((e) => childPointer(e.instancePath, String(e.params['additionalProperty'] ?? '')));
  const insideUnknownKey = (pointer: string): boolean =>
    unknownKeys.some((key) => pointer === key || pointer.startsWith(`${key}/`));
  for (const error of errors) {
    if (ECHO_KEYWORDS.has(error.keyword)) continue;
    const pointer = error.instancePath;
    if (options.badKindSteps.has(pointer) || insideUnknownKey(pointer)) continue;
    switch (error.keyword) {
      case 'type':
        reportType(reporter, error, pointer);
        break;
      case 'additionalProperties':
        reportUnknownKey(reporter, error, pointer);
        break;
      case 'required':
        reportRequired(reporter, error, pointer);
        break;
      default:
        reportValue(reporter, error, pointer);
    }
  }
}
