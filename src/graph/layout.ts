/**
 * A small deterministic layered layout (no dependency, no randomness): layers by
 * breadth-first depth from the start step, order within a layer by discovery, then a
 * few barycenter sweeps to untangle edges, ties kept in discovery order.
 */
import type { FlowGraph } from './model.js';

export interface NodeBox {
  readonly id: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutOptions {
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly gapX: number;
  readonly gapY: number;
  readonly margin: number;
}

export interface Layout {
  readonly boxes: ReadonlyMap<string, NodeBox>;
  readonly width: number;
  readonly height: number;
  readonly options: LayoutOptions;
}

export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 200, nodeHeight: 50, gapX: 28, gapY: 64, margin: 24 };

function layers(graph: FlowGraph): string[][] {
  const out = new Map<number, string[]>();
  const depth = new Map<string, number>();
  const queue: string[] = [graph.start];
  depth.set(graph.start, 0);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const d = depth.get(id) ?? 0;
    for (const edge of graph.edges) {
      if (edge.from !== id || depth.has(edge.to)) continue;
      depth.set(edge.to, d + 1);
      queue.push(edge.to);
    }
  }
  // Steps nothing reaches go below everything else, in script order.
  const below = Math.max(0, ...depth.values()) + 1;
  for (const node of graph.nodes) if (!depth.has(node.id)) depth.set(node.id, below);
  // Discovery order within a layer: BFS order, which follows script and edge order.
  const order = [...depth.entries()];
  for (const [id, d] of order) {
    const layer = out.get(d) ?? [];
    layer.push(id);
    out.set(d, layer);
  }
  return [...out.keys()].sort((a, b) => a - b).map((d) => out.get(d) ?? []);
}

function sweep(rows: string[][], graph: FlowGraph): void {
  const position = new Map<string, number>();
  const index = (): void => rows.forEach((row) => row.forEach((id, i) => position.set(id, i)));
  index();
  for (let pass = 0; pass < 4; pass++) {
    for (let r = 1; r < rows.length; r++) {
      const row = rows[r] ?? [];
      const upper = new Set(rows[r - 1] ?? []);
      const centre = new Map<string, number>();
      row.forEach((id, i) => {
        const parents = graph.edges.filter((e) => e.to === id && upper.has(e.from)).map((e) => position.get(e.from) ?? 0);
        centre.set(id, parents.length > 0 ? parents.reduce((a, b) => a + b, 0) / parents.length : i);
      });
      const original = new Map(row.map((id, i) => [id, i]));
      row.sort((a, b) => (centre.get(a) ?? 0) - (centre.get(b) ?? 0) || (original.get(a) ?? 0) - (original.get(b) ?? 0));
      index();
    }
  }
}

export function layoutGraph(graph: FlowGraph, options: LayoutOptions = DEFAULT_LAYOUT): Layout {
  const rows = layers(graph);
  sweep(rows, graph);
  const { nodeWidth, nodeHeight, gapX, gapY, margin } = options;
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const contentWidth = widest * nodeWidth + (widest - 1) * gapX;
  // Room on the right for edges that go back up or along a layer.
  const width = contentWidth + 2 * margin + 60;
  const boxes = new Map<string, NodeBox>();
  rows.forEach((row, layer) => {
    const rowWidth = row.length * nodeWidth + (row.length - 1) * gapX;
    const left = margin + (contentWidth - rowWidth) / 2;
    row.forEach((id, i) => {
      boxes.set(id, { id, layer, x: left + i * (nodeWidth + gapX), y: margin + layer * (nodeHeight + gapY), width: nodeWidth, height: nodeHeight });
    });
  });
  const height = 2 * margin + rows.length * nodeHeight + Math.max(0, rows.length - 1) * gapY;
  return { boxes, width, height, options };
}
