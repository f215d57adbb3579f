/**
 * `callscript fmt [paths...] [--check]`: rewrite scripts in the canonical
 * layout (src/script/format), or with `--check` only list the files that are
 * not, for CI. Files are replaced by rename, so a watching server sees one
 * complete save.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../../script/diagnostic.js';
import { displayPath } from './validate.js';

interface FmtFlags {
  readonly check?: boolean;
}

export interface FmtReport {
  /** Files (display paths) not in the canonical layout: rewritten, or with --check listed. */
  readonly changed: string[];
  readonly unchanged: string[];
  /** Files that could not be read or parsed; left as they are. */
  readonly problems: Diagnostic[];
}

async function replaceFile(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.fmt-tmp`);
  await writeFile(temp, text, 'utf8');
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export async function formatPaths(paths: readonly string[], options: { write: boolean }, cwd = process.cwd()): Promise<FmtReport> {
  // Loaded when used, like every command's work (src/cli/main.ts loads only the command run).
  const [{ FormatMeaningError, formatScript }, { listScriptFiles }] = await Promise.all([import('../../script/format/index.js'), import('../../script-files/load.js')]);
  const problems: Diagnostic[] = [];
  const files = await listScriptFiles(paths, problems);
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const shown = displayPath(file, cwd);
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (err) {
      problems.push({ code: 'CS_FILE', severity: 'error', message: `cannot read ${shown}: ${err instanceof Error ? err.message : String(err)}`, file: shown, line: 1, column: 1, path: '' });
      continue;
    }
    let result;
    try {
      result = formatScript(source, shown);
    } catch (err) {
      if (!(err instanceof FormatMeaningError)) throw err;
      problems.push({ code: err.code, severity: 'error', message: err.message, file: shown, line: 1, column: 1, path: '' });
      continue;
    }
    if (!result.ok) {
      problems.push(...result.diagnostics);
      continue;
    }
    if (!result.changed) {
      unchanged.push(shown);
      continue;
    }
    changed.push(shown);
    if (options.write) await replaceFile(file, result.text);
  }
  return { changed, unchanged, problems: problems.map((d) => ({ ...d, file: displayPath(d.file, cwd) })) };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function registerFmt(program: Command, setExit: (code: number) => void): void {
  program
    .command('fmt')
    .description('rewrite call scripts in the canonical layout (key order, quoted numbers and digit keys; comments kept)')
    .argument('[paths...]', 'script files or folders (default: examples/)')
    .option('--check', 'change nothing; list the files that are not formatted and exit 1 if there are any')
    .action(async (paths: string[], flags: FmtFlags) => {
      const targets = paths.length > 0 ? paths : ['examples/'];
      const check = flags.check === true;
      const report = await formatPaths(targets, { write: !check });
      for (const d of report.problems) process.stderr.write(`${formatDiagnostic(d)}\n`);
      for (const file of report.changed) process.stdout.write(`${file}\n`);
      const total = report.changed.length + report.unchanged.length;
      if (check) {
        process.stderr.write(
          report.changed.length > 0
            ? `${plural(report.changed.length, 'file')} would be reformatted (run \`callscript fmt\`)\n`
            : `${plural(total, 'file')} already formatted\n`,
        );
      } else {
        process.stderr.write(`${plural(report.changed.length, 'file')} reformatted, ${report.unchanged.length} unchanged\n`);
      }
      const failed = report.problems.length > 0 || (check && report.changed.length > 0);
      setExit(failed ? 1 : 0);
    });
}
