/**
 * The JSON Schema (schema/callscript.schema.json) and its validator. The file is the
 * single source of truth of the format: editors read it through the
 * yaml-language-server modeline, and `compile()` validates with it. The validator is
 * ajv's code for it, generated at build time (tools/generate-validators.mjs), so no
 * process pays for compiling the schema when it starts.
 */
import type { ErrorObject } from 'ajv';
// A JSON module, not a file read: the compiler stays free of I/O, and the module loader
// resolves it from this module, so it works from src/ (tests) and dist/ (the CLI, with
// schema/ shipped beside dist/) alike. Stable without a warning since Node 20.18.3.
import schemaDocument from '../../schema/callscript.schema.json' with { type: 'json' };
import { validate as validator } from './schema-validator.generated.js';
import { STEP_KINDS } from './limits.js';

export type StepKindName = (typeof STEP_KINDS)[number];

/** The parts of a JSON Schema object the error mapper reads. */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minProperties?: number;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  /** Human wording for a failed `pattern` (also understood by yaml-language-server). */
  readonly patternErrorMessage?: string;
  /** Human wording for a failed `not` (also understood by yaml-language-server). */
  readonly errorMessage?: string;
  readonly definitions?: Readonly<Record<string, SchemaNode>>;
}

function asSchema(parsed: unknown): SchemaNode & { readonly definitions: Readonly<Record<string, SchemaNode>> } {
  if (typeof parsed !== 'object' || parsed === null || !('definitions' in parsed)) {
    throw new Error('schema/callscript.schema.json is not the callscript schema');
  }
  return parsed as SchemaNode & { readonly definitions: Readonly<Record<string, SchemaNode>> };
}

export const schema = asSchema(schemaDocument);

function definition(name: string): SchemaNode {
  const found = schema.definitions[name];
  if (!found) throw new Error(`callscript schema has no definition ${name}`);
  return found;
}

const parts = {
  step: definition('step'),
  variableName: definition('variableName'),
  gatherStep: definition('gatherStep'),
  gatherWithBranches: (definition('gatherStep') as SchemaNode & { readonly then: SchemaNode }).then,
  gatherWithoutBranches: (definition('gatherStep') as SchemaNode & { readonly else: SchemaNode }).else,
  /** `playStep` → 'play', …: the per-kind schemas that list a kind's allowed keys. */
  kindSteps: new Map<SchemaNode, StepKindName>(STEP_KINDS.map((kind) => [definition(`${kind}Step`), kind])),
};

/**
 * The schema objects above by their content. The generated validator's errors carry
 * its own copies of the schema's objects (`parentSchema`), equal in content but not
 * the same objects; test/script/schema.test.ts checks that each content is unique
 * wherever an error can come from.
 */
const byContent = new Map<string, SchemaNode>(
  [parts.step, parts.variableName, parts.gatherStep, parts.gatherWithBranches, parts.gatherWithoutBranches, ...parts.kindSteps.keys()].map((node) => [
    JSON.stringify(node),
    node,
  ]),
);

/** Schema objects the error mapper recognizes by identity (after `canonical`). */
export const schemaParts = {
  ...parts,
  /** The schema's own object for a copy of one of the parts above; any other node as it is. */
  canonical(node: SchemaNode): SchemaNode {
    return byContent.get(JSON.stringify(node)) ?? node;
  },
};

export function validateAgainstSchema(data: unknown): readonly ErrorObject[] {
  return validator(data) ? [] : (validator.errors ?? []);
}
