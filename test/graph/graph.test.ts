/**
 * Flow graphs: the model (nodes in script order, labelled branches, implicit endings) and
 * its renderers, snapshot-tested so any change to the output shows in review.
 */
import { describe, expect, it } from 'vitest';
import { buildFlowGraph, toDot, toMermaid, toSvg } from '../../src/graph/index.js';
import { mustCompile } from '../helpers/compile.js';
import { exampleScripts } from '../helpers/dev-server.js';
import { runCli } from '../testbench/cli.js';

const examples = await exampleScripts();
const byName = (name: string) => {
  const s = examples.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no example ${name}`);
  return s;
};

describe('flow graph model', () => {
  it('acme: steps in script order, every branch labelled', () => {
    const graph = buildFlowGraph(byName('acme'));
    expect(graph.nodes.map((n) => n.id)).toEqual(Object.keys(byName('acme').steps));
    expect(graph.edges.filter((e) => e.from === 'menu').map((e) => `${e.label}→${e.to}`)).toEqual([
      '0→operator',
      '1→sales',
      '2→support',
      '3→account',
      '9→menu',
      'invalid→operator',
      'no_input→goodbye',
    ]);
    expect(graph.edges.find((e) => e.from === 'sales')).toMatchObject({ label: 'on_failure', to: 'voicemail', kind: 'on_failure' });
    expect(graph.nodes.find((n) => n.id === 'menu')).toMatchObject({ kind: 'gather', excerpt: 'For sales press 1. For support press 2. For you…' });
  });

  it('marks the engine\'s implicit endings: invalid input with no goto, a gather with no no_input', () => {
    const script = mustCompile('name: bare\nsteps:\n  ask:\n    gather: "Press 1."\n    branches: { "1": done }\n  done: { hangup: "Bye." }\n');
    const graph = buildFlowGraph(script);
    expect(graph.edges.map((e) => `${e.from} -${e.label}-> ${e.to}`)).toEqual(['ask -1-> done', 'ask -invalid-> end:invalid-input', 'ask -no_input-> end:no-input']);
    expect(graph.nodes.filter((n) => n.implicit !== undefined).map((n) => [n.id, n.excerpt])).toEqual([
      ['end:no-input', 'Sorry, we did not receive your input. Goodbye.'],
      ['end:invalid-input', 'Sorry, that is not a valid choice. Goodbye.'],
    ]);
  });
});

describe('renderers', () => {
  it.each(['acme', 'account', 'reminder'])('%s: mermaid, dot and svg match their snapshots', async (name) => {
    const graph = buildFlowGraph(byName(name));
    await expect(toMermaid(graph)).toMatchFileSnapshot(`__snapshots__/${name}.mmd`);
    await expect(toDot(graph)).toMatchFileSnapshot(`__snapshots__/${name}.dot`);
    await expect(toSvg(graph)).toMatchFileSnapshot(`__snapshots__/${name}.svg`);
  });

  it('is deterministic: the same script renders byte for byte the same', () => {
    const again = examples.map((s) => mustCompile(s.source, `${s.name}.yaml`));
    for (const [i, s] of examples.entries()) {
      const other = again[i];
      if (other === undefined) throw new Error('missing');
      expect(toMermaid(buildFlowGraph(other))).toBe(toMermaid(buildFlowGraph(s)));
      expect(toDot(buildFlowGraph(other))).toBe(toDot(buildFlowGraph(s)));
      expect(toSvg(buildFlowGraph(other))).toBe(toSvg(buildFlowGraph(s)));
    }
  });

  it('escapes what would break the diagram: quotes, angle brackets, a step named like a mermaid keyword', () => {
    const script = mustCompile(
      'name: tricky\nsteps:\n  end:\n    play: "Say \\"hi\\" <b lang=\\"en\\">&</b> #1"\n    next: end-2\n  end-2: { hangup: "Bye." }\n',
    );
    const graph = buildFlowGraph(script);
    const mermaid = toMermaid(graph);
    expect(mermaid).toContain('s_end["end · play<br/>Say #quot;hi#quot; #lt;b lang=#quot;en#quot;#gt;&#lt;/b#gt; #35;1"]');
    expect(mermaid).toContain('s_end -->|"next"| s_end_2');
    expect(toDot(graph)).toContain('"end" [label="end · play\\nSay \\"hi\\" <b lang=\\"en\\">&</b> #1"');
    expect(toSvg(graph)).toContain('Say &quot;hi&quot; &lt;b lang=&quot;en&quot;&gt;&amp;&lt;/b&gt; #1');
  });
});

describe('callscript graph (CLI)', () => {
  it('prints mermaid by default and dot on request; exit 2 for an unknown script', async () => {
    const mermaid = await runCli(['graph', 'acme']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toBe(toMermaid(buildFlowGraph(byName('acme'))));
    const dot = await runCli(['graph', 'examples/reminder.yaml', '--format', 'dot']);
    expect(dot.stdout).toBe(toDot(buildFlowGraph(byName('reminder'))));
    const unknown = await runCli(['graph', 'acmee']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no script named "acmee" in examples/; did you mean "acme"?');
  });
});
