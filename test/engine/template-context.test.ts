import { describe, expect, it } from 'vitest';
import { startInbound, step } from '../../src/engine/interpreter.js';
import { said } from '../../src/engine/parts.js';
import { copyState, OPTIONAL_FIELDS, type CallState } from '../../src/engine/state.js';
import { mustCompile } from '../helpers/compile.js';

const call = { id: 'c1', token: 't', session: 'S1', providerRef: 'T1', from: '+6591234567', to: '+6560000011' };

describe('the template context', () => {
  it('holds vars whose names are Object.prototype members as plain own values', () => {
    const script = mustCompile(`name: p
numbers: ["+6560000011"]
vars: { "__proto__": "X", constructor: "C", toString: "S", company: "Acme" }
steps:
  a:
    gather: { prompt: "[{{__proto__}}] [{{constructor}}] [{{toString}}] [{{company}}] {{call.from}}", max_digits: 1 }
    save_as: constructor
    next: b
  b:
    hangup: "[{{constructor}}] [{{__proto__}}] {{digits}}"
`);
    const t = startInbound(script, call, { now: 0 });
    expect(t.actions).toEqual([{ type: 'send', seq: 1, block: { kind: 'gather', prompt: said('[X] [C] [S] [Acme] +6591234567'), maxDigits: 1 } }]);
    // A saved value overrides the script's default of the same name.
    const next = step(script, t.state, { type: 'block.done', seq: 1, digits: '5' }, { now: 1 });
    expect(next.actions).toEqual([{ type: 'send', seq: 2, block: { kind: 'hangup', message: said('[5] [X] 5') } }]);
  });

  it('copyState copies every field, optional ones only when set', () => {
    const script = mustCompile(`name: p
numbers: ["+6560000011"]
steps:
  a:
    hangup: "Bye."
`);
    const { state } = startInbound(script, { ...call, clock: 42 }, { now: 7 });
    expect(copyState(state, 9)).toEqual({ ...state, updatedAt: 9 });
    // Every optional field set, each to a value of its own: one copyState leaves out fails here.
    const values: Record<(typeof OPTIONAL_FIELDS)[number], unknown> = {
      frames: [{ script: 's', version: 'v', returnTo: 'a' }],
      attempt: 1,
      httpStatus: '200',
      errors: 1,
      errorStep: 'a',
      clock: 5,
      inputs: [{ step: 'a', digits: '1' }],
      recordings: ['r'],
      forced: 'error_busy',
      outbox: { seq: 1, block: { kind: 'hangup', message: said('Bye.') } },
    };
    const full = { ...state, ...values } as CallState;
    expect(Object.keys(values).sort()).toEqual([...OPTIONAL_FIELDS].sort());
    expect(copyState(full, 9)).toEqual({ ...full, updatedAt: 9 });
    expect(copyState(full, 9, { outbox: false })).toEqual({ ...full, outbox: undefined, updatedAt: 9 });
    expect(Object.keys(copyState(full, 9, { outbox: false }))).not.toContain('outbox');
    expect(Object.keys(copyState(state, 9))).not.toContain('frames');
  });
});
