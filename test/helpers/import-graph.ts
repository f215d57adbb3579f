/**
 * The import graph of the source tree, read with the TypeScript parser (not regular
 * expressions) so that comments, strings and template literals never count as imports.
 * The architecture test checks its rules on this graph.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** The importing file, relative to the repository root with `/` separators (`src/engine/blocks.ts`). */
  readonly from: string;
  /** The specifier as written (`../log/logger.js`, `node:fs`, `hono`). */
  readonly specifier: string;
  /** A relative specifier resolved to its file (`src/log/logger.ts`); a package or builtin as written. */
  readonly target: string;
  readonly line: number;
  /** `import type` / `export type`, or an import whose every binding is `type`: erased at run time. */
  readonly typeOnly: boolean;
  /** `import('…')`: loaded on demand. */
  readonly dynamic: boolean;
}

export interface ImportGraph {
  /** Every source file, relative to the repository root, sorted. */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
}

/** True for `./x` and `../x`: the specifiers that name a file of this repository. */
export function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/**
 * The file a relative specifier names. NodeNext makes sources write the emitted name
 * (`./x.js` for `x.ts`); a specifier without an extension would only name a folder's index.
 */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string {
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [joined.replace(/\.js$/, '.ts'), joined, `${joined}.ts`, `${joined}/index.ts`];
  return candidates.find((c) => files.has(c)) ?? joined;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

interface RawImport {
  readonly specifier: string;
  readonly line: number;
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
}

/** Every import of one file's source: declarations, re-exports, `import()` and `import('…').T` types. */
export function importsOf(file: string, source: string): RawImport[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: RawImport[] = [];
  const add = (literal: ts.Node, typeOnly: boolean, dynamic: boolean): void => {
    if (!ts.isStringLiteralLike(literal)) return;
    const line = sf.getLineAndCharacterOfPosition(literal.getStart(sf)).line + 1;
    found.push({ specifier: literal.text, line, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, isTypeOnlyImport(node), false);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) add(node.moduleSpecifier, isTypeOnlyExport(node), false);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined) {
      add(node.arguments[0], false, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Builds a graph from sources in memory: the architecture test's own fixtures use this too. */
export function graphOf(sources: Readonly<Record<string, string>>): ImportGraph {
  const files = Object.keys(sources).sort();
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const raw of importsOf(from, sources[from] ?? '')) {
      const target = isRelative(raw.specifier) ? resolveSpecifier(from, raw.specifier, known) : raw.specifier;
      edges.push({ from, target, ...raw });
    }
  }
  return { files, edges };
}

function tsFilesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFilesUnder(root, rel));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** The import graph of every `.ts` file under `dir` (relative to `root`, the repository). */
export function readImportGraph(root: string, dir: string): ImportGraph {
  const sources: Record<string, string> = {};
  for (const file of tsFilesUnder(root, dir)) sources[file] = readFileSync(join(root, file), 'utf8');
  return graphOf(sources);
}
