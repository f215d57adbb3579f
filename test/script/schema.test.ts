/** The schema file itself: valid draft-07, documented for editors, and matching the model's kinds. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { STEP_KINDS } from '../../src/script/limits.js';

const schema = JSON.parse(readFileSync('schema/callscript.schema.json', 'utf8')) as Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every `properties` entry in the schema, with where it is. */
function* properties(node: unknown, at: string): Generator<[string, unknown]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* properties(item, `${at}/${i}`);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isObject(value)) {
      for (const [name, prop] of Object.entries(value)) yield [`${at}/properties/${name}`, prop];
    }
    yield* properties(value, `${at}/${key}`);
  }
}

describe('schema/callscript.schema.json', () => {
  test('is a draft-07 schema with an $id', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(typeof schema['$id']).toBe('string');
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  test('every property has a description (editor hover), except the per-kind allow-lists', () => {
    const missing: string[] = [];
    for (const [where, prop] of properties(schema, '#')) {
      if (prop === true) continue; // `playStep.properties.play: true` only lists a key; `step` documents it
      const described = isObject(prop) && (typeof prop['description'] === 'string' || typeof prop['$ref'] === 'string');
      if (!described) missing.push(where);
      if (isObject(prop) && typeof prop['$ref'] === 'string' && typeof prop['description'] !== 'string') {
        const target = (prop['$ref'] as string).replace('#/definitions/', '');
        const def = (schema['definitions'] as Record<string, Record<string, unknown>>)[target];
        if (typeof def?.['description'] !== 'string') missing.push(where);
      }
    }
    expect(missing).toEqual([]);
  });

  test('one per-kind step schema per kind, wired through allOf if/then', () => {
    const definitions = schema['definitions'] as Record<string, Record<string, unknown>>;
    const step = definitions['step'] as { allOf: { if: { required: string[] }; then: { $ref: string } }[] };
    expect(step.allOf.map((c) => c.if.required[0])).toEqual([...STEP_KINDS]);
    for (const kind of STEP_KINDS) {
      expect(definitions[`${kind}Step`]?.['additionalProperties']).toBe(false);
      expect(step.allOf.find((c) => c.if.required[0] === kind)?.then.$ref).toBe(`#/definitions/${kind}Step`);
    }
  });
});
