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

/**
 * Text that is XML already: a constant, or a continuation URL built from the block's URL
 * escaped once. An attribute written as a plain string is escaped where it is written;
 * escaping the same URL for each verb that carries it was most of the renderer's work.
 */
class Escaped {
  constructor(readonly xml: string) {}
}

type Attributes = ReadonlyArray<readonly [string, string | number | Escaped | undefined]>;

/** Any text a template renders stays well-formed XML (Twilio error 12100 otherwise): see xmlText. */
const escape = xmlText;

const POST = new Escaped('POST');
const DTMF = new Escaped('dtmf');
const HASH = new Escaped('#');
const TRUE = new Escaped('true');
const DO_NOT_TRIM = new Escaped('do-not-trim');

function element(name: string, attributes: Attributes, children?: string): string {
  let out = `<${name}`;
  for (const [key, value] of attributes) {
    if (value !== undefined) out += ` ${key}="${typeof value === 'number' ? value : value instanceof Escaped ? value.xml : escape(value)}"`;
  }
  return children === undefined ? `${out}/>` : `${out}>${children}</${name}>`;
}

/** `continuationUrl` of a block URL escaped once (`step`): what it adds is `&`, a constant and a number. */
function continuation(step: Escaped, k: Continuation, attempt?: number): Escaped {
  return new Escaped(continuationUrl(step.xml, k, attempt, '&amp;'));
}

function document(verbs: string): string {
  return `${DECLARATION}<Response>${verbs}</Response>`;
}

/** `<Say>`, `<Play>` and `<Pause>` for a message. */
export function renderParts(parts: readonly MessagePart[] | undefined): string {
  let out = '';
  for (const part of parts ?? []) {
    switch (part.type) {
      case 'say': {
        // Escaping keeps what is blank blank and what is not, not: one pass for both questions.
        const text = escape(part.text);
        if (text.trim() === '') break;
        const { voice, language } = sayVoice(part.voice);
        out += element('Say', [['voice', voice], ['language', language], ['loop', 1]], text);
        break;
      }
      case 'play':
        out += element('Play', [['loop', 1]], escape(part.url.trim()));
        break;
      case 'pause':
        // TwiML pauses are whole seconds; a shorter one still pauses.
        out += element('Pause', [['length', Math.max(1, Math.round(part.seconds))]]);
        break;
    }
  }
  return out;
}

/** Renders TwiML for one dialect; `step` is the block's `stepUrl`. */
export class TwimlRenderer {
  constructor(private readonly d: TwimlDialect) {}

  private method(): readonly [string, Escaped | undefined] {
    return ['method', this.d.methodAttribute ? POST : undefined];
  }

  private redirect(step: Escaped, k: Continuation): string {
    return element('Redirect', [this.method()], continuation(step, k).xml);
  }

  /** The reply that runs `block`; a gather starts at attempt `fromAttempt` (the earlier ones passed with no input). */
  block(block: Block, stepUrl: string, fromAttempt = 1): string {
    const step = new Escaped(escape(stepUrl));
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
    return document(element('Pause', [['length', HOLD_SECONDS]]) + this.redirect(new Escaped(escape(stepUrl)), 'hold'));
  }

  /**
   * One `<Gather>` per remaining attempt where an empty gather falls through
   * (Telnyx), or one with `actionOnEmptyResult` that reports each empty attempt
   * (the route then answers with the next); either way a final `<Redirect>`
   * reports no input.
   */
  private gather(block: GatherBlock, step: Escaped, fromAttempt: number): string {
    const attempts = Math.max(1, block.attempts ?? DEFAULT_ATTEMPTS);
    const last = this.d.actionOnEmptyResult ? Math.min(fromAttempt, attempts) : attempts;
    const prompt = renderParts(block.prompt);
    const numDigits = block.maxDigits !== undefined && block.maxDigits > 0 ? block.maxDigits : UNBOUNDED_DIGITS;
    let out = '';
    for (let attempt = fromAttempt; attempt <= last; attempt++) {
      out += element(
        'Gather',
        [
          ['action', continuation(step, 'gather', attempt)],
          this.method(),
          ['input', DTMF],
          ['numDigits', numDigits],
          ['timeout', block.timeout ?? DEFAULT_GATHER_TIMEOUT],
          ['finishOnKey', HASH],
          ['actionOnEmptyResult', this.d.actionOnEmptyResult ? TRUE : undefined],
        ],
        prompt,
      );
    }
    return out + this.redirect(step, 'none');
  }

  /** The prompt, then the recording; a recording with no audio falls through to a report without a URL. */
  private record(block: RecordBlock, step: Escaped): string {
    const maxLength = block.maxDuration ?? DEFAULT_RECORD_SECONDS;
    const record = element('Record', [
      ['action', continuation(step, 'record')],
      this.method(),
      ['maxLength', maxLength],
      ['timeout', this.d.recordSilence(maxLength)],
      ['finishOnKey', HASH],
      ['playBeep', TRUE],
      ['trim', DO_NOT_TRIM],
    ]);
    return renderParts(block.prompt) + record + this.redirect(step, 'record');
  }

  /** The message, then the transfer; its action reports how the transfer ended. */
  private transfer(block: TransferBlock, step: Escaped): string {
    const dial = element(
      'Dial',
      [
        ['action', continuation(step, block.onFailure === 'continue' ? 'dial' : 'dial-end')],
        this.method(),
        ['timeout', DIAL_TIMEOUT],
        ['timeLimit', DIAL_TIME_LIMIT],
        // Without one each provider shows the caller's own number, where the provider allows it.
        ['callerId', block.callerId],
      ],
      element('Number', [], escape(block.to)),
    );
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
