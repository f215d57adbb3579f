/**
 * CS_LOOP_WITHOUT_INPUT: steps that can go round forever with no caller
 * input — e.g. play → play, or a gather whose `no_input` leads back to itself
 * through plays (a silent caller takes it every time). Such a call only ends
 * at the runtime step limit, so it is an error at load.
 *
 * Edges that need no caller input: play, record and monitor → `next`;
 * transfer → `on_failure` (the far end may be busy every time); gather →
 * `no_input`. A cycle made only of these is reported once per strongly
 * connected group, on the first step of the group in file order.
 */
import { toPointer, type DataPath } from '../paths.js';
import { isRecord, kindsOf, own } from '../raw.js';
import type { Reporter } from '../report.js';
import { stepsOf } from '../semantic-checks.js';

export const LOOP_WITHOUT_INPUT = 'CS_LOOP_WITHOUT_INPUT';

interface Edge {
  readonly to: string;
  /** Where the reference is written, for the diagnostic's position. */
  readonly path: DataPath;
}

const NO_INPUT_FIELD: Readonly<Record<string, string>> = {
  play: 'next',
  record: 'next',
  monitor: 'next',
  transfer: 'on_failure',
  gather: 'no_input',
};

function inputFreeEdges(data: unknown): { ids: string[]; kinds: Map<string, string>; edges: Map<string, Edge> } {
  const steps = stepsOf(data);
  const ids = Object.keys(steps);
  const kinds = new Map<string, string>();
  const edges = new Map<string, Edge>();
  for (const id of ids) {
    const step = steps[id];
    if (!isRecord(step)) continue;
    const found = kindsOf(step);
    const kind = found.length === 1 ? found[0] : undefined;
    if (kind === undefined) continue;
    kinds.set(id, kind);
    const field = NO_INPUT_FIELD[kind];
    if (field === undefined) continue;
    const target = own(step, field);
    if (typeof target === 'string' && Object.hasOwn(steps, target)) edges.set(id, { to: target, path: ['steps', id, field] });
  }
  return { ids, kinds, edges };
}

/**
 * Every step has at most one input-free edge, so the input-free graph is a
 * functional graph: each cycle is found by walking from each step until a step
 * repeats. Cycles are returned starting from their first step in file order.
 */
function cycles(ids: readonly string[], edges: ReadonlyMap<string, Edge>): string[][] {
  const order = new Map(ids.map((id, i) => [id, i]));
  const done = new Set<string>();
  const found: string[][] = [];
  for (const start of ids) {
    if (done.has(start)) continue;
    const walk: string[] = [];
    const onWalk = new Map<string, number>();
    let at: string | undefined = start;
    while (at !== undefined && !done.has(at) && !onWalk.has(at)) {
      onWalk.set(at, walk.length);
      walk.push(at);
      at = edges.get(at)?.to;
    }
    if (at !== undefined && onWalk.has(at)) {
      const cycle = walk.slice(onWalk.get(at));
      let first = 0;
      cycle.forEach((id, i) => {
        if ((order.get(id) ?? 0) < (order.get(cycle[first] ?? '') ?? 0)) first = i;
      });
      found.push([...cycle.slice(first), ...cycle.slice(0, first)]);
    }
    for (const id of walk) done.add(id);
  }
  return found;
}

export function checkInputLoops(data: unknown, reporter: Reporter): void {
  const { ids, kinds, edges } = inputFreeEdges(data);
  for (const cycle of cycles(ids, edges)) {
    const first = cycle[0] ?? '';
    const edge = edges.get(first);
    if (edge === undefined) continue;
    const route = [...cycle, first].map((id) => `\`${id}\``).join(' → ');
    const how = cycle.map((id) => `${kinds.get(id) ?? '?'} \`${String(edges.get(id)?.path.at(-1) ?? '')}\``).join(', ');
    reporter.at(
      toPointer(edge.path),
      'value',
      LOOP_WITHOUT_INPUT,
      `${cycle.length === 1 ? 'step' : 'steps'} ${route} can repeat forever without any caller input (${how}): the call would only end at the step limit; ` +
        'break the loop with a gather whose branches the caller must choose, a hangup, or a transfer without `on_failure`',
      'error',
    );
  }
}
