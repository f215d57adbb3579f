/**
 * Which steps and branches of each script the calls went through. Fed by the runner's
 * `notes` hook (the interpreter's own account: steps entered, no input, invalid input)
 * and matched against the flow graph, whose edges are the branches: each digit key,
 * `invalid`, `no_input`, `on_failure`, `next`, including the engine's implicit endings.
 */
import type { CallState } from '../engine/state.js';
import type { Note } from '../engine/transition.js';
import { buildFlowGraph, edgeId, type FlowEdge } from '../graph/model.js';
import type { Script, StepId } from '../script/model.js';

interface CallProgress {
  step: StepId | null;
  /** How the call left the current gather, when it was not by its digits. */
  input: 'none' | 'invalid' | null;
}

export interface ScriptCoverage {
  readonly script: string;
  readonly steps: ReadonlyArray<{ readonly id: StepId; readonly covered: boolean }>;
  readonly branches: ReadonlyArray<{ readonly edge: FlowEdge; readonly covered: boolean }>;
  readonly covered: number;
  readonly total: number;
  /** 0–100. */
  readonly percent: number;
}

export interface CoverageReport {
  readonly scripts: readonly ScriptCoverage[];
  readonly covered: number;
  readonly total: number;
  readonly percent: number;
}

function percent(covered: number, total: number): number {
  return total === 0 ? 100 : (covered / total) * 100;
}

export class CoverageRecorder {
  private readonly scripts = new Map<string, Script>();
  private readonly steps = new Map<string, Set<StepId>>();
  private readonly branches = new Map<string, Set<string>>();
  private readonly calls = new Map<string, CallProgress>();

  constructor(scripts: readonly Script[]) {
    for (const script of scripts) {
      this.scripts.set(script.name, script);
      this.steps.set(script.name, new Set());
      this.branches.set(script.name, new Set());
    }
  }

  /** The runner hook: one transition's notes with the state after it. */
  notes(state: CallState, notes: readonly Note[]): void {
    const script = this.scripts.get(state.script);
    if (script === undefined) return;
    const steps = this.steps.get(script.name) as Set<StepId>;
    const branches = this.branches.get(script.name) as Set<string>;
    let call = this.calls.get(state.id);
    if (call === undefined) {
      call = { step: null, input: null };
      this.calls.set(state.id, call);
    }
    for (const note of notes) {
      switch (note.type) {
        case 'step.entered': {
          steps.add(note.step);
          if (call.step !== null) {
            const label = branchLabel(script, call.step, note.step, call.input, state.digits);
            if (label !== undefined) branches.add(edgeId(call.step, label));
          }
          call.step = note.step;
          call.input = null;
          break;
        }
        case 'input.none': {
          const step = script.steps[note.step];
          call.input = 'none';
          if (step?.kind === 'gather' && step.noInput === undefined) branches.add(edgeId(note.step, 'no_input'));
          break;
        }
        case 'input.invalid': {
          const step = script.steps[note.step];
          if (step?.kind !== 'gather' || note.retry <= step.invalid.retries) break;
          call.input = 'invalid';
          if (step.invalid.goto === undefined) branches.add(edgeId(note.step, 'invalid'));
          break;
        }
        case 'call.ended':
          this.calls.delete(state.id);
          break;
        default:
          break;
      }
    }
  }

  report(): CoverageReport {
    const scripts: ScriptCoverage[] = [];
    for (const script of this.scripts.values()) {
      const seenSteps = this.steps.get(script.name) ?? new Set();
      const seenBranches = this.branches.get(script.name) ?? new Set();
      const graph = buildFlowGraph(script);
      const steps = Object.keys(script.steps).map((id) => ({ id, covered: seenSteps.has(id) }));
      const branches = graph.edges.map((edge) => ({ edge, covered: seenBranches.has(edge.id) }));
      const covered = steps.filter((s) => s.covered).length + branches.filter((b) => b.covered).length;
      const total = steps.length + branches.length;
      scripts.push({ script: script.name, steps, branches, covered, total, percent: percent(covered, total) });
    }
    const covered = scripts.reduce((n, s) => n + s.covered, 0);
    const total = scripts.reduce((n, s) => n + s.total, 0);
    return { scripts, covered, total, percent: percent(covered, total) };
  }
}

/** The branch a call took from `from` to `to`, from how it left `from`. */
function branchLabel(script: Script, from: StepId, to: StepId, input: CallProgress['input'], digits: string): string | undefined {
  const step = script.steps[from];
  if (step === undefined) return undefined;
  switch (step.kind) {
    case 'play':
    case 'record':
    case 'monitor':
      return 'next';
    case 'transfer':
      return 'on_failure';
    case 'hangup':
      return undefined;
    case 'gather': {
      if (input === 'none') return 'no_input';
      if (input === 'invalid') return 'invalid';
      if (step.branches === undefined) return 'next';
      if (Object.hasOwn(step.branches, digits) && step.branches[digits] === to) return digits;
      return Object.keys(step.branches).find((key) => step.branches?.[key] === to);
    }
  }
}
