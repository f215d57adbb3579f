/**
 * `callscript test [paths...]`: runs the `*.test.yaml` files beside the scripts against
 * the real engine and the simulator, prints ✓/✗ per case with a diff of expected vs
 * actual transcripts (or JUnit XML), optionally coverage, and with `--update` writes the
 * transcripts of cases that have no expectations yet.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { refuseUnsimulated, simulatedProviderOption } from '../simulated-provider.js';
import { DEFAULT_CASE_TIMEOUT_MS, DEFAULT_JOBS } from '../../testbench/run-defaults.js';
import { formatDiagnostic } from '../../script/diagnostic.js';
import { displayPath } from './validate.js';
import { isoTime } from '../now-option.js';

interface TestFlags {
  readonly format: 'text' | 'junit';
  readonly coverage?: boolean;
  readonly minCoverage?: number;
  readonly update?: boolean;
  readonly jobs: number;
  readonly timeout: number;
  readonly now?: number;
}

function percentage(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function registerTest(program: Command, setExit: (code: number) => void): void {
  program
    .command('test')
    .description('run script tests (*.test.yaml beside the scripts) as simulated calls')
    .argument('[paths...]', 'folders of scripts and their tests, or test files (default: examples/)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'junit']).default('text'))
    .option('--coverage', 'report which steps and branches the tests reach')
    .addOption(new Option('--min-coverage <percent>', 'fail when coverage of steps and branches is below this (implies --coverage)').argParser(percentage))
    .option('--update', 'write the actual transcript into cases that have no `expect:` yet')
    .addOption(new Option('--jobs <n>', 'cases run at once').default(DEFAULT_JOBS).argParser(count))
    .addOption(new Option('--timeout <seconds>', 'a call still going after this long fails its case').default(DEFAULT_CASE_TIMEOUT_MS / 1000).argParser(count))
    .addOption(new Option('--now <time>', 'the time `hours` steps see in cases without their own `now:` (e.g. 2026-12-24T10:30:00+08:00)').argParser(isoTime))
    .addOption(simulatedProviderOption())
    .action(async (paths: string[], flags: TestFlags & { provider: string }) => {
      if (refuseUnsimulated('test', flags.provider, setExit)) return;
      // The runner brings the simulator, the runtime and a store: loaded only when tests run.
      const [{ runTests }, { formatCoverage, formatReport, formatSummary, ANSI_PAINT, NO_PAINT }, { toJunit }] = await Promise.all([
        import('../../testbench/run-tests.js'),
        import('../../testbench/report-text.js'),
        import('../../testbench/junit.js'),
      ]);
      const targets = paths.length > 0 ? paths : ['examples/'];
      const paint = process.stdout.isTTY === true && process.env.NO_COLOR === undefined && flags.format === 'text' ? ANSI_PAINT : NO_PAINT;
      const report = await runTests({
        paths: targets,
        update: flags.update === true,
        jobs: flags.jobs,
        caseTimeoutMs: flags.timeout * 1000,
        display: (f) => displayPath(f),
        provider: flags.provider,
        ...(flags.now !== undefined ? { now: flags.now } : {}),
      });
      const wantCoverage = flags.coverage === true || flags.minCoverage !== undefined;
      const coverageLow = flags.minCoverage !== undefined && report.coverage !== undefined && report.coverage.percent < flags.minCoverage;
      if (flags.format === 'junit') {
        process.stdout.write(toJunit(report));
        for (const d of report.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.stderr.write(`${formatSummary(report)}\n`);
      } else {
        const lines = [...report.diagnostics.map(formatDiagnostic), ...formatReport(report, paint)];
        if (wantCoverage && report.coverage !== undefined) lines.push(...formatCoverage(report.coverage, paint));
        lines.push('', formatSummary(report, paint));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (coverageLow && report.coverage !== undefined) {
        process.stderr.write(`coverage ${report.coverage.percent.toFixed(1)}% is below --min-coverage ${flags.minCoverage ?? 0}%\n`);
      }
      setExit(report.failed > 0 || report.diagnostics.length > 0 || coverageLow ? 1 : 0);
    });
}
