/**
 * A block as a TwiML document: the reply to the webhook that asked for it.
 * Every attribute whose default differs between Twilio, Telnyx and SignalWire
 * is written out (../shared/providers.md §3.1, §10.4), every continuation URL is
 * absolute and XML-escaped, and every way a verb can end leads to a request
 * that names the block, so the runtime always learns what happened.
 */
import type { Block, GatherBlock, RecordBlock, TransferBlock } from '../../engine/blocks.js';
import type { MessagePart } from '../../engine/parts.js';
import { xmlText } from '../../util/xml.js';
import type { TwimlDialect } from './dialect.js';
import { continuationUrl, type Continuation } from './urls.js';
import { sayVoice } from './voices.js';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Hoiio's defaults (its PHP SDK's), so a script sounds the same there and here. */
export const DEFAULT_GATHER_TIMEOUT = 15;
export const DEFAULT_ATTEMPTS = 1;
export const DEFAULT_RECORD_SECONDS = 120;
/** Unbounded input on Hoiio (max_digits 0) ends on `#` or the timeout; this is the most any of the three takes. */
export const UNBOUNDED_DIGITS = 128;
/** A transfer rings this long: 30 s is Twilio's and Telnyx's default; SignalWire's is UNCONFIRMED. */
export const DIAL_TIMEOUT = 30;
/** The longest a transferred call may last (Twilio's and Telnyx's default and maximum, 4 h). */
export const DIAL_TIME_LIMIT = 14400;
/** How long a hold keeps the caller in silence before asking again. */
export const HOLD_SECONDS = 2;

/** Any text a template renders stays well-formed XML (Twilio error 12100 otherwise): see xmlText. */
const escape = xmlText;

/**
 * Each verb is written as one template, its constant attributes already escaped and its
 * numbers known to be numbers: the attribute lists this replaced cost an array per verb
 * and a generic string conversion per value (docs/performance.md, "The tenth look").
 * The block URL is escaped once per reply and each continuation built from it with `&amp;`.
 */
function continuation(step: string, k: Continuation, attempt?: number): string {
  return continuationUrl(step, k, attempt, '&amp;');
}

function document(verbs: string): string {
  return `${DECLARATION}<Response>${verbs}</Response>`;
}

/** `<Say … loop="1">` for each voice sayVoice answers, built once. */
const sayTags = new WeakMap<object, string>();
const DEFAULT_SAY = sayTag(sayVoice(undefined));

function sayTag(said: { readonly voice: string; readonly language: string }): string {
  let tag = sayTags.get(said);
  if (tag === undefined) {
    tag = `<Say voice="${escape(said.voice)}" language="${escape(said.language)}" loop="1">`;
    sayTags.set(said, tag);
  }
  return tag;
}

/** `<Say>`, `<Play>` and `<Pause>` for a message. */
export function renderParts(parts: readonly MessagePart[] | undefined): string {
  let out = '';
  if (parts === undefined) return out;
  for (const part of parts) {
    switch (part.type) {
      case 'say': {
        // Escaping keeps what is blank blank and what is not, not: one pass for both questions.
        const text = escape(part.text);
        if (text.trim() === '') break;
        out += `${part.voice === undefined ? DEFAULT_SAY : sayTag(sayVoice(part.voice))}${text}</Say>`;
        break;
      }
      case 'play':
        out += `<Play loop="1">${escape(part.url.trim())}</Play>`;
        break;
      case 'pause':
        // TwiML pauses are whole seconds; a shorter one still pauses.
        out += `<Pause length="${Math.max(1, Math.round(part.seconds))}"/>`;
        break;
    }
  }
  return out;
}

/** Renders TwiML for one dialect; `step` is the block's `stepUrl`. */
export class TwimlRenderer {
  /** ` method="POST"` where the dialect documents the attribute, else nothing. */
  private readonly method: string;
  /** ` actionOnEmptyResult="true"` where the dialect documents it, else nothing. */
  private readonly onEmpty: string;

  constructor(private readonly d: TwimlDialect) {
    this.method = d.methodAttribute ? ' method="POST"' : '';
    this.onEmpty = d.actionOnEmptyResult ? ' actionOnEmptyResult="true"' : '';
  }

