/**
 * The validators generated from schema/*.json at build time (tools/generate-validators.mjs)
 * are what the schemas make today: a schema edited without `npm run build` fails here,
 * not in front of an operator. And every schema in schema/ has one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VALIDATORS, generateValidators } from '../tools/generate-validators.mjs';

describe('generated schema validators', () => {
  it.each(generateValidators().map((v) => [v.module, v.text] as const))('%s is current with its schema', (module, text) => {
    const written = readFileSync(module, 'utf8');
    // Compared line by line, so a stale module shows where it differs rather than two 200 KB strings.
    expect(written.split('\n'), `${module} is stale: run \`npm run build\` (or node tools/generate-validators.mjs)`).toEqual(text.split('\n'));
  });

  it('every schema in schema/ has a generated validator', () => {
    const schemas = readdirSync('schema').filter((f) => f.endsWith('.json')).map((f) => `schema/${f}`).sort();
    expect(VALIDATORS.map((v) => v.schema).sort()).toEqual(schemas);
  });
});
