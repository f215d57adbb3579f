/**
 * JUnit XML (the de-facto CI test report format: GitLab, Jenkins, GitHub actions
 * reporters read it): one <testsuite> per test file, one <testcase> per case, the
 * readable diff in <failure>; problems in test files or scripts as <error>s.
 */
import { formatDiagnostic } from '../script/diagnostic.js';
import { formatVerdict } from './report-text.js';
import type { TestRunReport } from './run-tests.js';
import { formatTranscript } from './transcript.js';
import { xmlText } from '../util/xml.js';

const xml = xmlText;

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function toJunit(report: TestRunReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const errors = report.diagnostics.length;
  const tests = report.passed + report.failed + report.updated + report.skipped + (errors > 0 ? 1 : 0);
  out.push(`<testsuites name="callscript" tests="${tests}" failures="${report.failed}" errors="${errors > 0 ? 1 : 0}" skipped="${report.skipped}" time="${seconds(report.durationMs)}">`);
  if (errors > 0) {
    out.push(`  <testsuite name="test files and scripts" tests="1" failures="0" errors="1" time="0">`);
    out.push(`    <testcase classname="callscript" name="test files and scripts are valid" time="0">`);
    out.push(`      <error message="${xml(`${errors} problem${errors === 1 ? '' : 's'} in test files or scripts`)}">${xml(report.diagnostics.map(formatDiagnostic).join('\n'))}</error>`);
    out.push('    </testcase>');
    out.push('  </testsuite>');
  }
  for (const file of report.files) {
    const failures = file.cases.filter((c) => c.status === 'failed').length;
    const time = file.cases.reduce((n, c) => n + c.durationMs, 0);
    out.push(`  <testsuite name="${xml(file.file)}" tests="${file.cases.length}" failures="${failures}" errors="0" time="${seconds(time)}">`);
    for (const c of file.cases) {
      const head = `    <testcase classname="${xml(file.script)}" name="${xml(c.name)}" file="${xml(c.file)}" line="${c.line}" time="${seconds(c.durationMs)}"`;
      if (c.status === 'failed' && c.verdict !== undefined) {
        const problems = c.verdict.turns.filter((t) => t.problems.length > 0).length + (c.verdict.outcome !== undefined ? 1 : 0) + c.verdict.vars.length + c.verdict.notes.length;
        out.push(`${head}>`);
        out.push(`      <failure message="${xml(`${problems} difference${problems === 1 ? '' : 's'} from the expectations`)}">${xml(formatVerdict(c.verdict, undefined, '').join('\n'))}</failure>`);
        out.push('    </testcase>');
      } else if (c.status === 'skipped') {
        out.push(`${head}>`);
        out.push(`      <skipped message="${xml(c.reason ?? '')}"/>`);
        out.push('    </testcase>');
      } else {
        out.push(`${head}>`);
        out.push(`      <system-out>${xml(formatTranscript(c.transcript).join('\n'))}</system-out>`);
        out.push('    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
