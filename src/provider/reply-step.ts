/**
 * What the reply adapters (jambonz, the TwiML family) do alike with a webhook at
 * a block's URL (`/<provider>/step/<call>/<seq>?t=…&k=…&a=…`): read the URL's
 * parts, hand what the verb reported to the runner (asking for a gather's next
 * attempt while one is left), and answer a refusal. Each adapter keeps its wire
 * format: how a report is read from the body and how a reply is rendered.
 */
import type { GatherBlock } from '../engine/blocks.js';
import type { CallEvent } from '../engine/events.js';
import type { Logger } from '../log/logger.js';
import type { CallRunner, ReplyResult } from '../runtime/call-runner.js';
import { errorAnswer, queryValues, type WebhookAnswer, type WebhookRequest } from '../server/webhook.js';
import type { RefusalReason } from './port.js';

/** What a webhook at a block's URL reports, in engine terms. */
export type StepReport =
  /** Apply this event; the reply is the next block. */
  | { readonly type: 'event'; readonly event: CallEvent }
  /** Gather attempt `attempt` passed with no input: ask again from the next attempt, or report no input after the last. */
  | { readonly type: 'empty-attempt'; readonly attempt: number }
  /** Nothing happened (after a hold): the reply is the block again. */
  | { readonly type: 'ask' };

/** A block URL's parts: the call, the block, its token, which verb ended (`k`) and the gather attempt (`a`). */
export interface StepAddress {
  readonly id: string;
  readonly seq: number;
  readonly token: string;
  readonly k: string | undefined;
  readonly attempt: number;
}

/** What a block URL's query carries: the call's token, which verb ended, the gather attempt. */
const STEP_QUERY = ['t', 'k', 'a'] as const;

/** The parts of the step URL `c` was sent to; undefined (answer 400) when it is not one this server wrote. */
export function stepAddress(req: WebhookRequest, continuations: ReadonlySet<string>): StepAddress | undefined {
  const seq = Number(req.param('seq'));
  const [token, k, a] = queryValues(req.query, STEP_QUERY);
  const attempt = Number(a ?? '1');
  if (!Number.isSafeInteger(seq) || seq < 0 || (k !== undefined && !continuations.has(k)) || !Number.isSafeInteger(attempt) || attempt < 1) {
    return undefined;
  }
  return { id: req.param('id'), seq, token: token ?? '', k, attempt };
}

export type StepOutcome =
  | { readonly type: 'result'; readonly result: ReplyResult }
  /** A gather attempt passed with no input and another is left: render this attempt of the gather. */
  | { readonly type: 'next-attempt'; readonly gather: GatherBlock; readonly attempt: number };

/** Hands a step webhook's report to the runner; `session` is the provider's call id the webhook named. */
export async function replyToStep(runner: Pick<CallRunner, 'replyTo'>, at: StepAddress, report: StepReport, session: string): Promise<StepOutcome> {
  const { id, token, seq } = at;
  if (report.type === 'event') return { type: 'result', result: await runner.replyTo(id, token, report.event, session, seq) };
  if (report.type === 'ask') return { type: 'result', result: await runner.replyTo(id, token, undefined, session, seq) };
  // One attempt of a gather passed with no input: the block is still outstanding, so ask from the next attempt.
  const result = await runner.replyTo(id, token, undefined, session, seq - 1);
  if (result.verdict === 'accepted' && result.reply.type === 'block' && result.reply.seq === seq && result.reply.block.kind === 'gather') {
    const gather = result.reply.block;
    if (report.attempt < (gather.attempts ?? 1)) return { type: 'next-attempt', gather, attempt: report.attempt + 1 };
    return { type: 'result', result: await runner.replyTo(id, token, { type: 'block.done', seq, digits: '' }, session, seq) };
  }
  return { type: 'result', result };
}

export interface Refusal {
  readonly log: Logger;
  readonly refused: (reason: RefusalReason) => void;
  /** The adapter's hangup, for a call this server does not know. */
  readonly hangup: () => WebhookAnswer;
}

/** The answer to a step webhook the runner refused, logged and counted. */
export function refuseStep(verdict: Exclude<ReplyResult['verdict'], 'accepted'>, at: StepAddress, session: string, o: Refusal): WebhookAnswer {
  switch (verdict) {
    case 'unknown-call':
      // A call this server no longer knows (or never did): end it politely rather than fail the provider's request.
      o.log.warn({ call: at.id, session, reason: 'unknown-call' }, 'notification.refused');
      o.refused('unknown-call');
      return o.hangup();
    case 'bad-token':
    case 'session-mismatch':
      o.log.warn({ call: at.id, session, reason: verdict }, 'notification.refused');
      o.refused(verdict);
      return errorAnswer(403, 'CS_FORBIDDEN', 'this request does not belong to that call');
    case 'busy':
      o.refused('busy');
      return errorAnswer(503, 'CS_BUSY', 'the call stayed locked by another server for too long');
    case 'error':
      o.refused('error');
      return errorAnswer(503, 'CS_INTERNAL', 'the request could not be handled');
  }
}
