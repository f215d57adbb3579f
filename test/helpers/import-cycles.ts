/**
 * Import cycles of a graph: one cycle path for each strongly connected group of files,
 * so a report names every tangle once instead of every rotation of every loop in it.
 */
import type { ImportEdge } from './import-graph.js';

/** Files each file imports, among `files` only (packages and builtins cannot close a cycle). */
function adjacency(files: readonly string[], edges: readonly ImportEdge[]): Map<string, string[]> {
  const known = new Set(files);
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) {
    const out = next.get(e.from);
    if (out !== undefined && known.has(e.target) && !out.includes(e.target)) out.push(e.target);
  }
  for (const out of next.values()) out.sort();
  return next;
}

/** Tarjan's algorithm, iterative: a deep import chain must not overflow the stack. */
function stronglyConnected(files: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  for (const root of files) {
    if (index.has(root)) continue;
    const work: Array<{ readonly node: string; child: number }> = [{ node: root, child: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = next.get(frame.node) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const group: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== frame.node);
        groups.push(group.sort());
      }
    }
  }
  return groups;
}

/** The shortest loop from `start` back to itself, staying inside `group`. */
function shortestLoop(start: string, group: ReadonlySet<string>, next: ReadonlyMap<string, readonly string[]>): string[] {
  const via = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const child of next.get(node) ?? []) {
      if (!group.has(child)) continue;
      if (child === start) {
        const path = [start];
        for (let at = node; at !== start; at = via.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!via.has(child)) {
        via.set(child, node);
        queue.push(child);
      }
    }
  }
  return [start, start];
}

/** One cycle per tangle, each as a path that starts and ends with the same file, sorted. */
export function findCycles(files: readonly string[], edges: readonly ImportEdge[]): string[][] {
  const next = adjacency(files, edges);
  const cycles: string[][] = [];
  for (const group of stronglyConnected(files, next)) {
    const first = group[0]!;
    const selfLoop = group.length === 1 && (next.get(first) ?? []).includes(first);
    if (group.length > 1 || selfLoop) cycles.push(shortestLoop(first, new Set(group), next));
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
