/**
 * One conformance suite: every example's `.test.yaml` runs on each simulated
 * provider through the code `callscript test --provider X` runs (runTests), so
 * the same key presses and transfer outcomes must give the same transcripts,
 * outcomes and variables on Hoiio, Twilio, Telnyx TeXML, SignalWire and
 * jambonz. What a provider never receives (a TwiML provider or jambonz sees no
 * tags) is reported as not compared, and a script that needs what a provider's
 * capability table lacks (acme's monitor on jambonz) has its cases skipped
 * with the reason, never silently passed.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, formatSummary } from '../../src/testbench/report-text.js';
import { runTests } from '../../src/testbench/run-tests.js';

describe.each(['hoiio', 'twilio', 'telnyx', 'signalwire', 'jambonz'])('the examples on %s', (provider) => {
  it('pass with the same transcripts', async () => {
    const report = await runTests({ paths: ['examples/'], provider, jobs: 4 });
    expect(report.diagnostics).toEqual([]);
    expect(report.failed, formatReport(report).join('\n')).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(20);
    expect(report.provider).toBe(provider);
    expect(report.unseenParams).toEqual(provider === 'hoiio' ? [] : ['tag', 'attempts', 'on_failure']);
    const skipped = report.files.filter((f) => f.cases.some((c) => c.status === 'skipped'));
    if (provider !== 'jambonz') {
      expect(report.skipped).toBe(0);
      return;
    }
    // jambonz's table has no monitor (config.record is SIPREC): acme's greeting monitors, so its cases are skipped, saying why; every other example runs.
    expect(skipped.map((f) => f.script)).toEqual(['acme']);
    expect(report.skipped).toBe(skipped[0]?.cases.length);
    for (const c of skipped[0]?.cases ?? []) {
      expect(c.status).toBe('skipped');
      expect(c.reason).toMatch(/^jambonz cannot run it: step `welcome` records the rest of the call.* \[CS_PROVIDER_UNSUPPORTED\] \(examples\/acme\.yaml:\d+:\d+\)$/);
    }
  }, 120_000);
});

describe('the providers with a simulator', () => {
  it('are the ones the CLI lets dev, call and test run on (the CLI lists them without loading any simulator)', async () => {
    const { SIMULATED } = await import('../../src/cli/simulated-provider.js');
    const { SIMULATED_PROVIDER_NAMES } = await import('../../src/dev/simulated-providers.js');
    expect([...SIMULATED]).toEqual(SIMULATED_PROVIDER_NAMES);
  });
});

describe('a script a provider cannot run', () => {
  it('has its cases skipped there with the reason validate --provider gives, and run where it can', async () => {
    const onTwilio = await runTests({ paths: ['test/testbench/fixtures/thai'], provider: 'twilio' });
    expect(onTwilio.diagnostics).toEqual([]);
    expect([onTwilio.passed, onTwilio.failed, onTwilio.skipped]).toEqual([0, 0, 1]);
    const [skipped] = onTwilio.files[0]?.cases ?? [];
    expect(skipped?.reason).toMatch(/^twilio cannot run it: .*th-TH.* \[CS_PROVIDER_UNSUPPORTED\] \(test\/testbench\/fixtures\/thai\/thai\.yaml:\d+:\d+\)$/);
    expect(formatReport(onTwilio).join('\n')).toContain('– the caller is greeted and the script hangs up');
    expect(formatSummary(onTwilio)).toMatch(/^1 skipped on twilio/);
    const onHoiio = await runTests({ paths: ['test/testbench/fixtures/thai'], provider: 'hoiio' });
    expect([onHoiio.passed, onHoiio.failed, onHoiio.skipped]).toEqual([1, 0, 0]);
  }, 60_000);
});
