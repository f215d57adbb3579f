/** `--update`: golden transcripts written into cases without `expect:`, keeping the file's comments and formatting. */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTests } from '../../src/testbench/run-tests.js';
import { writeGolden } from '../../src/testbench/update.js';
import { runCli } from './cli.js';

const BEFORE = `# Tests of the menu (a comment at the top stays)
script: menu
cases:
  # news is the first choice
  - name: news
    caller: { from: "+6591111111" }   # a trailing comment stays too
    expect:
      - play: "Hello from Singapore."
      - gather: { contains: "Press 1" }
        press: "1"
      - hangup: "No news today."

  - name: weather, busy
    actions: ["2", busy]

  - name: caller hangs up at the menu
    caller:
      from: "+6592222222"
`;

const WRITTEN_WEATHER = `  - name: weather, busy
    actions: ["2", busy]
    expect:
      - play: "Hello from Singapore."
      - gather:
          message: "Press 1 for news, 2 for weather."
          max_digits: 1
          timeout: 5
      - transfer:
          message: "Connecting."
          to: "+6560002000"
          on_failure: continue
      - hangup: "No news today."
    outcome: completed
`;

const WRITTEN_HANGUP = `  - name: caller hangs up at the menu
    caller:
      from: "+6592222222"
    expect:
      - play: "Hello from Singapore."
      - gather:
          message: "Press 1 for news, 2 for weather."
          max_digits: 1
          timeout: 5
        hangup: true
    outcome: caller-hangup
`;

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function workspace(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'callscript-update-'));
  await copyFile('test/testbench/fixtures/passing/menu.yaml', join(dir, 'menu.yaml'));
  await writeFile(join(dir, 'menu.test.yaml'), BEFORE);
  return dir;
}

describe('--update', () => {
  it('writes the transcripts of cases without expectations, leaving every other line as it was; the file then passes', async () => {
    const at = await workspace();
    const first = await runTests({ paths: [at], update: true });
    expect(first.files[0]?.cases.map((c) => [c.name, c.status])).toEqual([
      ['news', 'passed'],
      ['weather, busy', 'updated'],
      ['caller hangs up at the menu', 'updated'],
    ]);
    const after = await readFile(join(at, 'menu.test.yaml'), 'utf8');
    expect(after).toBe(
      BEFORE.replace('  - name: weather, busy\n    actions: ["2", busy]\n', WRITTEN_WEATHER).replace(
        '  - name: caller hangs up at the menu\n    caller:\n      from: "+6592222222"\n',
        WRITTEN_HANGUP,
      ),
    );
    const second = await runTests({ paths: [at] });
    expect([second.passed, second.failed, second.updated]).toEqual([3, 0, 0]);
  });

  it('without --update, a case with no expectations fails and says how to record them', async () => {
    const at = await workspace();
    const report = await runTests({ paths: [at] });
    const weather = report.files[0]?.cases.find((c) => c.name === 'weather, busy');
    expect(weather?.status).toBe('failed');
    expect(weather?.verdict?.notes).toEqual(["no expectations yet: run `callscript test --update` to write this call's transcript into the case"]);
    expect(await readFile(join(at, 'menu.test.yaml'), 'utf8')).toBe(BEFORE);
  });

  it('the CLI flag writes the file', async () => {
    const at = await workspace();
    const r = await runCli(['test', at, '--update']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✎ weather, busy');
    expect(r.stdout).toContain('1 passed, 2 updated');
    expect(await readFile(join(at, 'menu.test.yaml'), 'utf8')).toContain(WRITTEN_HANGUP);
  });

  it('a case written in flow style is updated through the YAML document, comments kept', () => {
    const source = '# top\nscript: menu\ncases:\n  - { name: x, actions: ["1"] } # flow\n';
    const out = writeGolden(source, [
      { index: 0, transcript: { turns: [{ block: 'hangup', message: 'Bye.', params: {} }] }, outcome: 'completed', hasActions: true, hasOutcome: false },
    ]);
    expect(out).toContain('# top');
    expect(out).toContain('# flow');
    expect(out).toContain('expect: [ { hangup: "Bye." } ], outcome: completed }');
  });
});
