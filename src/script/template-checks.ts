/**
 * Compiles every template field of a script once, reporting syntax errors,
 * unknown helpers and unknown variables at their place in the YAML file. The
 * compiled templates are handed to the builder. (How long a message may be is
 * the provider's to say: checks/capabilities.ts.)
 */
import type { Node as YamlNode } from 'yaml';
import { yamlPackage } from '../yaml/yaml-package.js';
import { CompiledTemplate, TemplateSyntaxError, compileTemplate, compileUrlTemplate } from '../template/index.js';
import { CALL_FIELDS, RESERVED_NAMES } from './limits.js';
import { toPointer, type DataPath } from './paths.js';
import type { Position, PositionIndex } from './positions.js';
import { isRecord, own, ownRecord } from './raw.js';
import type { Reporter } from './report.js';
import { messageFields, messageLeaves } from './messages.js';
import { stepsOf } from './semantic-checks.js';
import { didYouMean } from './suggest.js';

type FieldRole = 'message' | 'audio' | 'tag' | 'target' | 'url' | 'value';

interface TemplateField {
  readonly path: DataPath;
  readonly source: string;
  readonly role: FieldRole;
}

/** Non-message template fields of blocks, per kind; a transfer's string shorthand is its `to`. */
const BLOCK_FIELDS: Readonly<Record<string, readonly (readonly [string, FieldRole])[]>> = {
  play: [['tag', 'tag']],
  gather: [['tag', 'tag']],
  record: [['tag', 'tag']],
  monitor: [['tag', 'tag']],
  transfer: [['to', 'target'], ['caller_id', 'target'], ['tag', 'tag']],
  hangup: [['tag', 'tag']],
};

/** Every string inside an http step's JSON body is a template. */
function jsonLeaves(path: DataPath, value: unknown, add: (path: DataPath, value: unknown, role: FieldRole) => void): void {
  if (typeof value === 'string') add(path, value, 'value');
  else if (Array.isArray(value)) value.forEach((item: unknown, i) => jsonLeaves([...path, i], item, add));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) jsonLeaves([...path, key], item, add);
}

/** Every template in the script, with where it is. */
export function templateFields(data: unknown): TemplateField[] {
  const fields: TemplateField[] = [];
  const add = (path: DataPath, value: unknown, role: FieldRole): void => {
    if (typeof value === 'string') fields.push({ path, source: value, role });
  };
  for (const field of messageFields(data)) {
    for (const leaf of messageLeaves(field.path, field.value)) add(leaf.path, leaf.source, leaf.role);
  }
  if (isRecord(data)) add(['language'], own(data, 'language'), 'value');
  for (const [id, step] of Object.entries(stepsOf(data))) {
    if (!isRecord(step)) continue;
    for (const [kind, blockFields] of Object.entries(BLOCK_FIELDS)) {
      const block = own(step, kind);
      if (typeof block === 'string' && kind === 'transfer') add(['steps', id, kind], block, 'target');
      else if (isRecord(block)) for (const [name, role] of blockFields) add(['steps', id, kind, name], own(block, name), role);
    }
    const set = ownRecord(step, 'set');
    if (set) for (const [name, value] of Object.entries(set)) add(['steps', id, 'set', name], value, 'value');
    const http = ownRecord(step, 'http');
    if (http) {
      add(['steps', id, 'http', 'url'], own(http, 'url'), 'url');
      const headers = ownRecord(http, 'headers');
      if (headers) for (const [name, value] of Object.entries(headers)) add(['steps', id, 'http', 'headers', name], value, 'value');
      const form = ownRecord(http, 'form');
      if (form) for (const [name, value] of Object.entries(form)) add(['steps', id, 'http', 'form', name], value, 'value');
      if (own(http, 'json') !== undefined) jsonLeaves(['steps', id, 'http', 'json'], own(http, 'json'), add);
    }
  }
  return fields;
}

/** Names a template may read: vars, save_as and set targets, http saves, and what the interpreter provides. */
export function knownNames(data: unknown): Set<string> {
  const names = new Set<string>(RESERVED_NAMES);
  const vars = isRecord(data) ? ownRecord(data, 'vars') : undefined;
  if (vars) for (const name of Object.keys(vars)) names.add(name);
  for (const step of Object.values(stepsOf(data))) {
    if (!isRecord(step)) continue;
    const saveAs = own(step, 'save_as');
    if (typeof saveAs === 'string') names.add(saveAs);
    const set = ownRecord(step, 'set');
    if (set) for (const name of Object.keys(set)) names.add(name);
    const save = ownRecord(ownRecord(step, 'http') ?? {}, 'save');
    if (save) for (const name of Object.keys(save)) names.add(name);
  }
  return names;
}

