/**
 * Which steps and branches of each script the calls went through. Fed by the runner's
 * `notes` hook (the interpreter's own account: steps entered, no input, invalid input)
 * and matched against the flow graph, whose edges are the branches: each digit key,
 * `invalid`, `no_input`, `on_failure`, `next`, including the engine's implicit endings.
 */
import type { CallState } from '../engine/state.js';
import type { Note } from '../engine/transition.js';
import { buildFlowGraph, edgeId, type FlowEdge } from '../graph/model.js';
import { REPEAT_TARGET, type Script, type StepId } from '../script/model.js';

interface CallProgress {
  /** The script this part of the call runs (the call's own, or one started with `call:`). */
  script: string;
  step: StepId | null;
  /** How the call left the current step when it was not by its digits: no input, invalid input, or a labelled branch already counted. */
  input: 'none' | 'invalid' | 'branched' | null;
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
  private readonly calls = new Map<string, CallProgress[]>();

  constructor(scripts: readonly Script[]) {
    for (const script of scripts) {
      this.scripts.set(script.name, script);
      this.steps.set(script.name, new Set());
      this.branches.set(script.name, new Set());
    }
  }

  /** The runner hook: one transition's notes with the state after it. */
  notes(state: CallState, notes: readonly Note[]): void {
    let stack = this.calls.get(state.id);
    if (stack === undefined) {
      stack = [{ script: state.script, step: null, input: null }];
      this.calls.set(state.id, stack);
    }
    for (const note of notes) {
      switch (note.type) {
        case 'step.entered': {
          const name = note.script ?? state.script;
          const script = this.scripts.get(name);
          const depth = stack.findIndex((f) => f.script === name);
          if (depth === -1) {
            // Entered a script started with `call:`: its first step has no branch leading to it.
            stack.push({ script: name, step: note.step, input: null });
          } else {
            // Back in a calling script (its `call` step's `next`), or on in the same one.
            stack.length = depth + 1;
            const frame = stack[depth] as CallProgress;
            if (script !== undefined && frame.step !== null && frame.input !== 'branched') {
              const label = branchLabel(script, frame.step, note.step, frame.input, state.digits);
              if (label !== undefined) this.branches.get(name)?.add(edgeId(frame.step, label));
            }
            frame.step = note.step;
            frame.input = null;
          }
          this.steps.get(name)?.add(note.step);
          break;
        }
        case 'branch': {
          const name = note.script ?? state.script;
          this.branches.get(name)?.add(edgeId(note.step, note.label));
          // `repeat` stays at the gather (no step is entered): what the caller does next there is its own branch.
          const step = this.scripts.get(name)?.steps[note.step];
          if (step?.kind === 'gather' && step.keys?.[note.label] === REPEAT_TARGET) break;
          const frame = stack.find((f) => f.script === name);
          if (frame !== undefined) frame.input = 'branched';
          break;
        }
        case 'input.none': {
          const frame = stack[stack.length - 1] as CallProgress;
          const step = this.scripts.get(frame.script)?.steps[note.step];
          frame.input = 'none';
          if (step?.kind === 'gather' && step.noInput === undefined) this.branches.get(frame.script)?.add(edgeId(note.step, 'no_input'));
          break;
        }
        case 'input.invalid': {
          const frame = stack[stack.length - 1] as CallProgress;
          const step = this.scripts.get(frame.script)?.steps[note.step];
          if (step?.kind !== 'gather' || note.retry <= step.invalid.retries) break;
          frame.input = 'invalid';
          if (step.invalid.goto === undefined) this.branches.get(frame.script)?.add(edgeId(note.step, 'invalid'));
          break;
        }
        case 'error.caught':
          // The step after an error is reached by the error, not by a branch of the failed step.
          for (const frame of stack) frame.input = 'branched';
          break;
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
      // An on_error a test cannot bring about (a provider or template failure) is drawn, not counted.
      const branches = graph.edges.filter((edge) => edge.coverable !== false).map((edge) => ({ edge, covered: seenBranches.has(edge.id) }));
      const covered = steps.filter((s) => s.covered).length + branches.filter((b) => b.covered).length;
      const total = steps.length + branches.length;
      scripts.push({ script: script.name, steps, branches, covered, total, percent: percent(covered, total) });
    }
    const covered = scripts.reduce((n, s) => n + s.covered, 0);
    const total = scripts.reduce((n, s) => n + s.total, 0);
    return { scripts, covered, total, percent: percent(covered, total) };
  }
}

/** The branch a call took from `from` to `to`, from how it left `from` (steps with labelled branches send `branch` notes instead). */
function branchLabel(script: Script, from: StepId, to: StepId, input: CallProgress['input'], digits: string): string | undefined {
  const step = script.steps[from];
  if (step === undefined) return undefined;
  switch (step.kind) {
    case 'play':
    case 'record':
    case 'monitor':
    case 'set':
    case 'call':
      return 'next';
    case 'transfer':
      return 'on_failure';
    case 'gather': {
      if (input === 'none') return 'no_input';
      if (input === 'invalid') return 'invalid';
      if (step.branches === undefined) return 'next';
      if (Object.hasOwn(step.branches, digits) && step.branches[digits] === to) return digits;
      return Object.keys(step.branches).find((key) => step.branches?.[key] === to);
    }
    default:
      return undefined;
  }
}
