/**
 * CS_LOOP_WITHOUT_INPUT: steps that can go round forever with no caller
 * input — e.g. play → play, or a gather whose `no_input` leads back to itself
 * through plays (a silent caller takes it every time). Such a call only ends
 * at the runtime step limit, so it is an error at load.
 *
 * Edges that need no caller input: play, record, monitor, set and call →
 * `next`; transfer → `on_failure` (the far end may be busy every time); gather
 * → `no_input`; switch → every case and `default`; hours → `open` and
 * `closed`; http → `next` and every `on_status` (a service may answer the same
 * every time). `on_error` and `on_timeout` are not counted: the runtime ends a
 * call after a few of those. A cycle made only of input-free edges is reported
 * once per strongly connected group, on the first step of the group in file
 * order.
 */
import { toPointer, type DataPath } from '../paths.js';
import { isRecord, kindsOf, own, ownRecord, type RawRecord } from '../raw.js';
import type { Reporter } from '../report.js';
import { stepsOf } from '../semantic-checks.js';

export const LOOP_WITHOUT_INPUT = 'CS_LOOP_WITHOUT_INPUT';

interface Edge {
  readonly to: string;
  /** Where the reference is written, for the diagnostic's position. */
  readonly path: DataPath;
  /** How the message names it: `next`, `case 2`, `on_status "503"`. */
  readonly label: string;
}

const SINGLE_FIELD: Readonly<Record<string, readonly string[]>> = {
  play: ['next'],
  record: ['next'],
  monitor: ['next'],
  set: ['next'],
  call: ['next'],
  transfer: ['on_failure'],
  gather: ['no_input'],
  switch: ['default'],
  hours: ['open', 'closed'],
  http: ['next'],
};

function edgesOf(id: string, kind: string, step: RawRecord, exists: (id: string) => boolean): Edge[] {
  const edges: Edge[] = [];
  const add = (target: unknown, path: DataPath, label: string): void => {
    if (typeof target === 'string' && exists(target)) edges.push({ to: target, path, label });
  };
  if (kind === 'switch') {
    const cases = own(step, 'switch');
    if (Array.isArray(cases)) cases.forEach((c: unknown, i) => isRecord(c) && add(own(c, 'goto'), ['steps', id, 'switch', i, 'goto'], `case ${i + 1}`));
  }
  for (const field of SINGLE_FIELD[kind] ?? []) add(own(step, field), ['steps', id, field], field);
  if (kind === 'http') {
    for (const [status, target] of Object.entries(ownRecord(step, 'on_status') ?? {})) {
      add(target, ['steps', id, 'on_status', status], `on_status "${status}"`);
    }
  }
  return edges;
}

function inputFreeEdges(data: unknown): { ids: string[]; kinds: Map<string, string>; edges: Map<string, Edge[]> } {
  const steps = stepsOf(data);
  const ids = Object.keys(steps);
  const kinds = new Map<string, string>();
  const edges = new Map<string, Edge[]>();
  const exists = (id: string): boolean => Object.hasOwn(steps, id);
  for (const id of ids) {
    const step = steps[id];
    if (!isRecord(step)) continue;
    const found = kindsOf(step);
    const kind = found.length === 1 ? found[0] : undefined;
    if (kind === undefined) continue;
    kinds.set(id, kind);
    const out = edgesOf(id, kind, step, exists);
    if (out.length > 0) edges.set(id, out);
  }
  return { ids, kinds, edges };
}

/** Strongly connected groups (Tarjan), each with a cycle in it: a step's group is reported once. */
function groups(ids: readonly string[], edges: ReadonlyMap<string, readonly Edge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  const visit = (root: string): void => {
    // Iterative, so a long chain of steps cannot overflow the call stack.
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; next: number };
      const out_ = edges.get(frame.id) ?? [];
      if (frame.next < out_.length) {
        const to = (out_[frame.next++] as Edge).to;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(to) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) === index.get(frame.id)) {
        const group: string[] = [];
        for (;;) {
          const id = stack.pop() as string;
          onStack.delete(id);
          group.push(id);
          if (id === frame.id) break;
        }
        const selfLoop = group.length === 1 && (edges.get(frame.id) ?? []).some((e) => e.to === frame.id);
        if (group.length > 1 || selfLoop) out.push(group);
      }
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return out;
}

/** A cycle through `first` inside its group, as the edges taken (shortest first, by breadth-first search). */
function cycleFrom(first: string, group: ReadonlySet<string>, edges: ReadonlyMap<string, readonly Edge[]>): Array<{ from: string; edge: Edge }> {
  const previous = new Map<string, { from: string; edge: Edge }>();
  const queue = [first];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i] ?? '';
    for (const edge of edges.get(at) ?? []) {
      if (!group.has(edge.to)) continue;
      if (edge.to === first) {
        const route = [{ from: at, edge }];
        for (let step = previous.get(at); step !== undefined; step = previous.get(step.from)) route.unshift(step);
        return route;
      }
      if (previous.has(edge.to) || edge.to === first) continue;
      previous.set(edge.to, { from: at, edge });
      queue.push(edge.to);
    }
  }
  return [];
}

export function checkInputLoops(data: unknown, reporter: Reporter): void {
  const { ids, kinds, edges } = inputFreeEdges(data);
  const order = new Map(ids.map((id, i) => [id, i]));
  const found = groups(ids, edges).map((group) => {
    const first = [...group].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))[0] ?? '';
    return { first, route: cycleFrom(first, new Set(group), edges) };
  });
  found.sort((a, b) => (order.get(a.first) ?? 0) - (order.get(b.first) ?? 0));
  for (const { first, route } of found) {
    const leaving = route[0];
    if (leaving === undefined) continue;
    const steps = [...route.map((r) => r.from), first];
    const path = steps.map((id) => `\`${id}\``).join(' → ');
    const how = route.map((r) => `${kinds.get(r.from) ?? '?'} \`${r.edge.label}\``).join(', ');
    reporter.at(
      toPointer(leaving.edge.path),
      'value',
      LOOP_WITHOUT_INPUT,
      `${route.length === 1 ? 'step' : 'steps'} ${path} can repeat forever without any caller input (${how}): the call would only end at the step limit; ` +
        'break the loop with a gather whose branches the caller must choose, a hangup, or a transfer without `on_failure`',
      'error',
    );
  }
}
