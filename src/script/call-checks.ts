/**
 * Checks across scripts for `call:` steps: the called script must be loaded
 * (CS_UNKNOWN_SCRIPT), and calls must not go round (CS_CALL_CYCLE: a calls b
 * calls a), which would nest without end. Reported on the `call:` value.
 */
import type { Diagnostic } from './diagnostic.js';
import type { Script } from './model.js';
import { toPointer } from './paths.js';
import type { PositionIndex } from './positions.js';
import { didYouMean } from './suggest.js';

export interface CallSite {
  readonly script: Script;
  readonly file: string;
  readonly index?: PositionIndex;
}

interface Edge {
  readonly from: CallSite;
  readonly step: string;
  readonly to: string;
}

function at(site: CallSite, step: string, code: string, message: string): Diagnostic {
  const pointer = toPointer(['steps', step, 'call']);
  const position = site.index?.exact(pointer) ? site.index.position(pointer, 'value') : { line: 1, column: 1 };
  return { code, severity: 'error', message, file: site.file, line: position.line, column: position.column, path: `steps.${step}.call` };
}

/** Diagnostics per file for the `call:` steps of `sites` (the scripts loaded together). */
export function checkCalls(sites: readonly CallSite[]): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  const add = (d: Diagnostic): void => {
    const list = out.get(d.file) ?? [];
    list.push(d);
    out.set(d.file, list);
  };
  const byName = new Map(sites.map((s) => [s.script.name, s]));
  const edges: Edge[] = [];
  for (const site of sites) {
    for (const step of Object.values(site.script.steps)) {
      if (step.kind !== 'call') continue;
      if (!byName.has(step.script)) {
        // Not the caller itself: calling it would go round.
        const names = [...byName.keys()].filter((n) => n !== site.script.name);
        add(
          at(
            site,
            step.id,
            'CS_UNKNOWN_SCRIPT',
            `call names script \`${step.script}\`, which is not loaded${didYouMean(step.script, names) || (names.length === 0 ? ' (no other script is)' : names.length <= 12 ? ` (loaded: ${names.join(', ')})` : '')}`,
          ),
        );
        continue;
      }
      edges.push({ from: site, step: step.id, to: step.script });
    }
  }
  // Every edge that lies on a cycle: its target can reach its source again.
  const targets = new Map<string, string[]>();
  for (const e of edges) targets.set(e.from.script.name, [...(targets.get(e.from.script.name) ?? []), e.to]);
  const route = (from: string, to: string): string[] | undefined => {
    const previous = new Map<string, string>();
    const queue = [from];
    const seen = new Set([from]);
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i] ?? '';
      if (name === to) {
        const path = [to];
        for (let at = to; at !== from; at = previous.get(at) ?? from) path.unshift(previous.get(at) ?? from);
        return path;
      }
      for (const next of targets.get(name) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        previous.set(next, name);
        queue.push(next);
      }
    }
    return undefined;
  };
  for (const e of edges) {
    const back = route(e.to, e.from.script.name);
    if (back === undefined) continue;
    const cycle = [e.from.script.name, ...back].map((n) => `\`${n}\``).join(' → ');
    add(
      at(
        e.from,
        e.step,
        'CS_CALL_CYCLE',
        `calls between scripts go round (${cycle}): a script cannot call itself, directly or through others; return to the caller instead`,
      ),
    );
  }
  return out;
}
