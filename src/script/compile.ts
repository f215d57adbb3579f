/**
 * YAML text → compiled `Script` or positioned diagnostics. Pure: no file I/O,
 * so the same function serves the loader, the dev server's reload and tests.
 *
 * Pipeline: size limit → YAML parse (the quick reader, else `yaml` with positions
 * via LineCounter and toJS with an alias limit) → schema validation (errors mapped onto the YAML nodes) →
 * semantic checks → template checks → menu checks (src/script/checks) →
 * provider capability checks (only when given a provider) → build.
 */
import { createHash } from 'node:crypto';
import type { LineCounter, YAMLError, parseDocument } from 'yaml';
import { yamlPackage } from '../yaml/yaml-package.js';
import type { Diagnostic } from './diagnostic.js';
import { buildScript } from './build.js';
import { MAX_ALIAS_COUNT, MAX_SOURCE_BYTES, SCRIPT_NAME_PATTERN } from './limits.js';
import { MAX_FLOW_NESTING, tooDeepAt } from './nesting.js';
import type { Script } from './model.js';
import { PositionIndex } from './positions.js';
import { readQuickYaml } from './quick-yaml.js';
import { isRecord, ownString, type RawScript } from './raw.js';
import { Reporter, sortDiagnostics } from './report.js';
import { validateAgainstSchema } from './schema.js';
import { reportSchemaErrors } from './schema-errors.js';
import { checkBranchKeys, checkNumbers, checkReachability, checkReferences, checkStepKinds } from './semantic-checks.js';
import { callFieldsOf, checkTemplates, knownNames } from './template-checks.js';
import { checkFeatures } from './feature-checks.js';
import { checkCapabilities, checkInputLoops, checkMenuKeys, checkMessageForms } from './checks/index.js';
import type { ProviderCapabilities } from '../engine/capabilities.js';

export interface CompileOptions {
  /** Shown in diagnostics and kept as `Script.file`; its base name is the default script name. */
  readonly file?: string;
  /** The script name when the YAML has no `name:` (overrides the one from `file`). */
  readonly name?: string;
  /**
   * Check the script against this provider's capabilities (record, pauses,
   * message length…). Absent: no provider is assumed, so nothing
   * provider-specific is checked — the run-time limits still apply.
   */
  readonly provider?: ProviderCapabilities;
}

export type CompileResult =
  | { readonly ok: true; readonly script: Script; readonly warnings: Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

/** What the loader needs beyond the result: positions for its cross-file diagnostics. */
export interface DetailedCompileResult {
  readonly result: CompileResult;
  readonly index?: PositionIndex;
}

/** Name for diagnostics of in-memory sources. */
export const INPUT_FILE = '<input>';
/** Name of an in-memory script given neither `name:`, a name option nor a file. */
export const DEFAULT_SCRIPT_NAME = 'script';

export function scriptVersion(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex').slice(0, 16);
}

/** `examples/acme.yaml` → `acme` (pure string work: compile does no I/O). */
export function nameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.ya?ml$/i, '');
}

/** A valid name close to an invalid one, to suggest in the error. */
function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '');
  return s === '' ? 'my-script' : s;
}

function yamlMessage(error: YAMLError, source: string): string {
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      // yaml's range covers only the key's first character.
      const key = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:\n]*?)\s*:/.exec(source.slice(error.pos[0]))?.[1];
      return `duplicate key${key ? ` \`${key}\`` : ''}: each key may appear once in a mapping`;
    }
    case 'MULTIPLE_DOCS':
      return 'a script file holds one YAML document: remove the second `---`';
    default:
      return `YAML syntax: ${error.message}`;
  }
}

function resolveName(raw: unknown, options: CompileOptions, reporter: Reporter): string {
  const explicit = isRecord(raw) ? ownString(raw, 'name') : undefined;
  if (explicit !== undefined) return explicit; // the schema checks its form
  const name = options.name ?? (options.file !== undefined ? nameFromFile(options.file) : DEFAULT_SCRIPT_NAME);
  // Not a script at all (a list, a string): the type error says enough.
  if (!isRecord(raw)) return name;
  if (!SCRIPT_NAME_PATTERN.test(name)) {
    const from = options.name !== undefined ? 'the name' : 'the file name';
    reporter.atPosition(
      { line: 1, column: 1 },
      ['name'],
      'CS_INVALID_NAME',
      `${from} gives the script name ${JSON.stringify(name)}, which is not valid (lower-case letters, digits, _ and -, starting with a letter or digit): add \`name: ${slug(name)}\` to the script`,
    );
  }
  return name;
}

function fail(reporter: Reporter, index?: PositionIndex): DetailedCompileResult {
  return index === undefined
    ? { result: { ok: false, diagnostics: sortDiagnostics(reporter.diagnostics) } }
    : { result: { ok: false, diagnostics: sortDiagnostics(reporter.diagnostics) }, index };
}

