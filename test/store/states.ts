import type { CallState } from '../../src/engine/state.js';
import type { TranscriptEntry } from '../../src/store/transcript.js';

let counter = 0;

/** A complete, realistic call state; every field set so round trips are checked for all of them. */
export function callState(overrides: Partial<CallState> = {}): CallState {
  counter += 1;
  const now = Date.now();
  return {
    id: `c${String(counter).padStart(6, '0')}`,
    token: 'tok-0123456789abcdefghij',
    script: 'acme',
    version: '0123456789abcdef',
    direction: 'inbound',
    from: '+6591234567',
    to: '+6560000001',
    session: `S${counter}`,
    providerRef: `AA-C-${1_000_000 + counter}`,
    status: 'active',
    step: 'menu',
    seq: 2,
    pending: 'gather',
    retries: 1,
    vars: { account: '12345678', 'odd key': 'ünïcödé ☎' },
    digits: '7',
    recordUrl: '',
    transferStatus: '',
    steps: 2,
    path: ['welcome', 'menu'],
    ending: null,
    lastResort: false,
    outcome: null,
    startedAt: now - 1000,
    updatedAt: now,
    ...overrides,
  };
}

export function sentEntry(seq: number, text: string): TranscriptEntry {
  return { at: Date.now(), type: 'sent', seq, step: 'menu', block: 'gather', text };
}
