/**
 * The soak's invariant checks on hand-made evidence: each broken invariant is
 * reported (so a soak run with a misbehaving engine fails), and what the engine
 * cannot know (a block that ran though its answer was lost) is set aside, not
 * hidden. `npm run soak` runs the real thing; CI runs it for 15 s (.ci/run).
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants, type SoakEvidence } from '../../soak/invariants.js';
import type { EngineCall, SimCallReport, SimReport } from '../../soak/types.js';

function simCall(over: Partial<SimCallReport> = {}): SimCallReport {
  return {
    session: 'S1',
    direction: 'inbound',
    to: '+6560001001',
    state: 'ended',
    endReason: 'script-hangup',
    blocks: 4,
    answerLostAt: null,
    violations: [],
    ...over,
  };
}

function evidence(over: { calls?: SimCallReport[]; sim?: Partial<SimReport>; engine?: EngineCall[] } & Partial<Omit<SoakEvidence, 'sim' | 'engine'>> = {}): SoakEvidence {
  const { calls, sim, engine, ...rest } = over;
  return {
    sim: { calls: calls ?? [simCall()], unattributed: [], injected: {}, forged: [{ kind: 'unsigned', session: 'S1', expected: 401, status: 401 }], requests: 10, ...sim },
    engine: engine ?? [{ id: 'c1', session: 'S1', direction: 'inbound', script: 'front-desk', outcome: 'completed' }],
    crashes: [],
    serverAlive: true,
    memory: { startBytes: 20e6, endBytes: 21e6, allowedGrowthBytes: 8 * 2 ** 20, leftovers: { 'calls active in the store': 0 } },
    ...rest,
  };
}

const broken = (e: SoakEvidence): Record<string, number> =>
  Object.fromEntries(checkInvariants(e).filter((i) => i.broken > 0).map((i) => [i.name.split(' (')[0]?.split(';')[0] ?? i.name, i.broken]));

describe('soak invariants', () => {
  it('a clean run breaks nothing, and every invariant was checked', () => {
    const result = checkInvariants(evidence());
    expect(result.every((i) => i.broken === 0)).toBe(true);
    expect(result.every((i) => i.checked > 0)).toBe(true);
  });

  it('a call still up, or left to the provider’s idle timeout, did not reach a terminal state', () => {
    expect(broken(evidence({ calls: [simCall({ state: 'ready', endReason: null })] }))).toEqual({ 'every call reached a terminal state': 1 });
    expect(broken(evidence({ calls: [simCall({ endReason: 'idle-timeout' })] }))).toEqual({ 'every call reached a terminal state': 1 });
    expect(broken(evidence({ engine: [{ id: 'c1', session: 'S1', direction: 'inbound', script: 'x', outcome: null }] }))).toEqual({
      'every call reached a terminal state': 1,
    });
  });

  it('two blocks at once, a block after the end and other protocol mistakes are each reported', () => {
    const v = (seq: number, kind: string) => ({ seq, kind, block: 'play', detail: kind });
    const e = evidence({ calls: [simCall({ violations: [v(5, 'not-ready'), v(6, 'after-end-block'), v(7, 'invalid-params')] })] });
    expect(broken(e)).toEqual({
      'no two blocks were outstanding at once': 1,
      'no block after the call ended': 1,
      'no other protocol violation': 1,
    });
    expect(broken(evidence({ sim: { unattributed: [v(3, 'auth')] } }))).toEqual({ 'no other protocol violation': 1 });
  });

  it('after a block whose answer was lost, overlaps and the provider’s idle timeout are set aside, and counted', () => {
    const e = evidence({
      calls: [simCall({ answerLostAt: 4, endReason: 'idle-timeout', violations: [{ seq: 5, kind: 'not-ready', block: 'hangup', detail: '' }] })],
    });
    const result = checkInvariants(e);
    expect(result.every((i) => i.broken === 0)).toBe(true);
    expect(result.find((i) => i.name.startsWith('no two blocks'))?.excused).toBe(1);
    expect(result.find((i) => i.name.startsWith('every call'))?.excused).toBe(1);
    // Before the lost answer, an overlap is the engine's own mistake.
    const early = evidence({ calls: [simCall({ answerLostAt: 9, violations: [{ seq: 5, kind: 'not-ready', block: 'play', detail: '' }] })] });
    expect(broken(early)).toEqual({ 'no two blocks were outstanding at once': 1 });
  });

  it('a forged notification answered otherwise than refused breaks the run', () => {
    const forged = [
      { kind: 'wrong-token' as const, session: 'S1', expected: 403, status: 403 },
      { kind: 'unsigned' as const, session: 'S1', expected: 401, status: 200 },
    ];
    expect(broken(evidence({ sim: { forged } }))).toEqual({ 'no forged notification was accepted': 1 });
    expect(broken(evidence({ sim: { forged: [] } }))).toEqual({ 'no forged notification was accepted': 1 });
  });

  it('a crash, a dead server, memory that stays up or calls left behind break the run', () => {
    expect(broken(evidence({ crashes: ['unhandled rejection: boom'] }))).toEqual({ 'no unhandled rejection or crash': 1 });
    expect(broken(evidence({ serverAlive: false }))).toEqual({ 'no unhandled rejection or crash': 1 });
    const grew = { startBytes: 20e6, endBytes: 60e6, allowedGrowthBytes: 8 * 2 ** 20, leftovers: { 'calls active in the store': 3 } };
    expect(broken(evidence({ memory: grew }))).toEqual({ 'memory returns near its start once calls end': 2 });
  });
});
