/**
 * `callscript test`: passing and failing fixtures run through the real engine and the
 * simulator; the diff says what differs; exit codes; JUnit; coverage and --min-coverage.
 */
import { describe, expect, it } from 'vitest';
import { formatCoverage, formatReport } from '../../src/testbench/report-text.js';
import { runTests, type TestRunReport } from '../../src/testbench/run-tests.js';
import { captureLogger } from '../helpers/dev-server.js';
import { runCli } from './cli.js';

const FIXTURES = 'test/testbench/fixtures';

function caseNamed(report: TestRunReport, name: string) {
  const found = report.files.flatMap((f) => f.cases).find((c) => c.name === name);
  if (found === undefined) throw new Error(`no case ${name}`);
  return found;
}

describe('runTests', () => {
  it('passes a correct test file and reports coverage with what no test reaches', async () => {
    const report = await runTests({ paths: [`${FIXTURES}/passing`] });
    expect(report.diagnostics).toEqual([]);
    expect(report.files.map((f) => f.cases.map((c) => [c.name, c.status]))).toEqual([
      [
        ['news', 'passed'],
        ['weather busy falls back to news', 'passed'],
      ],
    ]);
    const coverage = report.coverage;
    expect(coverage?.percent).toBe(80);
    const menu = coverage?.scripts.find((s) => s.script === 'menu');
    expect(menu?.branches.filter((b) => !b.covered).map((b) => b.edge.id)).toEqual(['choose|invalid', 'choose|no_input']);
    expect(formatCoverage(coverage ?? { scripts: [], covered: 0, total: 0, percent: 0 }).join('\n')).toContain(
      'menu: branch choose --no_input--> end:no-input',
    );
  });

  it('fails wrong expectations with a readable diff: a wrong message, a call that went on, one that ended early, outcome and vars', async () => {
    const report = await runTests({ paths: [`${FIXTURES}/failing`] });
    expect(report.passed).toBe(1);
    expect(report.failed).toBe(4);
    const text = formatReport(report).join('\n');

    expect(caseNamed(report, 'wrong greeting').verdict?.turns[0]?.problems).toEqual(['message: expected "Hello from Paris.", got "Hello from Singapore."']);
    expect(text).toContain(['      1 - play "Hello from Paris."', '        + ▶ play "Hello from Singapore."'].join('\n'));

    // Fewer expectations than blocks: the call did something unexpected.
    const short = caseNamed(report, 'stops short').verdict;
    expect(short?.turns.at(-1)).toMatchObject({ index: 2, actual: { block: 'hangup', message: 'No news today.' } });
    expect(text).toContain(['      3 + ■ hangup "No news today."', '          · not expected: the call went on after the last expected block'].join('\n'));

    expect(caseNamed(report, 'expects too much').verdict?.turns.at(-1)?.problems).toEqual(['expected, but the call had ended']);
    expect(text).toContain('      4 - play "Bonus."');

    const wrong = caseNamed(report, 'wrong outcome and vars').verdict;
    expect(wrong?.outcome).toEqual({ name: 'outcome', expected: 'completed', actual: 'transferred' });
    expect(wrong?.vars).toEqual([{ name: 'vars.choice', expected: '"1"', actual: '"2"' }]);
    expect(text).toContain(['      outcome:', '        - completed', '        + transferred'].join('\n'));
  });

  it('reports problems in test files instead of running them', async () => {
    const report = await runTests({ paths: [`${FIXTURES}/invalid`] });
    expect(report.files).toEqual([]);
    expect(new Set(report.diagnostics.map((d) => d.code))).toEqual(
      new Set(['CS_NOT_A_STRING', 'CS_UNKNOWN_KEY', 'CS_VALUE', 'CS_TEST_VARS_INBOUND', 'CS_TEST_UNKNOWN_VAR', 'CS_TEST_NO_ACTION', 'CS_TEST_ACTION', 'CS_TEST_REGEX', 'CS_TEST_BLOCK', 'CS_TEST_DUPLICATE_CASE', 'CS_TEST_ACTIONS_TWICE', 'CS_TEST_UNKNOWN_SCRIPT']),
    );
  });

  it('the bundled examples pass and reach every step and branch', async () => {
    const report = await runTests({ paths: ['examples/'] });
    expect(report.diagnostics).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(15);
    expect(report.coverage?.scripts.map((s) => [s.script, s.percent])).toEqual([
      ['account', 100],
      ['acme', 100],
      ['billing-menu', 100],
      ['reminder', 100],
      ['support', 100],
    ]);
  });
});