/** For diagnostics positioned by hand, before any YAML is read. */
function unreadIndex(): PositionIndex {
  return new PositionIndex(() => ({ root: null, lines: new (yamlPackage().LineCounter)() }), false);
}

export function compileDetailed(source: string, options: CompileOptions = {}): DetailedCompileResult {
  const file = options.file ?? INPUT_FILE;
  if (Buffer.byteLength(source, 'utf8') > MAX_SOURCE_BYTES) {
    const reporter = new Reporter(file, unreadIndex());
    reporter.atPosition({ line: 1, column: 1 }, [], 'CS_TOO_LARGE', `script is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`);
    return fail(reporter);
  }
  const deep = tooDeepAt(source);
  if (deep >= 0) {
    const reporter = new Reporter(file, unreadIndex());
    reporter.atPosition(offsetPosition(source, deep), [], 'CS_TOO_DEEP', `YAML collections nested more than ${MAX_FLOW_NESTING} levels deep`);
    return fail(reporter);
  }
  try {
    return compileParsed(source, options, file);
  } catch (err) {
    // Nesting the flow scan does not see (deep block indentation) can still exhaust the stack of a check.
    if (!(err instanceof RangeError)) throw err;
    const reporter = new Reporter(file, unreadIndex());
    reporter.atPosition({ line: 1, column: 1 }, [], 'CS_TOO_DEEP', `the script is nested too deeply to check (${err.message})`);
    return fail(reporter);
  }
}

/** Line and column (1-based) of a character offset. */
function offsetPosition(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = source.indexOf('\n'); i >= 0 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** How compile() has `yaml` read a script (the same options for the AST of positions). */
function parseYaml(source: string, lineCounter: LineCounter): ReturnType<typeof parseDocument> {
  return yamlPackage().parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
}

function compileParsed(source: string, options: CompileOptions, file: string): DetailedCompileResult {
  // The fast path: most scripts are YAML the quick reader knows, and then `yaml` builds its
  // AST only if a diagnostic needs a position (quick-yaml.ts; it reads to the same data).
  const quick = readQuickYaml(source);
  if (quick !== undefined) {
    const index = new PositionIndex(() => {
      const lines = new (yamlPackage().LineCounter)();
      return { root: parseYaml(source, lines).contents, lines };
    }, true);
    return checkAndBuild(quick.data, source, options, new Reporter(file, index));
  }
  const lineCounter = new (yamlPackage().LineCounter)();
  const doc = parseYaml(source, lineCounter);
  const index = new PositionIndex(doc.contents, lineCounter);
  const reporter = new Reporter(file, index);
  for (const error of doc.errors) {
    reporter.atPosition(index.offsetPosition(error.pos[0]), [], 'CS_YAML_SYNTAX', yamlMessage(error, source));
  }
  for (const warning of doc.warnings) {
    reporter.atPosition(index.offsetPosition(warning.pos[0]), [], 'CS_YAML_SYNTAX', yamlMessage(warning, source), 'warning');
  }
  if (doc.errors.length > 0) return fail(reporter, index);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const tooMany = /alias count/i.test(message);
    reporter.atPosition(
      { line: 1, column: 1 },
      [],
      tooMany ? 'CS_TOO_LARGE' : 'CS_YAML_SYNTAX',
      tooMany ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT})` : `YAML: ${message}`,
    );
    return fail(reporter, index);
  }
  return checkAndBuild(data, source, options, reporter);
}

/** The checks (schema, semantics, templates, menus, provider) and, when none fails, the build. */
function checkAndBuild(data: unknown, source: string, options: CompileOptions, reporter: Reporter): DetailedCompileResult {
  const { index } = reporter;
  const badKindSteps = checkStepKinds(data, reporter);
  reportSchemaErrors(validateAgainstSchema(data), reporter, { badKindSteps });
  checkBranchKeys(data, reporter);
  checkNumbers(data, reporter);
  checkReferences(data, reporter);
  const name = resolveName(data, options, reporter);
  const callFields = callFieldsOf(options.provider?.callFields);
  const templates = checkTemplates(data, reporter, source, callFields);
  checkFeatures(data, reporter, knownNames(data), callFields);
  checkReachability(data, reporter);
  checkInputLoops(data, reporter);
  checkMenuKeys(data, reporter, source);
  checkMessageForms(data, reporter);
  if (options.provider !== undefined) checkCapabilities(data, reporter, options.provider);

  if (reporter.errorCount > 0) return fail(reporter, index);

  const script = buildScript({
    raw: data as RawScript,
    name,
    ...(options.file !== undefined && { file: options.file }),
    source,
    version: scriptVersion(source),
    templates,
  });
  return { result: { ok: true, script, warnings: sortDiagnostics(reporter.diagnostics) }, index };
}

/** Compiles one script's YAML text. Diagnostics are sorted by line and column. */
export function compile(source: string, options: CompileOptions = {}): CompileResult {
  return compileDetailed(source, options).result;
}

