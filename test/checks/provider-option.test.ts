/** `--provider` on validate: the scripts are checked against that provider's capability table; unknown names are usage errors. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'callscript-provider-'));
  await writeFile(join(dir, 'long.yaml'), ['steps:', '  bye:', `    hangup: ${'a'.repeat(1001)}`, ''].join('\n'));
  await writeFile(join(dir, 'pause.yaml'), ['steps:', '  bye:', '    hangup: { parts: [{ say: Thank you. }, { pause: 1 }, { say: Goodbye. }] }', ''].join('\n'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate --provider', () => {
  test('the bundled examples pass on hoiio', async () => {
    const run = await runCli('validate', '--provider', 'hoiio', 'examples/');
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/scripts OK/);
    expect(run.code).toBe(0);
  });

  test('an unknown provider is a usage error naming the known ones', async () => {
    const run = await runCli('validate', '--provider', 'nosuch', 'examples/');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("option '--provider <name>' argument 'nosuch' is invalid");
    expect(run.stderr).toContain('hoiio');
  });

  test('hoiio is the default: a 1001-character constant message is refused with its position', async () => {
    const file = join(dir, 'long.yaml');
    const run = await runCli('validate', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${file}:3:13: error: message is 1001 characters as the provider counts them; the \`hoiio\` provider allows at most 1000: shorten it or split it over steps [CS_MESSAGE_TOO_LONG]\n`,
    );
  });

  test('a pause is refused on hoiio', async () => {
    const file = join(dir, 'pause.yaml');
    const run = await runCli('validate', '--provider', 'hoiio', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${file}:3:46: error: a pause of 1s, but the \`hoiio\` provider cannot pause inside a message`);
    expect(run.stdout).toContain('[CS_PROVIDER_UNSUPPORTED]');
  });
});

describe('validate --provider for the TwiML family', () => {
  test.each(['twilio', 'telnyx', 'signalwire'])('the bundled examples pass on %s, and a pause is fine there', async (provider) => {
    const run = await runCli('validate', '--provider', provider, 'examples/', join(dir, 'pause.yaml'));
    expect(run.stdout).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('validate --provider jambonz', () => {
  test('acme, whose welcome is a monitor, is refused at that step; the other examples (recordings included) and a pause pass', async () => {
    const run = await runCli('validate', '--provider', 'jambonz', 'examples/', join(dir, 'pause.yaml'));
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l !== '');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^examples\/acme\.yaml:\d+:\d+: error: .*monitor.*\[CS_PROVIDER_UNSUPPORTED\]$/);
  });
});

describe('serve and dev --provider', () => {
  test.each(['serve', 'dev'])('%s refuses an unknown provider before starting anything', async (command) => {
    const run = await runCli(command, '--provider', 'nosuch', 'examples/');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--provider <name>' argument 'nosuch' is invalid. Allowed choices are hoiio, twilio, telnyx, signalwire, jambonz.");
  });
});
