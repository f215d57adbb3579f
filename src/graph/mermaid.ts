/**
 * Mermaid flowchart of a script (GitHub and most wikis render it). Deterministic: same
 * script, same text, so a committed diagram changes only where the flow did.
 */
import { nodeTitle, type FlowGraph, type FlowNode } from './model.js';

/** Mermaid ids: `s_` + the step id with characters mermaid trips on replaced; stays unique. */
function idMap(graph: FlowGraph): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const node of graph.nodes) {
    const base = node.implicit !== undefined ? `end_${node.implicit.replace(/-/g, '_')}` : `s_${node.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(node.id, id);
  }
  return ids;
}

/** Text inside a quoted mermaid label: quotes and angle brackets as mermaid entities. */
function label(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function shape(node: FlowNode, text: string): string {
  switch (node.kind) {
    case 'gather':
      return `{{"${text}"}}`;
    case 'transfer':
      return `[/"${text}"/]`;
    case 'hangup':
    case 'return':
    case 'end':
      return `(["${text}"])`;
    case 'switch':
    case 'hours':
      return `{"${text}"}`;
    case 'http':
      return `[("${text}")]`;
    case 'call':
      return `[["${text}"]]`;
    default:
      return `["${text}"]`;
  }
}

export function toMermaid(graph: FlowGraph): string {
  const ids = idMap(graph);
  const lines = ['flowchart TD', `  %% callscript flow of script ${graph.script}`, '  start_(( )) --> ' + (ids.get(graph.start) ?? 's_start')];
  for (const node of graph.nodes) {
    const text = node.excerpt === '' ? label(nodeTitle(node)) : `${label(nodeTitle(node))}<br/>${label(node.excerpt)}`;
    lines.push(`  ${ids.get(node.id) ?? ''}${shape(node, text)}`);
  }
  for (const edge of graph.edges) {
    lines.push(`  ${ids.get(edge.from) ?? ''} -->|"${label(edge.label)}"| ${ids.get(edge.to) ?? ''}`);
  }
  const implicit = graph.nodes.filter((n) => n.implicit !== undefined).map((n) => ids.get(n.id) ?? '');
  lines.push('  classDef implicit stroke-dasharray: 5 5,color:#555');
  if (implicit.length > 0) lines.push(`  class ${implicit.join(',')} implicit`);
  return `${lines.join('\n')}\n`;
}
