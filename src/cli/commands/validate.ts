/**
 * `callscript validate [paths...]`: compile scripts and report problems the
 * way compilers do (`file:line:col: severity: message [code]`), for editors
 * and CI. Diagnostics go to stdout, the one-line summary to stderr. Scripts
 * are checked against one provider's capabilities (`--provider`, default
 * hoiio), as `serve` and `dev` will check them.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../../script/diagnostic.js';
import type { LoadOptions } from '../../script-files/load.js';
import { DEFAULT_PROVIDER, PROVIDER_NAMES, capabilitiesOf } from '../../provider/capability-tables.js';
import { githubAnnotation } from '../github-annotations.js';

export type ValidateFormat = 'text' | 'json' | 'github';

interface ValidateFlags {
  readonly format: ValidateFormat;
  readonly strict?: boolean;
  readonly siblings?: boolean;
  /** One of PROVIDER_NAMES (commander refuses any other). */
  readonly provider: string;
}

/** Paths inside the working directory are shown relative to it, like compilers do. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface ValidateReport {
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
  readonly errors: number;
  readonly warnings: number;
}

export interface ValidateOptions extends LoadOptions {
  /** Load each file with the other scripts of its folder, reporting only the files given (see folder-context.ts). */
  readonly siblings?: boolean;
}

export async function validatePaths(paths: readonly string[], cwd: string = process.cwd(), options: ValidateOptions = {}): Promise<ValidateReport> {
  // Loaded when used: `callscript --help` and the other commands do without the compiler.
  const loaded = options.siblings === true
    ? await (await import('../../script-files/folder-context.js')).loadInFolderContext(paths, options)
    : await (await import('../../script-files/load.js')).loadScripts(paths, options);
  const diagnostics = loaded.diagnostics.map((d) => ({ ...d, file: displayPath(d.file, cwd) }));
  return {
    files: loaded.files.map((f) => displayPath(f, cwd)),
    diagnostics,
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

function summary(report: ValidateReport, paths: readonly string[]): string {
  if (report.files.length === 0 && report.errors === 0) return `no call scripts found in ${paths.join(', ')}`;
  if (report.errors === 0 && report.warnings === 0) return `${plural(report.files.length, 'script')} OK`;
  return `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')} in ${plural(report.files.length, 'file')}`;
}

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check call scripts and report problems as file:line:col: severity: message [code]')
    .argument('[paths...]', 'script files or folders (default: examples/)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .option('--strict', 'fail on warnings too')
    .option('--siblings', 'check each file with the other scripts of its folder, as a server loading that folder would, and report only the files given (for pre-commit hooks, which pass the changed files)')
    .addOption(
      new Option('--provider <name>', 'check the scripts against what this provider can do (record, pauses, message length…)')
        .choices(PROVIDER_NAMES)
        .default(DEFAULT_PROVIDER),
    )
    .action(async (paths: string[], flags: ValidateFlags) => {
      const targets = paths.length > 0 ? paths : ['examples/'];
      const report = await validatePaths(targets, process.cwd(), { provider: capabilitiesOf(flags.provider), siblings: flags.siblings === true });
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const line = flags.format === 'github' ? githubAnnotation : formatDiagnostic;
        for (const d of report.diagnostics) process.stdout.write(`${line(d)}\n`);
        process.stderr.write(`${summary(report, targets)}\n`);
      }
      const failed = report.errors > 0 || (flags.strict === true && report.warnings > 0) || report.files.length === 0;
      setExit(failed ? 1 : 0);
    });
}
