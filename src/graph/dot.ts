/** Graphviz DOT of a script (`dot -Tsvg`). Deterministic, like the mermaid output. */
import { nodeTitle, type FlowGraph, type FlowNode } from './model.js';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function attributes(node: FlowNode): string {
  const text = node.excerpt === '' ? nodeTitle(node) : `${nodeTitle(node)}\n${node.excerpt}`;
  const shape = {
    play: 'box',
    gather: 'hexagon',
    record: 'box',
    monitor: 'box',
    transfer: 'parallelogram',
    hangup: 'box',
    end: 'box',
    set: 'box',
    switch: 'diamond',
    http: 'cylinder',
    hours: 'diamond',
    call: 'component',
    return: 'box',
  }[node.kind];
  const style = node.kind === 'hangup' || node.kind === 'return' ? 'rounded' : node.kind === 'end' ? 'rounded,dashed' : node.start ? 'bold' : 'solid';
  return `label=${quote(text)}, shape=${shape}, style=${quote(style)}`;
}

export function toDot(graph: FlowGraph): string {
  const lines = [
    `digraph ${quote(graph.script)} {`,
    '  rankdir=TB;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
    '  "start:" [shape=circle, label="", width=0.2, style=filled, fillcolor=black];',
    `  "start:" -> ${quote(graph.start)};`,
  ];
  for (const node of graph.nodes) lines.push(`  ${quote(node.id)} [${attributes(node)}];`);
  for (const edge of graph.edges) {
    const style = edge.to.startsWith('end:') ? ', style=dashed' : '';
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(edge.label)}${style}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
