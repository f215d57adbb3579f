/**
 * What a call heard and did, for `GET /calls/<session>`: every block the engine
 * sent (with its text) and every result that came back. Kept by the store next to
 * the call, not in `CallState`: the state is read and written on every step and
 * must stay small, while the transcript is only appended to and read on inspection.
 */
import { formatParts } from '../engine/parts.js';
import type { Block, BlockKind } from '../engine/blocks.js';
import type { CallEvent } from '../engine/events.js';
import type { Transition } from '../engine/transition.js';
import { redactUrl } from '../log/redact.js';

export type TranscriptEntry =
  /** A block the engine sent (written just before it goes to the provider). */
  | {
      readonly at: number;
      readonly type: 'sent';
      readonly seq: number;
      readonly step: string | null;
      readonly block: BlockKind;
      /** The message or prompt, as rendered. */
      readonly text?: string;
      /** Transfer or dial destination. */
      readonly to?: string;
      readonly force?: true;
    }
  /** A result from the provider: a notification, or the session an outbound Dial got. */
  | {
      readonly at: number;
      readonly type: 'received';
      readonly event: 'block.done' | 'ended' | 'dial.accepted' | 'http.result';
      readonly seq?: number;
      readonly digits?: string;
      readonly status?: string;
      readonly recordUrl?: string;
      /** http.result: why there was no usable answer (timeout, network, malformed, …). */
      readonly failure?: string;
    }
  /** An http step's request (its result comes back as a `received` http.result). */
  | { readonly at: number; readonly type: 'http'; readonly seq: number; readonly step: string | null; readonly method: string; readonly url: string }
  /** A block that could not be sent. */
  | { readonly at: number; readonly type: 'failed'; readonly seq: number; readonly code: string; readonly message: string };

/** Entries kept per call; older ones are dropped first. The step limit bounds a call anyway. */
export const TRANSCRIPT_LIMIT = 100;

/** The entries one transition adds: the event that caused it (if any), then the blocks it sends. */
export function transcriptEntries(event: CallEvent | undefined, t: Transition, at: number): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  if (event !== undefined) out.push(received(event, at));
  for (const action of t.actions) {
    if (action.type === 'send') out.push(sent(action.seq, t.state.step, action.block, at));
    // Without query values and userinfo: the transcript is stored and shown by GET /calls.
    else if (action.type === 'http') out.push({ at, type: 'http', seq: action.seq, step: action.step, method: action.request.method, url: redactUrl(action.request.url) });
  }
  return out;
}

function received(event: CallEvent, at: number): TranscriptEntry {
  switch (event.type) {
    case 'send.failed':
      return { at, type: 'failed', seq: event.seq, code: event.code, message: event.message };
    case 'dial.accepted':
      return { at, type: 'received', event: 'dial.accepted' };
    case 'block.done':
      return {
        at,
        type: 'received',
        event: 'block.done',
        seq: event.seq,
        ...(event.digits !== undefined ? { digits: event.digits } : {}),
        ...(event.status !== undefined && event.status !== '' ? { status: event.status } : {}),
        ...(event.recordUrl !== undefined && event.recordUrl !== '' ? { recordUrl: event.recordUrl } : {}),
      };
    case 'http.result':
      return {
        at,
        type: 'received',
        event: 'http.result',
        seq: event.seq,
        ...(event.status !== undefined ? { status: String(event.status) } : {}),
        ...(event.failure !== undefined ? { failure: event.failure } : {}),
      };
    case 'ended':
      return {
        at,
        type: 'received',
        event: 'ended',
        ...(event.seq !== undefined ? { seq: event.seq } : {}),
        ...(event.status !== undefined && event.status !== '' ? { status: event.status } : {}),
        ...(event.recordUrl !== undefined && event.recordUrl !== '' ? { recordUrl: event.recordUrl } : {}),
      };
  }
}

function sent(seq: number, step: string | null, block: Block, at: number): TranscriptEntry {
  const base = { at, type: 'sent' as const, seq, step, block: block.kind };
  switch (block.kind) {
    case 'dial':
      return { ...base, to: block.to };
    case 'play':
      return { ...base, text: formatParts(block.message) };
    case 'gather':
    case 'record':
      return block.prompt !== undefined ? { ...base, text: formatParts(block.prompt) } : base;
    case 'monitor':
      return block.message !== undefined ? { ...base, text: formatParts(block.message) } : base;
    case 'transfer':
      return { ...base, to: block.to, ...(block.message !== undefined ? { text: formatParts(block.message) } : {}) };
    case 'hangup':
      return {
        ...base,
        ...(block.message !== undefined ? { text: formatParts(block.message) } : {}),
        ...(block.force === true ? { force: true as const } : {}),
      };
  }
}
