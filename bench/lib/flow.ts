/**
 * The call flow every benchmark call follows, shared by the engine's script, the
 * hand-written baseline and the fake provider (which checks that both send exactly
 * the same blocks, so they do the same work):
 *
 *   play → gather (caller presses 7: invalid) → gather again (presses 1) →
 *   transfer (busy) → record → hangup
 *
 * Six blocks and seven notifications (ringing, five results, ended) per call.
 */

export const BENCH_NUMBER = '+6560009999';
export const CALLER_NUMBER = '+6591234567';
export const COMPANY = 'Acme';

export const BENCH_SCRIPT = `name: bench
description: The benchmark's call flow (bench/lib/flow.ts)
numbers: ["${BENCH_NUMBER}"]
vars:
  company: ${COMPANY}
steps:
  welcome:
    play: "Welcome to {{company}}. Calls may be recorded for quality."
    next: menu
  menu:
    gather: { prompt: "For sales press 1. For support press 2.", max_digits: 1, timeout: 10, attempts: 2 }
    branches: { "1": sales, "2": support }
    invalid: { message: "Sorry, that is not a valid choice.", retries: 2, goto: goodbye }
    no_input: goodbye
  sales:
    transfer: { to: "+6562223333", message: "Connecting you to sales.", caller_id: "{{call.from}}" }
    on_failure: voicemail
  support:
    transfer: { to: "+6562224444", message: "Connecting you to support." }
    on_failure: voicemail
  voicemail:
    record: { prompt: "Nobody is free right now. Please leave a message after the tone.", max_duration: 60 }
    save_as: voicemail_url
    next: thanks
  thanks:
    hangup: "Thank you for calling {{company}}. Goodbye."
  goodbye:
    hangup: "Goodbye."
`;

export type BenchBlock = 'play' | 'gather' | 'transfer' | 'record' | 'hangup';

export interface ExpectedBlock {
  /** Path under the API base, e.g. `ivr/middle/play`. */
  readonly path: string;
  readonly block: BenchBlock;
  /** Parameters that must be present with exactly these values (besides session and notify_url). */
  readonly params: Readonly<Record<string, string>>;
}

/** The blocks of one call, in order, as the provider must receive them. */
export function expectedBlocks(from: string): readonly ExpectedBlock[] {
  const menu = 'For sales press 1. For support press 2.';
  return [
    { path: 'ivr/middle/play', block: 'play', params: { msg: `Welcome to ${COMPANY}. Calls may be recorded for quality.` } },
    { path: 'ivr/middle/gather', block: 'gather', params: { msg: menu, max_digits: '1', timeout: '10', attempts: '2' } },
    {
      path: 'ivr/middle/gather',
      block: 'gather',
      params: { msg: `Sorry, that is not a valid choice. ${menu}`, max_digits: '1', timeout: '10', attempts: '2' },
    },
    {
      path: 'ivr/end/transfer',
      block: 'transfer',
      params: { dest: '+6562223333', msg: 'Connecting you to sales.', caller_id: from, on_failure: 'continue' },
    },
    {
      path: 'ivr/middle/record',
      block: 'record',
      params: { msg: 'Nobody is free right now. Please leave a message after the tone.', max_duration: '60' },
    },
    { path: 'ivr/end/hangup', block: 'hangup', params: { msg: `Thank you for calling ${COMPANY}. Goodbye.` } },
  ];
}

/** What the caller does at block `index` of the flow: the fields of that block's notification. */
export function callerResult(index: number, recordUrl: string): Readonly<Record<string, string>> {
  switch (index) {
    case 0:
      return { call_state: 'ongoing', ivr_block: 'play' };
    case 1:
      return { call_state: 'ongoing', ivr_block: 'gather', digits: '7' };
    case 2:
      return { call_state: 'ongoing', ivr_block: 'gather', digits: '1' };
    case 3:
      return { call_state: 'ongoing', ivr_block: 'transfer', transfer_status: 'busy' };
    case 4:
      return { call_state: 'ongoing', ivr_block: 'record', record_url: recordUrl };
    default:
      return { call_state: 'ended', ivr_block: 'hangup', duration: '1', currency: 'SGD', rate: '0.05', debit: '0.05' };
  }
}

export const BLOCKS_PER_CALL = 6;