/**
 * Where a position inside a template is in the file: exact for single-line
 * plain or quoted scalars without escapes and for literal blocks (`|`), which
 * map character for character; otherwise the scalar's start.
 */
export function templatePosition(
  index: PositionIndex,
  yamlSource: string,
  node: YamlNode | null | undefined,
  template: string,
  line: number,
  column: number,
): Position {
  const start = index.nodePosition(node);
  if (!yamlPackage().isScalar(node) || !node.range) return start;
  const raw = yamlSource.slice(node.range[0], node.range[1]);
  if (line === 1 && (node.type === 'PLAIN' ? raw === template : raw.slice(1, -1) === template && raw.length === template.length + 2)) {
    const quote = node.type === 'PLAIN' ? 0 : 1;
    return { line: start.line, column: start.column + quote + column - 1 };
  }
  if (node.type === 'BLOCK_LITERAL') {
    const wanted = template.split('\n')[line - 1];
    const fileLine = start.line + line; // content starts on the line after the `|` header
    const text = lineText(index, yamlSource, fileLine);
    if (wanted !== undefined && text !== undefined) {
      const indent = text.length - wanted.length;
      if (indent >= 0 && text.slice(indent) === wanted && /^ *$/.test(text.slice(0, indent))) {
        return { line: fileLine, column: indent + column };
      }
    }
  }
  return start;
}

function lineText(index: PositionIndex, source: string, line: number): string | undefined {
  const starts = index.lineStarts;
  const from = starts[line - 1];
  if (from === undefined) return undefined;
  const to = starts[line] ?? source.length;
  return source.slice(from, to).replace(/\r?\n$/, '');
}

/**
 * The fields of `{{call.<field>}}`: the neutral ones, and those the provider adds
 * (its capability table's `callFields`, e.g. Hoiio's transaction reference). The pure
 * compiler without a provider knows the neutral ones only.
 */
export function callFieldsOf(providerFields: Readonly<Record<string, unknown>> | undefined): readonly string[] {
  return providerFields === undefined ? CALL_FIELDS : [...CALL_FIELDS, ...Object.keys(providerFields)];
}

export function unknownVarMessage(path: readonly string[], known: ReadonlySet<string>, callFields: readonly string[] = CALL_FIELDS): string | undefined {
  const [name, field] = path;
  if (name === undefined) return undefined;
  if (name === 'call') {
    if (field === undefined || callFields.includes(field)) return undefined;
    return `\`{{call.${field}}}\` is not a call field: call has ${callFields.join(', ')}${didYouMean(field, callFields)}`;
  }
  if (known.has(name)) return undefined;
  const hint = CALL_FIELDS.includes(name) ? `; did you mean \`call.${name}\`?` : didYouMean(name, known);
  return `\`{{${path.join('.')}}}\` is not defined: not in vars, not a save_as, set or http save, not a call field${hint}`;
}

/** Compiles and checks every template; returns them by JSON pointer of their field. */
export function checkTemplates(data: unknown, reporter: Reporter, yamlSource: string, callFields: readonly string[] = CALL_FIELDS): Map<string, CompiledTemplate> {
  const compiled = new Map<string, CompiledTemplate>();
  const known = knownNames(data);
  const { index } = reporter;
  for (const field of templateFields(data)) {
    const pointer = toPointer(field.path);
    // The YAML node is looked up only to position a diagnostic (the AST may not exist otherwise).
    const at = (line: number, column: number): Position => templatePosition(index, yamlSource, index.exact(pointer)?.value, field.source, line, column);
    let template: CompiledTemplate;
    try {
      template = field.role === 'url' ? compileUrlTemplate(field.source) : compileTemplate(field.source);
    } catch (err) {
      if (!(err instanceof TemplateSyntaxError)) throw err;
      reporter.atPosition(at(err.line, err.column), field.path, err.code, err.message);
      continue;
    }
    compiled.set(pointer, template);
    for (const ref of template.references) {
      const message = unknownVarMessage(ref.path, known, callFields);
      if (message) reporter.atPosition(at(ref.line, ref.column), field.path, 'CS_TEMPLATE_UNKNOWN_VAR', message);
    }
  }
  return compiled;
}
