/**
 * The soak's invariants, checked for every call from what the simulator saw (the
 * provider's view) and what the engine's hooks reported. Pure, so the checks
 * themselves are tested (test/soak/invariants.test.ts).
 */
import type { EngineCall, Invariant, SimCallReport, SimReport } from './types.js';

export interface MemoryEvidence {
  /** Heap used after GC once the warm-up calls had ended, and again after every call had ended. */
  readonly startBytes: number;
  readonly endBytes: number;
  /** Growth allowed (allocator and JIT noise, metric series). */
  readonly allowedGrowthBytes: number;
  /** What the engine still holds once every call has ended and retention has passed; all must be 0. */
  readonly leftovers: Readonly<Record<string, number>>;
}

export interface SoakEvidence {
  readonly sim: SimReport;
  /** Every call the engine started, with its outcome once it ended. */
  readonly engine: readonly EngineCall[];
  /** Unhandled rejections and uncaught exceptions seen while the soak ran. */
  readonly crashes: readonly string[];
  /** The server still answered GET /healthz at the end. */
  readonly serverAlive: boolean;
  readonly memory?: MemoryEvidence;
}

/** How a call may end: the caller hung up, the script ended it, the network did (transfer, dial), or the engine rejected it. */
const TERMINAL_REASONS: ReadonlySet<string> = new Set(['caller-hangup', 'script-hangup', 'transfer-answered', 'transfer-failed', 'dial-failed', 'rejected']);
/** Ends that mean the engine left the call waiting; excused only after a lost answer (the engine could not know the block ran). */
const STUCK_REASONS: ReadonlySet<string> = new Set(['idle-timeout', 'no-answer-to-ringing']);
const OVERLAP = new Set(['not-ready', 'on-hold', 'monitor-in-progress']);
const AFTER_END = new Set(['after-end', 'after-end-block']);
const MAX_EXAMPLES = 5;

class Tally {
  checked = 0;
  broken = 0;
  excused = 0;
  readonly examples: string[] = [];

  constructor(
    readonly name: string,
    readonly excusedWhy?: string,
  ) {}

  check(ok: boolean, example: () => string): void {
    this.checked++;
    if (ok) return;
    this.broken++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(example());
  }

  result(): Invariant {
    return {
      name: this.name,
      checked: this.checked,
      broken: this.broken,
      examples: this.examples,
      ...(this.excused > 0 && this.excusedWhy !== undefined ? { excused: this.excused, excusedWhy: this.excusedWhy } : {}),
    };
  }
}

const LOST_ANSWER = 'after a block whose answer a fault lost: the engine could not know it had run';

function excusedAfterLostAnswer(call: SimCallReport, seq: number): boolean {
  return call.answerLostAt !== null && seq > call.answerLostAt;
}

export function checkInvariants(e: SoakEvidence): Invariant[] {
  const terminal = new Tally('every call reached a terminal state (caller, script, network, or the engine politely after an error)', LOST_ANSWER);
  const overlap = new Tally('no two blocks were outstanding at once', LOST_ANSWER);
  const afterEnd = new Tally('no block after the call ended', LOST_ANSWER);
  const protocol = new Tally('no other protocol violation (bad parameters, unknown session, credentials…)');
  const crash = new Tally('no unhandled rejection or crash; the server still answers');
  const forged = new Tally('no forged notification was accepted (each refused with the expected status)');
  const memory = new Tally('memory returns near its start once calls end; nothing is left behind');

  for (const call of e.sim.calls) {
    const reason = call.endReason ?? 'still up';
    if (call.state === 'ended' && STUCK_REASONS.has(reason) && call.answerLostAt !== null) terminal.excused++;
    else {
      terminal.check(call.state === 'ended' && TERMINAL_REASONS.has(reason), () => `${call.session} (${call.direction} to ${call.to}): ${reason} after ${call.blocks} blocks`);
    }
    const found = new Map<Tally, string[]>([
      [overlap, []],
      [afterEnd, []],
      [protocol, []],
    ]);
    for (const v of call.violations) {
      const tally = OVERLAP.has(v.kind) ? overlap : AFTER_END.has(v.kind) ? afterEnd : protocol;
      if (tally !== protocol && excusedAfterLostAnswer(call, v.seq)) tally.excused++;
      else found.get(tally)?.push(`${v.kind} at ${v.block ?? '?'}: ${v.detail}`);
    }
    for (const [tally, list] of found) tally.check(list.length === 0, () => `${call.session}: ${list.join('; ')}`);
  }
  for (const v of e.sim.unattributed) protocol.check(false, () => `${v.kind} at ${v.block ?? '?'}: ${v.detail}`);
  for (const call of e.engine) {
    terminal.check(call.outcome !== null, () => `engine call ${call.id} (${call.script}, session ${call.session || 'none'}) never ended`);
  }

  crash.check(e.serverAlive, () => 'the server no longer answers GET /healthz');
  for (const c of e.crashes) crash.check(false, () => c);

  // A run that forged nothing has not tested this.
  if (e.sim.forged.length === 0) forged.check(false, () => 'no forged notification was sent (the run was too short?)');
  for (const f of e.sim.forged) {
    forged.check(f.status === f.expected, () => `${f.kind} on ${f.session}: HTTP ${f.status || 'no answer'}, expected ${f.expected}`);
  }

  if (e.memory !== undefined) {
    const m = e.memory;
    const growth = m.endBytes - m.startBytes;
    memory.check(growth <= m.allowedGrowthBytes, () => `heap grew by ${(growth / 2 ** 20).toFixed(1)} MiB (allowed ${(m.allowedGrowthBytes / 2 ** 20).toFixed(1)} MiB)`);
    for (const [what, n] of Object.entries(m.leftovers)) memory.check(n === 0, () => `${n} ${what} left after every call ended`);
  }

  return [terminal, overlap, afterEnd, protocol, crash, forged, memory].map((t) => t.result());
}
