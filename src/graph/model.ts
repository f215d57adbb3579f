/**
 * The flow graph of a script: steps as nodes, the ways a call moves between them as
 * labelled edges. One model feeds the mermaid, dot and SVG renderers, the browser phone
 * and test coverage (a branch is an edge), so they always agree on what a branch is.
 *
 * Ordering is part of the contract: nodes follow the script's step order (then the
 * engine's implicit endings), edges follow their source node and, within a step, the
 * order the script lists them. Renderers keep that order, so output is stable in diffs.
 */
import { POLITE_HANGUP } from '../engine/messages.js';
import { REPEAT_TARGET, type Message, type Script, type Step, type StepId, type StepKind } from '../script/model.js';

/**
 * Why a call moves along an edge. Digit branches carry the keys in `label`; global
 * keys (`key`) too; switch cases are `case 1`, `case 2`…; http outcomes are the
 * status or class (`404`, `5xx`), `on_timeout` or `on_error`.
 */
export type EdgeKind = 'digits' | 'key' | 'invalid' | 'no_input' | 'on_failure' | 'next' | 'case' | 'default' | 'status' | 'on_timeout' | 'on_error' | 'open' | 'closed';

/** Where the engine, not the script, ends a call: a gather with no `no_input`, or invalid input with no `goto`. */
export type ImplicitEnd = 'no-input' | 'invalid-input';

export interface FlowNode {
  /** The step id, or `end:no-input` / `end:invalid-input` for the engine's implicit endings. */
  readonly id: string;
  readonly kind: StepKind | 'end';
  /** A short excerpt of the step's message as written (templates unrendered); empty when it has none. */
  readonly excerpt: string;
  readonly start: boolean;
  readonly implicit?: ImplicitEnd;
}

export interface FlowEdge {
  /** `<from>|<label>`: unique per graph; also the coverage id of the branch. */
  readonly id: string;
  readonly from: StepId;
  readonly to: string;
  /** The digits (`1`, `*9`), or `invalid`, `no_input`, `on_failure`, `next`. */
  readonly label: string;
  readonly kind: EdgeKind;
  /**
   * False for edges a test cannot take on purpose (the `on_error` of steps whose
   * failures are the provider's or a template's): drawn, but not counted by coverage.
   */
  readonly coverable?: false;
}

export interface FlowGraph {
  readonly script: string;
  readonly start: StepId;
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
}

export const IMPLICIT_END_IDS: Readonly<Record<ImplicitEnd, string>> = {
  'no-input': 'end:no-input',
  'invalid-input': 'end:invalid-input',
};

export const EXCERPT_LENGTH = 48;

/** Whitespace collapsed, cut at `max` characters with an ellipsis. */
export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** A message as written: its text, `[audio …]`, its parts in order, or its first language's form. */
export function messageSource(message: Message | undefined): string {
  if (message === undefined) return '';
  if ('kind' in message) {
    if (message.kind === 'audio') return `[audio ${message.url.source}]`;
    if (message.kind === 'parts') {
      return message.items
        .map((item) => (item.kind === 'say' ? item.text.source : item.kind === 'audio' ? `[audio ${item.url.source}]` : `[pause ${item.seconds}s]`))
        .join(' ');
    }
    const first = Object.values(message.byLanguage)[0];
    return first === undefined ? '' : messageSource(first);
  }
  return message.source;
}

const source = messageSource;

