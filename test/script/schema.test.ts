/** The schema file itself: valid draft-07, documented for editors, and matching the model's kinds. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { STEP_KINDS } from '../../src/script/limits.js';
import { schemaParts, type SchemaNode } from '../../src/script/schema.js';

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

  test('the parts the error mapper tells apart are each unique in content where an error can come from', () => {
    // The generated validator's errors carry copies of schema objects, recognised by content
    // (schemaParts.canonical); inside `not`, nothing reports an error of its own.
    const counts = new Map<string, number>();
    const visit = (node: unknown, parentKey: string): void => {
      if (Array.isArray(node)) {
        for (const item of node) visit(item, '');
        return;
      }
      if (!isObject(node)) return;
      if (parentKey !== 'not') counts.set(JSON.stringify(node), (counts.get(JSON.stringify(node)) ?? 0) + 1);
      for (const [key, value] of Object.entries(node)) visit(value, key);
    };
    visit(schema, '');
    const parts: SchemaNode[] = [schemaParts.step, schemaParts.variableName, schemaParts.gatherWithBranches, schemaParts.gatherWithoutBranches, ...schemaParts.kindSteps.keys()];
    for (const part of parts) {
      expect(counts.get(JSON.stringify(part))).toBe(1);
      expect(schemaParts.canonical(JSON.parse(JSON.stringify(part)) as SchemaNode)).toBe(part);
    }
  });
});
