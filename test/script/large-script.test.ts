import { expect, test } from 'vitest';
import { compile } from '../../src/script/compile.js';

/** A generated script: chains of menus, collectors, records and transfers, all reachable. */
function generate(steps: number): string {
  const lines = ['name: large', 'vars: { company: Acme }', 'defaults:', '  gather: { timeout: 5 }', 'steps:'];
  for (let i = 0; i < steps; i++) {
    const next = i + 1 < steps ? `s${i + 1}` : 'end';
    switch (i % 5) {
      case 0:
        lines.push(`  s${i}:`, `    play: "Step ${i} for {{company}}."`, `    next: ${next}`);
        break;
      case 1:
        lines.push(
          `  s${i}:`,
          `    gather: { prompt: "Step ${i}: press 1 to continue, 2 to go back. {{call.from}}", max_digits: 1 }`,
          `    branches: { "1": ${next}, "2": s${i - 1} }`,
          `    invalid: { message: "Sorry.", retries: 1, goto: end }`,
          `    no_input: end`,
        );
        break;
      case 2:
        lines.push(`  s${i}:`, `    gather: Enter digits.`, `    save_as: v${i}`, `    next: ${next}`);
        break;
      case 3:
        lines.push(`  s${i}:`, `    record: { prompt: "You entered {{spell v${i - 1}}}.", max_duration: 30 }`, `    next: ${next}`);
        break;
      default:
        lines.push(`  s${i}:`, `    transfer: { to: "+6562223333", message: "Connecting." }`, `    on_failure: ${next}`);
    }
  }
  lines.push('  end:', '    hangup: Goodbye.');
  return `${lines.join('\n')}\n`;
}

/** Every template text is distinct, so the template memo does not flatter the first compile. */
test('a generated 1,000-step script compiles', () => {
  const source = generate(1000);
  const timed = (label: string, text: string): ReturnType<typeof compile> => {
    const started = performance.now();
    const result = compile(text, { file: 'large.yaml' });
    console.log(`${label}: ${(performance.now() - started).toFixed(1)} ms for ${text.length} bytes`);
    return result;
  };
  const first = timed('1,000 steps, first compile in this process', source);
  // What the dev server does on save: the same script with one step edited.
  const edited = timed('1,000 steps, recompile after an edit', source.replace('Step 0 for', 'Step zero for'));
  for (const result of [first, edited]) {
    expect(result.ok && result.warnings).toEqual([]);
    expect(result.ok && Object.keys(result.script.steps)).toHaveLength(1001);
  }
});
