/**
 * The JSON Schema of test files (schema/callscript-test.schema.json), compiled at build time, and
 * the mapping of its errors onto positioned diagnostics worded for operators — the same
 * codes and positions as script diagnostics (CS_UNKNOWN_KEY on the key, CS_TYPE on the
 * value, …), built from the script compiler's helpers.
 */
import type { ErrorObject } from 'ajv';
import { childPointer, dotPath } from '../script/paths.js';
import type { Reporter } from '../script/report.js';
import { describeValue, expectedForm, notAStringMessage, numericScalar } from '../script/schema-errors.js';
import type { SchemaNode } from '../script/schema.js';
import { didYouMean } from '../script/suggest.js';
// ajv's code for schema/callscript-test.schema.json, generated at build time (tools/generate-validators.mjs).
import { validate as validator } from './test-schema-validator.generated.js';

export function validateTestFile(data: unknown): readonly ErrorObject[] {
  return validator(data) ? [] : (validator.errors ?? []);
}

const ECHO_KEYWORDS = new Set(['if', 'then', 'else', 'oneOf', 'anyOf', 'allOf', '$ref', 'propertyNames']);

function schemaOf(error: ErrorObject): SchemaNode & { const?: unknown; minItems?: number; maxProperties?: number; minLength?: number } {
  const parent: unknown = error.parentSchema;
  return typeof parent === 'object' && parent !== null ? (parent as SchemaNode) : {};
}

function label(reporter: Reporter, pointer: string): string {
  const path = reporter.index.path(pointer);
  return path.length === 0 ? 'the test file' : `\`${dotPath(path)}\``;
}

function one(reporter: Reporter, error: ErrorObject): void {
  const pointer = error.instancePath;
  const schema = schemaOf(error);
  const what = label(reporter, pointer);
  switch (error.keyword) {
    case 'type': {
      const node = reporter.index.exact(pointer)?.value;
      const wanted = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
      if (wanted.includes('string') && numericScalar(node)) {
        reporter.at(pointer, 'value', 'CS_NOT_A_STRING', notAStringMessage(node, `${what}:`));
        return;
      }
      const message =
        pointer === ''
          ? `a test file is a mapping with \`script:\` and \`cases:\`, got ${describeValue(error.data)}`
          : `${what}: expected ${expectedForm(schema)}, got ${describeValue(error.data)}`;
      reporter.at(pointer, 'value', 'CS_TYPE', message);
      return;
    }
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty'] ?? '');
      const allowed = Object.keys(schema.properties ?? {});
      const hint = didYouMean(key, allowed);
      reporter.at(
        childPointer(pointer, key),
        'key',
        'CS_UNKNOWN_KEY',
        `unknown key \`${key}\` in ${what}${hint !== '' ? hint : `; allowed: ${allowed.join(', ')}`}`,
      );
      return;
    }
    case 'required': {
      const missing = String(error.params['missingProperty'] ?? '');
      reporter.at(pointer, pointer === '' ? 'value' : 'key', 'CS_REQUIRED', `${what} is missing \`${missing}\``);
      return;
    }
    case 'pattern':
      reporter.at(pointer, 'value', 'CS_VALUE', `${what}: expected ${schema.patternErrorMessage ?? `a string matching /${schema.pattern ?? ''}/`}, got ${describeValue(error.data)}`);
      return;
    case 'enum':
      reporter.at(pointer, 'value', 'CS_VALUE', `${what}: expected one of ${(schema.enum ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(error.data)}`);
      return;
    case 'const':
      reporter.at(pointer, 'value', 'CS_VALUE', `${what}: expected ${JSON.stringify(schema.const)}, got ${describeValue(error.data)}`);
      return;
    case 'minItems':
      reporter.at(pointer, 'key', 'CS_VALUE', `${what}: expected at least ${schema.minItems ?? 1} item${schema.minItems === 1 ? '' : 's'}`);
      return;
    case 'minLength':
      reporter.at(pointer, 'value', 'CS_VALUE', `${what}: must not be empty`);
      return;
    case 'minProperties':
    case 'maxProperties':
      reporter.at(pointer, 'value', 'CS_VALUE', `${what}: ${schema.maxProperties === 1 ? 'expected exactly one key' : 'expected at least one key'}`);
      return;
    default:
      reporter.at(pointer, 'value', 'CS_VALUE', `${what}: ${error.message ?? 'invalid value'}`);
  }
}

/** One diagnostic per problem: echoes of composite keywords, and anything inside an unknown key, are dropped. */
export function reportTestSchemaErrors(errors: readonly ErrorObject[], reporter: Reporter): void {
  const unknownKeys = errors
    .filter((e) => e.keyword === 'additionalProperties')
    .map((e) => childPointer(e.instancePath, String(e.params['additionalProperty'] ?? '')));
  const typeErrors = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const error of errors) {
    if (ECHO_KEYWORDS.has(error.keyword)) continue;
    const pointer = error.instancePath;
    if (unknownKeys.some((key) => pointer === key || pointer.startsWith(`${key}/`))) continue;
    // A value of the wrong type fails its other keywords too; the type error says it all.
    if (error.keyword !== 'type' && typeErrors.has(pointer)) continue;
    one(reporter, error);
  }
}
