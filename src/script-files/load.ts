/**
 * Loads scripts from files and directories, compiling each and checking what
 * only makes sense across files: unique script names and unique numbers.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkCalls } from '../script/call-checks.js';
import { compileDetailed } from '../script/compile.js';
import type { ProviderCapabilities } from '../engine/capabilities.js';
import { ScriptEncodingError, readScriptFile } from './encoding.js';
import type { Diagnostic } from '../script/diagnostic.js';
import type { Script } from '../script/model.js';
import { toPointer } from '../script/paths.js';
import type { PositionIndex } from '../script/positions.js';
import { sortDiagnostics } from '../script/report.js';

export interface LoadResult {
  /** Scripts of the files that have no errors, in file order. */
  readonly scripts: Script[];
  /** Every file's diagnostics (errors and warnings), file by file in file order, each file's sorted by position. */
  readonly diagnostics: Diagnostic[];
  /** The script files found and compiled, in order. */
  readonly files: string[];
}

const SCRIPT_FILE = /\.ya?ml$/i;
const TEST_FILE = /\.test\.ya?ml$/i;

function fileDiagnostic(file: string, message: string): Diagnostic {
  return { code: 'CS_FILE', severity: 'error', message, file, line: 1, column: 1, path: '' };
}

function reason(err: unknown): string {
  if (err instanceof Error && 'code' in err) {
    if (err.code === 'ENOENT') return 'no such file or directory';
    if (err.code === 'EACCES') return 'permission denied';
  }
  return err instanceof Error ? err.message : String(err);
}

/** True for a name a folder contributes as a script: *.yaml / *.yml, not *.test.yaml / *.test.yml. */
export function isScriptFileName(name: string): boolean {
  return SCRIPT_FILE.test(name) && !TEST_FILE.test(name);
}

/**
 * Script files for the given paths: files as given, directories' *.yaml / *.yml (not *.test.yaml), sorted.
 * Paths that cannot be read become CS_FILE diagnostics in `problems`.
 */
export async function listScriptFiles(paths: readonly string[], problems: Diagnostic[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (!info.isDirectory()) {
        add(path);
        continue;
      }
      const entries = await readdir(path, { withFileTypes: true });
      const names = entries
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && isScriptFileName(e.name))
        .map((e) => e.name)
        .sort();
      for (const name of names) add(join(path, name));
    } catch (err) {
      problems.push(fileDiagnostic(path, `cannot read ${path}: ${reason(err)}`));
    }
  }
  return files;
}

interface Compiled {
  readonly file: string;
  readonly script?: Script;
  readonly index?: PositionIndex;
  readonly diagnostics: Diagnostic[];
}

async function compileFile(file: string, provider: ProviderCapabilities | undefined): Promise<Compiled> {
  let source: string;
  try {
    source = await readScriptFile(file);
  } catch (err) {
    if (err instanceof ScriptEncodingError) return { file, diagnostics: [err.diagnostic()] };
    return { file, diagnostics: [fileDiagnostic(file, `cannot read ${file}: ${reason(err)}`)] };
  }
  const { result, index } = compileDetailed(source, { file, ...(provider !== undefined ? { provider } : {}) });
  if (!result.ok) return { file, diagnostics: result.diagnostics, ...(index && { index }) };
  return { file, script: result.script, diagnostics: result.warnings, ...(index && { index }) };
}

function positioned(
  compiled: Compiled,
  pointer: string,
  code: string,
  message: string,
  path: string,
): Diagnostic {
  const at = compiled.index?.exact(pointer) ? compiled.index.position(pointer, 'value') : { line: 1, column: 1 };
  return { code, severity: 'error', message, file: compiled.file, line: at.line, column: at.column, path };
}

/** CS_DUPLICATE_NAME / CS_DUPLICATE_SCRIPT_NUMBER, on the later file; that file's script is dropped. */
function crossCheck(all: readonly Compiled[]): Map<Compiled, Diagnostic[]> {
  const extra = new Map<Compiled, Diagnostic[]>();
  const names = new Map<string, Compiled>();
  const numbers = new Map<string, Compiled>();
  for (const compiled of all) {
    const script = compiled.script;
    if (!script) continue;
    const found: Diagnostic[] = [];
    const firstWithName = names.get(script.name);
    if (firstWithName) {
      found.push(
        positioned(
          compiled,
          '/name',
          'CS_DUPLICATE_NAME',
          `script name \`${script.name}\` is already used by ${firstWithName.file}: give one of them another \`name:\``,
          'name',
        ),
      );
    }
    script.numbers.forEach((number, i) => {
      const owner = numbers.get(number);
      if (owner && owner !== compiled) {
        found.push(
          positioned(
            compiled,
            toPointer(['numbers', i]),
            'CS_DUPLICATE_SCRIPT_NUMBER',
            `number "${number}" is already routed to script \`${owner.script?.name ?? ''}\` (${owner.file}): a number belongs to one script`,
            `numbers[${i}]`,
          ),
        );
      }
    });
    if (found.length > 0) {
      extra.set(compiled, found);
      continue; // a rejected script claims neither its name nor its numbers
    }
    names.set(script.name, compiled);
    for (const number of script.numbers) numbers.set(number, compiled);
  }
  return extra;
}

export interface LoadOptions {
  /** Check every script against this provider's capabilities (see CompileOptions.provider). */
  readonly provider?: ProviderCapabilities;
}

export async function loadScripts(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const problems: Diagnostic[] = [];
  const files = await listScriptFiles(paths, problems);
  const compiled = await Promise.all(files.map((file) => compileFile(file, options.provider)));
  const extra = crossCheck(compiled);
  // Until no script that stays calls one that is dropped: a script left out for its own
  // calls makes its callers' calls fail in turn (a calls b, b calls a missing c).
  for (;;) {
    const callable = compiled.filter((c) => c.script !== undefined && !extra.has(c));
    const callProblems = checkCalls(
      callable.map((c) => ({ script: c.script as Script, file: c.file, ...(c.index !== undefined ? { index: c.index } : {}) })),
    );
    if (callProblems.size === 0) break;
    for (const c of callable) {
      const found = callProblems.get(c.file);
      if (found !== undefined) extra.set(c, found);
    }
  }
  const scripts: Script[] = [];
  const diagnostics: Diagnostic[] = [...problems];
  for (const c of compiled) {
    const more = extra.get(c) ?? [];
    diagnostics.push(...sortDiagnostics([...c.diagnostics, ...more]));
    if (c.script && more.length === 0) scripts.push(c.script);
  }
  return { scripts, diagnostics, files };
}