function stepExcerpt(step: Step): string {
  switch (step.kind) {
    case 'play':
      return excerpt(source(step.message));
    case 'gather':
      return excerpt(source(step.prompts !== undefined ? step.prompts[0] : step.prompt));
    case 'record':
      return excerpt(source(step.prompt));
    case 'monitor':
    case 'hangup':
      return excerpt(source(step.message));
    case 'transfer': {
      const message = source(step.message);
      return excerpt(message === '' ? `→ ${step.to.source}` : `→ ${step.to.source}: ${message}`);
    }
    case 'set':
      return excerpt(step.assign.map(([name, value]) => `${name} = ${JSON.stringify(value.source)}`).join(', '));
    case 'switch':
      return excerpt(`${step.cases.length} case${step.cases.length === 1 ? '' : 's'}`);
    case 'http':
      return excerpt(`${step.method} ${step.url.source}`);
    case 'hours':
      return excerpt(step.hours.timezone);
    case 'call':
      return excerpt(`→ ${step.script}`);
    case 'return':
      return '';
  }
}

export function edgeId(from: string, label: string): string {
  return `${from}|${label}`;
}

/** The edges leaving one step, in the order the script states them. */
export function stepEdges(step: Step): FlowEdge[] {
  const edges: FlowEdge[] = [];
  const add = (label: string, kind: EdgeKind, to: string): void => {
    edges.push({ id: edgeId(step.id, label), from: step.id, to, label, kind });
  };
  switch (step.kind) {
    case 'play':
    case 'record':
    case 'monitor':
    case 'set':
    case 'call':
      add('next', 'next', step.next);
      break;
    case 'gather':
      if (step.branches !== undefined) {
        for (const [digits, target] of Object.entries(step.branches)) add(digits, 'digits', target);
      }
      for (const [digits, target] of Object.entries(step.keys ?? {})) add(digits, 'key', target === REPEAT_TARGET ? step.id : target);
      if (step.branches !== undefined) {
        add('invalid', 'invalid', step.invalid.goto ?? IMPLICIT_END_IDS['invalid-input']);
      } else if (step.next !== undefined) {
        add('next', 'next', step.next);
      }
      add('no_input', 'no_input', step.noInput ?? IMPLICIT_END_IDS['no-input']);
      break;
    case 'transfer':
      if (step.onFailure !== undefined) add('on_failure', 'on_failure', step.onFailure);
      break;
    case 'switch':
      step.cases.forEach((c, i) => add(`case ${i + 1}`, 'case', c.goto));
      add('default', 'default', step.default);
      break;
    case 'http':
      add('next', 'next', step.next);
      for (const [status, target] of Object.entries(step.onStatus ?? {})) add(status, 'status', target);
      if (step.onTimeout !== undefined) add('on_timeout', 'on_timeout', step.onTimeout);
      break;
    case 'hours':
      add('open', 'open', step.open);
      add('closed', 'closed', step.closed);
      break;
    case 'hangup':
    case 'return':
      break;
  }
  if (step.onError !== undefined) {
    // Only an http step's failures can be brought about by a test (a canned 500, malformed JSON, no server).
    const edge: FlowEdge = { id: edgeId(step.id, 'on_error'), from: step.id, to: step.onError, label: 'on_error', kind: 'on_error' };
    edges.push(step.kind === 'http' ? edge : { ...edge, coverable: false });
  }
  return edges;
}

export function buildFlowGraph(script: Script): FlowGraph {
  const steps = Object.values(script.steps);
  const edges = steps.flatMap(stepEdges);
  const nodes: FlowNode[] = steps.map((step) => ({ id: step.id, kind: step.kind, excerpt: stepExcerpt(step), start: step.id === script.start }));
  for (const end of ['no-input', 'invalid-input'] as const) {
    const id = IMPLICIT_END_IDS[end];
    if (edges.some((e) => e.to === id)) {
      nodes.push({ id, kind: 'end', excerpt: excerpt(POLITE_HANGUP[end] ?? ''), start: false, implicit: end });
    }
  }
  return { script: script.name, start: script.start, nodes, edges };
}

/** "menu · gather", or "hangup (engine, no input)" for an implicit ending. */
export function nodeTitle(node: FlowNode): string {
  if (node.implicit !== undefined) return `hangup (engine: ${node.implicit === 'no-input' ? 'no input' : 'invalid input'})`;
  return `${node.id} · ${node.kind}`;
}
