/**
 * The server's Prometheus metrics (prom-client), fed through `RunnerHooks`, the
 * webhook routes and the hot reloader. One registry per server, so tests can run
 * several servers in a process; the process metrics (CPU, memory, event loop,
 * GC) are process-wide and collected once. Every metric is listed in README.md.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Block } from '../engine/blocks.js';
import type { CallState, Outcome } from '../engine/state.js';
import type { Note } from '../engine/transition.js';
import type { ReloadReport } from '../reload/reloader.js';
import type { RunnerHooks } from '../runtime/hooks.js';
import type { ScriptRegistry } from '../runtime/script-registry.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Seconds; from half a millisecond (a warm step on loopback) to the provider timeout's range. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;

/** Process metrics (`process_*`, `nodejs_*`), registered once per process. */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class EngineMetrics {
  readonly registry = new Registry();
  private readonly callsStarted: Counter<'script' | 'direction'>;
  private readonly callsEnded: Counter<'script' | 'outcome'>;
  private readonly stepSeconds: LatencyHistogram;
  private readonly providerSeconds: LatencyHistogram;
  private readonly providerErrors: Counter<'block' | 'code'>;
  private readonly providerRetries: Counter<'block' | 'code'>;
  private readonly refused: Counter<'reason'>;
  private readonly ignored: Counter<'reason'>;
  private readonly reloads: Counter<'trigger' | 'result'>;

  constructor(scripts: ScriptRegistry) {
    const registers = [this.registry];
    new Gauge({
      name: 'callscript_calls_in_progress',
      help: 'Calls this process is running, by script (calls resumed from a durable store count once they get an event here)',
      labelNames: ['script'],
      registers,
      collect() {
        this.reset();
        const byScript = new Map<string, number>();
        for (const held of scripts.held()) byScript.set(held.script.name, (byScript.get(held.script.name) ?? 0) + held.calls);
        for (const [script, n] of byScript) this.set({ script }, n);
      },
    });
    this.callsStarted = new Counter({
      name: 'callscript_calls_started_total',
      help: 'Calls started, by script and direction',
      labelNames: ['script', 'direction'],
      registers,
    });
    this.callsEnded = new Counter({
      name: 'callscript_calls_ended_total',
      help: 'Calls ended, by script and outcome (completed, caller-hangup, transferred, transfer-failed, not-answered, no-input, invalid-input, step-limit, error)',
      labelNames: ['script', 'outcome'],
      registers,
    });
    this.stepSeconds = new LatencyHistogram(
      'callscript_step_duration_seconds',
      'From a notification (or a new call) reaching the engine to the next block accepted by the provider, by block kind',
      'block',
      LATENCY_BUCKETS,
    );
    this.providerSeconds = new LatencyHistogram(
      'callscript_provider_request_duration_seconds',
      'Provider API requests that succeeded (retries included), by block kind',
      'block',
      LATENCY_BUCKETS,
    );
    this.providerErrors = new Counter({
      name: 'callscript_provider_errors_total',
      help: "Blocks the provider did not accept after retries, by block kind and code (the provider's status, e.g. error_rate_limit_exceeded, or E_PROVIDER_TIMEOUT / _UNREACHABLE / _CONNECTION_RESET / _BAD_RESPONSE)",
      labelNames: ['block', 'code'],
      registers,
    });
    this.providerRetries = new Counter({
      name: 'callscript_provider_retries_total',
      help: 'Provider requests retried (the block provably did not run), by block kind and code',
      labelNames: ['block', 'code'],
      registers,
    });
    this.refused = new Counter({
      name: 'callscript_notifications_refused_total',
      help: 'Webhook requests answered with an error status, by reason (bad-token, session-mismatch, unknown-call, signature-invalid, signature-missing, too-large, unsupported-media-type, bad-notification, unknown-script, busy, error, aborted)',
      labelNames: ['reason'],
      registers,
    });
    this.ignored = new Counter({
      name: 'callscript_notifications_ignored_total',
      help: 'Authentic notifications that changed nothing, by reason (duplicate, stale, after-end, unexpected)',
      labelNames: ['reason'],
      registers,
    });
    this.reloads = new Counter({
      name: 'callscript_script_reloads_total',
      help: 'Script reloads, by trigger (watch, signal, manual) and result (ok, invalid: some files kept their last good version, aborted)',
      labelNames: ['trigger', 'result'],
      registers,
    });
  }

  /** The hooks the call runner reports to. */
  hooks(): RunnerHooks {
    return {
      callStarted: (state: CallState) => this.callsStarted.inc({ script: state.script, direction: state.direction }),
      callEnded: (state: CallState, outcome: Outcome) => this.callsEnded.inc({ script: state.script, outcome }),
      blockSent: (_state: CallState, block: Block, ms: number) => this.providerSeconds.observe(block.kind, ms / 1000),
      stepCompleted: (_state: CallState, block: Block['kind'], ms: number) => this.stepSeconds.observe(block, ms / 1000),
      providerError: (block: Block['kind'], code: string) => this.providerErrors.inc({ block, code }),
      providerRetry: (block: Block['kind'], code: string) => this.providerRetries.inc({ block, code }),
      notes: (_state: CallState, notes: readonly Note[]) => {
        for (const note of notes) if (note.type === 'notification.ignored') this.ignored.inc({ reason: note.reason });
      },
    };
  }

  notificationRefused(reason: string): void {
    this.refused.inc({ reason });
  }

  /** A reload finished (the initial load at start is not counted). */
  reloaded(report: Pick<ReloadReport, 'trigger' | 'aborted' | 'invalid'>): void {
    if (report.trigger === 'initial') return;
    const result = report.aborted !== undefined ? 'aborted' : report.invalid.length > 0 ? 'invalid' : 'ok';
    this.reloads.inc({ trigger: report.trigger, result });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: this server's metrics, then the process metrics. */
  async text(): Promise<string> {
    const [own, proc] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${this.stepSeconds.text()}\n${this.providerSeconds.text()}\n${proc}`;
  }
}