describe('cases run in parallel', () => {
  it('--jobs n keeps up to n calls in progress at once (1 runs them one by one)', async () => {
    const inProgress = async (jobs: number): Promise<number> => {
      const logs = captureLogger();
      const report = await runTests({ paths: [`${FIXTURES}/failing`], jobs, log: logs.log });
      expect(report.passed + report.failed).toBe(5);
      let now = 0;
      let most = 0;
      for (const line of logs.lines()) {
        if (line.msg === 'call.started') now++;
        if (line.msg === 'call.ended') now--;
        most = Math.max(most, now);
      }
      return most;
    };
    const parallel = await inProgress(4);
    expect(parallel).toBeGreaterThan(1);
    expect(parallel).toBeLessThanOrEqual(4);
    expect(await inProgress(1)).toBe(1);
  });
});

describe('callscript test (CLI)', () => {
  it('exit 0 with ✓ per case; --format junit gives JUnit XML', async () => {
    const text = await runCli(['test', `${FIXTURES}/passing`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/✓ news \(test\/testbench\/fixtures\/passing\/menu\.test\.yaml:4, \d+(?:\.\d)? m?s\)/);
    expect(text.stdout).toContain('2 passed (1 test file');

    const junit = await runCli(['test', `${FIXTURES}/failing`, '--format', 'junit']);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="callscript" tests="5" failures="4" errors="0"/);
    expect(junit.stdout).toContain('<testsuite name="test/testbench/fixtures/failing/menu.test.yaml" tests="5" failures="4"');
    expect(junit.stdout).toMatch(/<testcase classname="menu" name="wrong greeting" file="test\/testbench\/fixtures\/failing\/menu.test.yaml" line="3" time="[\d.]+">\n {6}<failure message="1 difference from the expectations">/);
    expect(junit.stdout).toContain('message: expected &quot;Hello from Paris.&quot;, got &quot;Hello from Singapore.&quot;');
    expect(junit.stderr).toContain('1 passed, 4 failed');
  });

  it('a failing case: ✗ with a readable diff of expected and actual, a summary, exit 1', async () => {
    const r = await runCli(['test', `${FIXTURES}/failing`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}✗ wrong greeting \(test\/testbench\/fixtures\/failing\/menu\.test\.yaml:3, \d+(?:\.\d)? m?s\)$/m);
    expect(r.stdout).toContain(
      [
        '      1 - play "Hello from Paris."',
        '        + ▶ play "Hello from Singapore."',
        '          · message: expected "Hello from Paris.", got "Hello from Singapore."',
      ].join('\n'),
    );
    expect(r.stdout).toMatch(/^ {2}✓ passes anyway /m);
    expect(r.stdout).toMatch(/^1 passed, 4 failed \(1 test file, \d+(?:\.\d)? m?s\)$/m);
  });

  it('--coverage prints steps and branches per script and what no test reaches', async () => {
    const r = await runCli(['test', `${FIXTURES}/passing`, '--coverage']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        'Coverage (steps and branches reached by the tests)',
        '  menu    4/4 steps     4/6 branches     80.0%',
        '  total   8/10 steps and branches  80.0%',
        '',
        'Not reached by any test:',
        '  menu: branch choose --invalid--> end:invalid-input',
        '  menu: branch choose --no_input--> end:no-input',
      ].join('\n'),
    );
  });

  it('exit 1 on an invalid test file, printing file:line:col diagnostics', async () => {
    const r = await runCli(['test', `${FIXTURES}/invalid`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'test/testbench/fixtures/invalid/unknown.test.yaml:1:9: error: no script named `menuu` among the scripts loaded; did you mean `menu`? [CS_TEST_UNKNOWN_SCRIPT]',
    );
  });

  it('--min-coverage fails below the threshold and passes at it', async () => {
    const low = await runCli(['test', `${FIXTURES}/passing`, '--min-coverage', '90']);
    expect(low.code).toBe(1);
    expect(low.stdout).toContain('Not reached by any test:');
    expect(low.stderr).toContain('coverage 80.0% is below --min-coverage 90%');
    const ok = await runCli(['test', `${FIXTURES}/passing`, '--min-coverage', '80']);
    expect(ok.code).toBe(0);
  });

  it('exit 2 on a usage error', async () => {
    const r = await runCli(['test', '--min-coverage', '140']);
    expect(r.code).toBe(2);
  });
});
