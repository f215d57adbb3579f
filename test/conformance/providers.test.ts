/**
 * One conformance suite: every example's `.test.yaml` runs on each simulated
 * provider through the code `callscript test --provider X` runs (runTests), so
 * the same key presses and transfer outcomes must give the same transcripts,
 * outcomes and variables on Hoiio, Twilio, Telnyx TeXML and SignalWire. What a
 * provider never receives (a TwiML provider sees no tags) is reported as not
 * compared, never silently passed.
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/testbench/report-text.js';
import { runTests } from '../../src/testbench/run-tests.js';

describe.each(['hoiio', 'twilio', 'telnyx', 'signalwire'])('the examples on %s', (provider) => {
  it('pass with the same transcripts', async () => {
    const report = await runTests({ paths: ['examples/'], provider, jobs: 4 });
    expect(report.diagnostics).toEqual([]);
    expect(report.failed, formatReport(report).join('\n')).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(20);
    expect(report.provider).toBe(provider);
    expect(report.unseenParams).toEqual(provider === 'hoiio' ? [] : ['tag', 'attempts', 'on_failure']);
  }, 120_000);
});

describe('the providers with a simulator', () => {
  it('are the ones the CLI lets dev, call and test run on (the CLI lists them without loading any simulator)', async () => {
    const { SIMULATED } = await import('../../src/cli/simulated-provider.js');
    const { SIMULATED_PROVIDER_NAMES } = await import('../../src/dev/simulated-providers.js');
    expect([...SIMULATED]).toEqual(SIMULATED_PROVIDER_NAMES);
  });
});
