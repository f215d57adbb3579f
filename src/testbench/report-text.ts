/**
 * How `callscript test` reads in a terminal: ✓/✗ per case, and for a failure a diff of
 * the expected and the actual transcript — every turn, matching ones as context, the
 * expected side marked `-`, the actual side `+`, and what differs under each.
 */
import type { CoverageReport } from './coverage.js';
import type { CaseVerdict } from './match.js';
import { describeMatcher, type ExpectedTurn } from './test-file.js';
import { formatMove, formatTurn } from './transcript.js';
import type { CaseResult, TestRunReport } from './run-tests.js';

export interface Paint {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

export const NO_PAINT: Paint = { red: (s) => s, green: (s) => s, dim: (s) => s, bold: (s) => s };
export const ANSI_PAINT: Paint = {
  red: (s) => `\u001b[31m${s}\u001b[39m`,
  green: (s) => `\u001b[32m${s}\u001b[39m`,
  dim: (s) => `\u001b[2m${s}\u001b[22m`,
  bold: (s) => `\u001b[1m${s}\u001b[22m`,
};

/** `gather contains "For sales press 1" ⇢ press 1`: an expectation as the test states it. */
export function describeExpected(e: ExpectedTurn): string {
  const parts: string[] = [e.block];
  if (e.message.kind !== 'any') parts.push(describeMatcher(e.message));
  for (const [name, m] of Object.entries(e.params)) if (m !== undefined) parts.push(`${name} ${describeMatcher(m)}`);
  let text = parts.join(' ');
  if (e.caller !== undefined) text += ` ⇢ ${formatMove(e.caller, e.block)}`;
  return text;
}

export function formatVerdict(verdict: CaseVerdict, paint: Paint = NO_PAINT, indent = '    '): string[] {
  const lines: string[] = [];
  const width = String(verdict.turns.length).length;
  for (const t of verdict.turns) {
    const n = String(t.index + 1).padStart(width);
    const pad = ' '.repeat(width);
    if (t.problems.length === 0 && t.actual !== undefined) {
      formatTurn(t.actual).forEach((l, i) => lines.push(paint.dim(`${indent}${i === 0 ? n : pad}   ${l}`)));
      continue;
    }
    if (t.expected !== undefined) lines.push(paint.red(`${indent}${n} - ${describeExpected(t.expected)}`));
    if (t.actual !== undefined) {
      formatTurn(t.actual).forEach((l, i) => lines.push(paint.green(`${indent}${t.expected === undefined && i === 0 ? n : pad} + ${l}`)));
    }
    for (const problem of t.problems) lines.push(`${indent}${pad}   · ${problem}`);
  }
  for (const check of [...(verdict.outcome !== undefined ? [verdict.outcome] : []), ...verdict.vars]) {
    lines.push(`${indent}${check.name}:`);
    lines.push(paint.red(`${indent}  - ${check.expected}`));
    lines.push(paint.green(`${indent}  + ${check.actual}`));
  }
  for (const note of verdict.notes) lines.push(`${indent}! ${note}`);
  return lines;
}

function ms(n: number): string {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
}

export function formatCase(result: CaseResult, paint: Paint = NO_PAINT): string[] {
  const where = paint.dim(`(${result.file}:${result.line}, ${ms(result.durationMs)})`);
  switch (result.status) {
    case 'passed':
      return [`  ${paint.green('✓')} ${result.name} ${where}`];
    case 'skipped':
      return [`  ${paint.dim('–')} ${result.name} ${where} — skipped: ${result.reason ?? ''}`];
    case 'updated':
      return [`  ${paint.green('✎')} ${result.name} ${where} — expectations written`, ...result.transcript.turns.flatMap(formatTurn).map((l) => paint.dim(`      ${l}`))];
    case 'failed':
      return [
        `  ${paint.red('✗')} ${result.name} ${where}`,
        // Nothing to compare with: show what the call did.
        ...(result.verdict === undefined || result.verdict.turns.length === 0 ? result.transcript.turns.flatMap(formatTurn).map((l) => paint.dim(`      ${l}`)) : []),
        ...(result.verdict !== undefined ? formatVerdict(result.verdict, paint, '      ') : []),
      ];
  }
}

export function formatCoverage(report: CoverageReport, paint: Paint = NO_PAINT): string[] {
  const lines = ['', paint.bold('Coverage (steps and branches reached by the tests)')];
  const nameWidth = Math.max(6, ...report.scripts.map((s) => s.script.length));
  for (const s of report.scripts) {
    const steps = `${s.steps.filter((x) => x.covered).length}/${s.steps.length} steps`;
    const branches = `${s.branches.filter((x) => x.covered).length}/${s.branches.length} branches`;
    const pct = `${s.percent.toFixed(1)}%`;
    lines.push(`  ${s.script.padEnd(nameWidth)}  ${steps.padEnd(12)}  ${branches.padEnd(15)}  ${s.percent === 100 ? paint.green(pct) : paint.red(pct)}`);
  }
  lines.push(`  ${'total'.padEnd(nameWidth)}  ${`${report.covered}/${report.total} steps and branches`}  ${report.percent.toFixed(1)}%`);
  const missing: string[] = [];
  for (const s of report.scripts) {
    for (const step of s.steps) if (!step.covered) missing.push(`  ${s.script}: step ${step.id}`);
    for (const b of s.branches) if (!b.covered) missing.push(`  ${s.script}: branch ${b.edge.from} --${b.edge.label}--> ${b.edge.to}`);
  }
  if (missing.length > 0) lines.push('', 'Not reached by any test:', ...missing);
  return lines;
}

export function formatSummary(report: TestRunReport, paint: Paint = NO_PAINT): string {
  const parts: string[] = [];
  if (report.passed > 0) parts.push(paint.green(`${report.passed} passed`));
  if (report.failed > 0) parts.push(paint.red(`${report.failed} failed`));
  if (report.updated > 0) parts.push(`${report.updated} updated`);
  if (report.skipped > 0) parts.push(paint.dim(`${report.skipped} skipped`));
  if (parts.length === 0) parts.push('no test cases');
  const files = report.files.length;
  const where = report.provider !== 'hoiio' ? ` on ${report.provider}` : '';
  return `${parts.join(', ')}${where} (${files} test file${files === 1 ? '' : 's'}, ${ms(report.durationMs)})`;
}

/** The whole text report, file by file. */
export function formatReport(report: TestRunReport, paint: Paint = NO_PAINT): string[] {
  const lines: string[] = [];
  for (const file of report.files) {
    lines.push(paint.bold(`${file.file} (script ${file.script})`));
    for (const result of file.cases) lines.push(...formatCase(result, paint));
  }
  if (report.unseenParams.length > 0) {
    lines.push(`Not compared on ${report.provider}: ${report.unseenParams.join(', ')} (the provider never receives them; the transcript cannot show them).`);
  }
  return lines;
}
