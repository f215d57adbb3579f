/**
 * Which `vars` defaults a script run with `call:` sees: its callers' over its
 * own (the outermost script's first), so a menu reused by several lines speaks
 * for whichever line called it; its own default is the fallback for names no
 * caller declares. Values set during the call are above every default and are
 * shared both ways; a called script's defaults do not leak back to its caller.
 */
import { describe, expect, it } from 'vitest';
import { startInbound, startOutbound, step, type ScriptResolver } from '../../src/engine/interpreter.js';
import type { Transition } from '../../src/engine/transition.js';
import type { Script } from '../../src/script/model.js';
import { mustCompile } from '../helpers/compile.js';
import { readable } from '../helpers/readable-blocks.js';

const CALL = { id: 'c1', token: 't', session: 'S1', providerRef: 'T1', from: '+6591234567', to: '+6560000001' };

function resolverOf(...scripts: Script[]): ScriptResolver {
  return {
    current: (name) => scripts.find((s) => s.name === name),
    pinned: (name, version) => scripts.find((s) => s.name === name && s.version === version),
  };
}

/** A caller that says `who` before and after calling `menu`. */
function caller(vars: string): Script {
  return mustCompile(
    `name: line
numbers: ["+6560000001"]
${vars}
steps:
  hello:
    play: "Line says who=[{{who}}]."
    next: menu
  menu:
    call: menu
    next: after
  after:
    hangup: "Back, who=[{{who}}]."
  other:
    set: { who: set-by-line }
    next: menu
`,
    'line.yaml',
  );
}

/** A called menu that reads `who`, may change it (press 1), and returns. */
function menu(vars: string): Script {
  return mustCompile(
    `name: menu
${vars}
steps:
  ask:
    gather: { prompt: "Menu says who=[{{who}}]. Press 1 to change.", max_digits: 1 }
    branches: { "1": change }
    invalid: back
    no_input: back
  change:
    set: { who: set-by-menu }
    next: back
  back:
    return:
`,
    'menu.yaml',
  );
}

/** The messages and prompts a transition sends, as the caller hears them. */
function said(t: Transition): string[] {
  return t.actions.flatMap((a) => {
    if (a.type !== 'send') return [];
    const block = readable(a.block);
    return ['message' in block ? (block.message ?? '') : 'prompt' in block ? (block.prompt ?? '') : ''];
  });
}

/** What the caller hears, pressing `keys` at the menu. */
function heard(line: Script, called: Script, keys: string): string[] {
  const options = { now: 1, scripts: resolverOf(line, called) };
  const started = startInbound(line, CALL, options);
  const played = step(line, started.state, { type: 'block.done', seq: started.state.seq }, options);
  const answered = step(line, played.state, { type: 'block.done', seq: played.state.seq, digits: keys }, options);
  return [started, played, answered].flatMap(said);
}

describe('defaults a called script sees', () => {
  it('a default in the caller only: the called script sees it, as its caller does', () => {
    expect(heard(caller('vars: { who: Ann }'), menu(''), '')).toEqual([
      'Line says who=[Ann].',
      'Menu says who=[Ann]. Press 1 to change.',
      'Back, who=[Ann].',
    ]);
  });

  it('a default in the called script only: its own, which stays its own after it returns', () => {
    expect(heard(caller(''), menu('vars: { who: nobody }'), '')).toEqual([
      'Line says who=[].',
      'Menu says who=[nobody]. Press 1 to change.',
      'Back, who=[].',
    ]);
  });

  it('a default in both: the caller\'s (a menu reused by several lines speaks for the line that called it)', () => {
    expect(heard(caller('vars: { who: Ann }'), menu('vars: { who: nobody }'), '')).toEqual([
      'Line says who=[Ann].',
      'Menu says who=[Ann]. Press 1 to change.',
      'Back, who=[Ann].',
    ]);
  });

  it('a value set during the call is above every default, both ways', () => {
    expect(heard(caller('vars: { who: Ann }'), menu('vars: { who: nobody }'), '1')).toEqual([
      'Line says who=[Ann].',
      'Menu says who=[Ann]. Press 1 to change.',
      'Back, who=[set-by-menu].',
    ]);
    // An outbound request's vars are values of the call, not defaults: the called script sees them too.
    const line = caller('vars: { who: Ann }');
    const called = menu('vars: { who: nobody }');
    const options = { now: 1, scripts: resolverOf(line, called) };
    const t = startOutbound(line, { id: 'o1', token: 't', to: '+6591234567', vars: { who: 'Bob' } }, options);
    const played = step(line, t.state, { type: 'block.done', seq: t.state.seq, status: 'answered' }, options);
    const atMenu = step(line, played.state, { type: 'block.done', seq: played.state.seq }, options);
    expect([...said(played), ...said(atMenu)]).toEqual(['Line says who=[Bob].', 'Menu says who=[Bob]. Press 1 to change.']);
  });

  it('through nested calls, the outermost script that declares a name gives its default', () => {
    const leaf = mustCompile('name: leaf\nvars: { company: Leaf, unit: Leaf }\nsteps:\n  say:\n    hangup: "{{company}} / {{unit}}"\n', 'leaf.yaml');
    const mid = mustCompile('name: mid\nvars: { company: Mid, unit: Mid }\nsteps:\n  go:\n    call: leaf\n    next: end\n  end:\n    return:\n', 'mid.yaml');
    const root = mustCompile('name: root\nvars: { company: Root }\nsteps:\n  go:\n    call: mid\n    next: end\n  end:\n    hangup: Bye.\n', 'root.yaml');
    const t = startInbound(root, CALL, { now: 1, scripts: resolverOf(root, mid, leaf) });
    expect(said(t)).toEqual(['Root / Mid']);
  });
});
