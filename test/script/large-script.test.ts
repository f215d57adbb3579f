import { expect, test } from 'vitest';
import { generateLargeScript as generate } from '../../bench/lib/generate.js';
import { compile } from '../../src/script/compile.js';

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