  private redirect(step: string, k: Continuation): string {
    return `<Redirect${this.method}>${continuation(step, k)}</Redirect>`;
  }

  /** The reply that runs `block`; a gather starts at attempt `fromAttempt` (the earlier ones passed with no input). */
  block(block: Block, stepUrl: string, fromAttempt = 1): string {
    const step = escape(stepUrl);
    switch (block.kind) {
      case 'play':
        return document(renderParts(block.message) + this.redirect(step, 'next'));
      case 'monitor':
        // The recording itself is started over REST when this reply is sent (routes.ts).
        return document(renderParts(block.message) + this.redirect(step, 'next'));
      case 'gather':
        return document(this.gather(block, step, fromAttempt));
      case 'record':
        return document(this.record(block, step));
      case 'transfer':
        return document(this.transfer(block, step));
      case 'hangup':
        return document(`${block.force === true ? '' : renderParts(block.message)}<Hangup/>`);
      case 'dial':
        // Outbound dials go over REST, never in a reply; a call that somehow asks for one is ended.
        return hangupReply();
    }
  }

  /** A moment of silence, then the same question again: an http step is still out. */
  hold(stepUrl: string): string {
    return document(`<Pause length="${HOLD_SECONDS}"/>${this.redirect(escape(stepUrl), 'hold')}`);
  }

  /**
   * One `<Gather>` per remaining attempt where an empty gather falls through
   * (Telnyx), or one with `actionOnEmptyResult` that reports each empty attempt
   * (the route then answers with the next); either way a final `<Redirect>`
   * reports no input.
   */
  private gather(block: GatherBlock, step: string, fromAttempt: number): string {
    const attempts = Math.max(1, block.attempts ?? DEFAULT_ATTEMPTS);
    const last = this.d.actionOnEmptyResult ? Math.min(fromAttempt, attempts) : attempts;
    const prompt = renderParts(block.prompt);
    const numDigits = block.maxDigits !== undefined && block.maxDigits > 0 ? block.maxDigits : UNBOUNDED_DIGITS;
    const timeout = block.timeout ?? DEFAULT_GATHER_TIMEOUT;
    let out = '';
    for (let attempt = fromAttempt; attempt <= last; attempt++) {
      out +=
        `<Gather action="${continuation(step, 'gather', attempt)}"${this.method} input="dtmf" numDigits="${numDigits}" timeout="${timeout}" finishOnKey="#"${this.onEmpty}>` +
        `${prompt}</Gather>`;
    }
    return out + this.redirect(step, 'none');
  }

  /** The prompt, then the recording; a recording with no audio falls through to a report without a URL. */
  private record(block: RecordBlock, step: string): string {
    const maxLength = block.maxDuration ?? DEFAULT_RECORD_SECONDS;
    const record =
      `<Record action="${continuation(step, 'record')}"${this.method} maxLength="${maxLength}" timeout="${this.d.recordSilence(maxLength)}"` +
      ` finishOnKey="#" playBeep="true" trim="do-not-trim"/>`;
    return renderParts(block.prompt) + record + this.redirect(step, 'record');
  }

  /** The message, then the transfer; its action reports how the transfer ended. */
  private transfer(block: TransferBlock, step: string): string {
    // Without a callerId each provider shows the caller's own number, where the provider allows it.
    const callerId = block.callerId === undefined ? '' : ` callerId="${escape(block.callerId)}"`;
    const dial =
      `<Dial action="${continuation(step, block.onFailure === 'continue' ? 'dial' : 'dial-end')}"${this.method} timeout="${DIAL_TIMEOUT}" timeLimit="${DIAL_TIME_LIMIT}"${callerId}>` +
      `<Number>${escape(block.to)}</Number></Dial>`;
    return renderParts(block.message) + dial;
  }
}

/** Ends the call: the answer to a webhook for a call that is over or unknown. */
export function hangupReply(message?: readonly MessagePart[]): string {
  return document(`${renderParts(message)}<Hangup/>`);
}

/** An answer with nothing to run, for status callbacks (whose answer the providers ignore). */
export function emptyReply(): string {
  return document('');
}
