/** Name and number conflicts across files: the holder keeps what it held. */
import { describe, expect, test } from 'vitest';
import { resolveConflicts, type Candidate } from '../../src/reload/conflicts.js';
import { mustCompile } from '../helpers/compile.js';

const script = (name: string, numbers: string[], label = name) =>
  mustCompile(`name: ${name}\nnumbers: [${numbers.map((n) => `"${n}"`).join(', ')}]\nsteps:\n  a: { hangup: ${label}. }\n`, `${name}.yaml`);

const none = { names: new Map<string, string>(), numbers: new Map<string, string>() };

describe('resolveConflicts', () => {
  test('no holder: the first file in order keeps the number; the other is refused, naming both files', () => {
    const a = script('a', ['+6560000001']);
    const b = script('b', ['+6560000001']);
    const r = resolveConflicts([{ file: 'a.yaml', script: a }, { file: 'b.yaml', script: b }], none);
    expect([...r.serving.keys()]).toEqual(['a.yaml']);
    expect(r.conflicts.get('b.yaml')).toEqual([
      {
        code: 'CS_DUPLICATE_SCRIPT_NUMBER',
        severity: 'error',
        message: 'number "+6560000001" is already routed to script `a` (a.yaml): a number belongs to one script',
        file: 'b.yaml',
        line: 1,
        column: 1,
        path: 'numbers[0]',
      },
    ]);
  });

  test('the holder wins even when it comes later in file order', () => {
    const a = script('a', ['+6560000001']);
    const z = script('z', ['+6560000001']);
    const holders = { names: new Map([['z', 'z.yaml']]), numbers: new Map([['+6560000001', 'z.yaml']]) };
    const r = resolveConflicts([{ file: 'a.yaml', script: a }, { file: 'z.yaml', script: z }], holders);
    expect([...r.serving.keys()]).toEqual(['z.yaml']);
    expect(r.conflicts.get('a.yaml')?.[0]?.message).toContain('(z.yaml)');
  });

  test('a file whose new version loses falls back to its last good version', () => {
    const aOld = script('a', ['+6560000002'], 'old');
    const aNew = script('a', ['+6560000001'], 'new');
    const b = script('b', ['+6560000001']);
    const holders = { names: new Map([['a', 'a.yaml'], ['b', 'b.yaml']]), numbers: new Map([['+6560000002', 'a.yaml'], ['+6560000001', 'b.yaml']]) };
    const r = resolveConflicts([{ file: 'a.yaml', script: aNew, fallback: aOld }, { file: 'b.yaml', script: b, fallback: b }], holders);
    expect(r.serving.get('a.yaml')).toBe(aOld);
    expect(r.serving.get('b.yaml')).toBe(b);
    expect(r.conflicts.get('a.yaml')?.map((d) => d.code)).toEqual(['CS_DUPLICATE_SCRIPT_NUMBER']);
  });

  test('a number moving between files in one reload (e.g. a git checkout) is no conflict', () => {
    const aOld = script('a', ['+6560000001']);
    const aNew = script('a', ['+6560000003']);
    const bOld = script('b', ['+6560000002']);
    const bNew = script('b', ['+6560000001']);
    const holders = { names: new Map([['a', 'a.yaml'], ['b', 'b.yaml']]), numbers: new Map([['+6560000001', 'a.yaml'], ['+6560000002', 'b.yaml']]) };
    const candidates: Candidate[] = [
      { file: 'a.yaml', script: aNew, fallback: aOld },
      { file: 'b.yaml', script: bNew, fallback: bOld },
    ];
    const r = resolveConflicts(candidates, holders);
    expect(r.serving.get('a.yaml')).toBe(aNew);
    expect(r.serving.get('b.yaml')).toBe(bNew);
    expect(r.conflicts.size).toBe(0);
  });

  test('a fallback that takes back what it held pushes out the newcomer that claimed it', () => {
    // a tries to take c's number and is refused; its old version still holds +…01, which b wanted.
    const aOld = script('a', ['+6560000001']);
    const aNew = script('a', ['+6560000003']);
    const b = script('b', ['+6560000001']);
    const c = script('c', ['+6560000003']);
    const holders = {
      names: new Map([['a', 'a.yaml'], ['c', 'c.yaml']]),
      numbers: new Map([['+6560000001', 'a.yaml'], ['+6560000003', 'c.yaml']]),
    };
    const r = resolveConflicts(
      [{ file: 'a.yaml', script: aNew, fallback: aOld }, { file: 'b.yaml', script: b }, { file: 'c.yaml', script: c, fallback: c }],
      holders,
    );
    expect(r.serving.get('a.yaml')).toBe(aOld);
    expect(r.serving.get('c.yaml')).toBe(c);
    expect(r.serving.has('b.yaml')).toBe(false);
    expect(r.conflicts.get('b.yaml')?.[0]?.message).toContain('(a.yaml)');
  });

  test('same name in two files: CS_DUPLICATE_NAME on the newcomer', () => {
    const a = script('main', []);
    const b = script('main', [], 'other');
    const r = resolveConflicts([{ file: 'a.yaml', script: a }, { file: 'b.yaml', script: b }], { names: new Map([['main', 'a.yaml']]), numbers: new Map() });
    expect([...r.serving.keys()]).toEqual(['a.yaml']);
    expect(r.conflicts.get('b.yaml')?.[0]).toMatchObject({ code: 'CS_DUPLICATE_NAME', message: 'script name `main` is already used by a.yaml: give one of them another `name:`' });
  });
});
