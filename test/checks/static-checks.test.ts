/** The static menu checks on fixture files, with exact positions. */
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/script/compile.js';
import type { Diagnostic } from '../../src/script/diagnostic.js';
import { keyMentions } from '../../src/script/checks/index.js';

async function fixture(name: string): Promise<{ ok: boolean; diagnostics: Diagnostic[] }> {
  const file = `test/fixtures/checks/${name}`;
  const result = compile(await readFile(file, 'utf8'), { file });
  return { ok: result.ok, diagnostics: result.ok ? result.warnings : result.diagnostics };
}

const where = (d: Diagnostic): string => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.path}`;

describe('prompt and branches disagree (warnings)', () => {
  test('menu-keys.yaml: every mismatch, positioned on the mention or the branch key', async () => {
    const { ok, diagnostics } = await fixture('menu-keys.yaml');
    expect(ok).toBe(true); // warnings do not stop a script from loading
    expect(diagnostics.map(where)).toEqual([
      // defaults.invalid.message "Press 0" is said at `main`, which has no branch "0"
      '4:37 warning CS_KEY_WITHOUT_BRANCH defaults.invalid.message',
      // "For billing press 3." with no branch "3": on the "3" inside the quoted prompt
      '7:72 warning CS_KEY_WITHOUT_BRANCH steps.main.gather',
      // branch "4" that nothing offers: on its key
      '11:7 warning CS_BRANCH_NOT_OFFERED steps.main.branches["4"]',
      // the invalid message offers 9
      '18:47 warning CS_KEY_WITHOUT_BRANCH steps.sales.invalid.message',
      // a folded (>-) prompt does not map character for character: at the start of the value
      '21:15 warning CS_KEY_WITHOUT_BRANCH steps.support.gather.prompt',
      // a code branch ("1234") need not be offered, a single key ("5") must
      '32:34 warning CS_BRANCH_NOT_OFFERED steps.operator.branches["5"]',
    ]);
    const [, billing, secret] = diagnostics;
    expect(billing?.message).toBe(
      'the prompt of gather `main` says "3" but `branches` has no "3": callers who press it get the invalid-input handling; ' +
        'add `"3": <step>` to branches or reword the prompt (branches: "1", "2", "4")',
    );
    expect(secret?.message).toBe(
      'branch "4" of gather `main` is not offered by its prompt or invalid message (no "press 4"): callers cannot know about it; mention it, or remove the branch',
    );
  });

  test('spelt-out keys, "star", lists and "N for/to" continuations count as offers', async () => {
    // `sales` says "Press one ..., 2 for returns, or star to go back": branches 1, 2 and * are all offered.
    const { diagnostics } = await fixture('menu-keys.yaml');
    expect(diagnostics.filter((d) => d.path.startsWith('steps.sales.branches'))).toEqual([]);
  });

  test('a dynamic prompt that offers nothing literally, a gather without branches, and "press hash" are not checked', async () => {
    const { diagnostics } = await fixture('menu-keys.yaml');
    expect(diagnostics.filter((d) => /steps\.(secret|collect)\b/.test(d.path))).toEqual([]);
    expect(diagnostics.some((d) => d.message.includes('"#"'))).toBe(false);
  });

  test('inside a literal block (|), the warning points at the mention itself', () => {
    const source = ['steps:', '  menu:', '    gather:', '      prompt: |', '        Welcome.', '        For help press 8.', '    branches: { "1": bye }', '  bye: { hangup: Bye. }', ''].join('\n');
    const result = compile(source, { file: 'block.yaml' });
    expect(result.ok && result.warnings.map(where)).toEqual([
      '6:24 warning CS_KEY_WITHOUT_BRANCH steps.menu.gather.prompt',
      '7:17 warning CS_BRANCH_NOT_OFFERED steps.menu.branches["1"]',
    ]);
  });

  test('the bundled examples have no mismatches', async () => {
    for (const name of ['acme', 'account', 'reminder']) {
      const file = `examples/${name}.yaml`;
      const result = compile(await readFile(file, 'utf8'), { file });
      expect(result.ok && result.warnings, file).toEqual([]);
    }
  });
});

describe('loops without caller input (errors)', () => {
  test('loops.yaml: one error per loop, on the reference leaving its first step, naming the loop', async () => {
    const { ok, diagnostics } = await fixture('loops.yaml');
    expect(ok).toBe(false);
    expect(diagnostics.map(where)).toEqual([
      '10:11 error CS_LOOP_WITHOUT_INPUT steps.news.next',
      '17:15 error CS_LOOP_WITHOUT_INPUT steps.queue.no_input',
      '23:17 error CS_LOOP_WITHOUT_INPUT steps.line.on_failure',
    ]);
    expect(diagnostics.map((d) => d.message.split(' can repeat')[0])).toEqual([
      'steps `news` → `more_news` → `news`',
      'steps `queue` → `hold_music` → `queue`',
      'step `line` → `line`',
    ]);
    expect(diagnostics[1]?.message).toContain('(gather `no_input`, play `next`)');
    // `again` → `again_notice` → `again` needs a key press every time round: not reported.
    expect(diagnostics.some((d) => d.message.includes('again'))).toBe(false);
  });

  test('a loop is reported from its first step in file order, whichever step the walk enters it by', () => {
    const source = ['steps:', '  entry:', '    play: In.', '    next: b', '  a:', '    monitor: {}', '    next: b', '  b:', '    record: Say it.', '    next: a', ''].join('\n');
    const result = compile(source, { file: 'x.yaml' });
    expect(!result.ok && result.diagnostics.map(where)).toEqual(['7:11 error CS_LOOP_WITHOUT_INPUT steps.a.next']);
    expect(!result.ok && result.diagnostics[0]?.message).toMatch(/^steps `a` → `b` → `a` can repeat forever without any caller input \(monitor `next`, record `next`\)/);
  });
});

describe('keyMentions', () => {
  test.each([
    ['For sales press 1. For support press 2.', ['1', '2']],
    ['Press 1 for sales, 2 for support, or 3 for billing.', ['1', '2', '3']],
    ['press 1 to confirm or 2 to reschedule', ['1', '2']],
    ['Please press 1, 2 or 9.', ['1', '2', '9']],
    ['Dial 0 for the operator. Enter 42 to skip.', ['0', '42']],
    ['Press one, or press star to go back.', ['1', '*']],
    ['Enter your 8 digit account number, then press hash.', ['#']],
    ['Please enter 8 digits.', []],
    ['press {{key}} now', []],
    ['Depress the 1 lever. 2 for nothing.', []],
  ])('%s', (text, keys) => {
    expect(keyMentions(text).map((m) => m.key)).toEqual(keys);
  });
});
