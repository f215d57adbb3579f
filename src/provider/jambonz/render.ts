/**
 * A block as a jambonz verb array: the JSON answer to the hook that asked for
 * it. Every verb that can end leads to a hook naming the block (a `redirect`,
 * a gather's or dial's `actionHook`), so the runtime always learns what
 * happened; every list is complete and non-empty, since jambonz keeps running
 * the verbs left from the previous answer when a hook answers `[]`
 * (../shared/providers.md §3.2). Each attribute whose jambonz default differs
 * from Hoiio's behaviour is written out.
 */
import type { Block, GatherBlock, RecordBlock, TransferBlock } from '../../engine/blocks.js';
import type { MessagePart, Voice } from '../../engine/parts.js';
import { sameVoice } from '../../engine/parts.js';
import { continuationUrl, listenUrl, type Continuation } from './urls.js';
import { synthesizerFor, type Synthesizer } from './voices.js';

/** Hoiio's defaults (its PHP SDK's), so a script behaves the same there and here. */
export const DEFAULT_GATHER_TIMEOUT = 15;
export const DEFAULT_ATTEMPTS = 1;
/** Unbounded input on Hoiio (max_digits 0) ends on `#` or the timeout. */
export const UNBOUNDED_DIGITS = 128;
/** A transfer rings this long (jambonz's own default is 60 s; Twilio's and Hoiio's callers are used to 30). */
export const DIAL_TIMEOUT = 30;
/** The longest a transferred call may last (4 h, as on the TwiML family). */
export const DIAL_TIME_LIMIT = 14400;
export const DEFAULT_RECORD_SECONDS = 120;
/** The audio a recording is streamed in (jambonz's own default): 8 kHz, 16-bit, mono. */
export const RECORD_SAMPLE_RATE = 8000;
/** How long a hold keeps the caller in silence before asking again. */
export const HOLD_SECONDS = 2;

/** A hook jambonz requests: always POST, since a GET carries no payload (§1). */
export interface Hook {
  readonly url: string;
  readonly method: 'POST';
}

export type SayVerb = { readonly verb: 'say'; readonly text: string; readonly synthesizer?: Synthesizer };
export type PlayVerb = { readonly verb: 'play'; readonly url: string };
export type PauseVerb = { readonly verb: 'pause'; readonly length: number };

export type Verb =
  | SayVerb
  | PlayVerb
  | PauseVerb
  | { readonly verb: 'redirect'; readonly actionHook: Hook }
  | { readonly verb: 'hangup' }
  | {
      readonly verb: 'gather';
      readonly actionHook: Hook;
      readonly input: readonly ['digits'];
      readonly numDigits: number;
      readonly timeout: number;
      readonly finishOnKey: '#';
      readonly say?: Omit<SayVerb, 'verb'>;
      readonly play?: Omit<PlayVerb, 'verb'>;
    }
  | {
      readonly verb: 'dial';
      readonly actionHook: Hook;
      readonly target: readonly [{ readonly type: 'phone'; readonly number: string }];
      readonly timeout: number;
      readonly timeLimit: number;
      readonly callerId?: string;
    }
  | {
      readonly verb: 'listen';
      readonly url: string;
      readonly actionHook: Hook;
      readonly maxLength: number;
      readonly finishOnKey: '#';
      readonly playBeep: true;
      readonly mixType: 'mono';
      readonly sampleRate: number;
    };

const hook = (url: string): Hook => ({ url, method: 'POST' });

/** What the caller hears, one verb per part; consecutive texts in one voice are one `say`. */
export function renderParts(parts: readonly MessagePart[] | undefined, vendor: string): Array<SayVerb | PlayVerb | PauseVerb> {
  const out: Array<SayVerb | PlayVerb | PauseVerb> = [];
  let lastVoice: Voice | undefined;
  for (const part of parts ?? []) {
    switch (part.type) {
      case 'say': {
        if (part.text.trim() === '') break;
        const prev = out.at(-1);
        if (prev?.verb === 'say' && sameVoice(lastVoice, part.voice)) {
          out[out.length - 1] = { ...prev, text: `${prev.text} ${part.text}` };
          break;
        }
        const synthesizer = synthesizerFor(part.voice, vendor);
        out.push(synthesizer !== undefined ? { verb: 'say', text: part.text, synthesizer } : { verb: 'say', text: part.text });
        lastVoice = part.voice;
        break;
      }
      case 'play':
        if (part.url.trim() !== '') out.push({ verb: 'play', url: part.url.trim() });
        break;
      case 'pause':
        // Whole seconds, as on the other providers; a shorter pause still pauses.
        out.push({ verb: 'pause', length: Math.max(1, Math.round(part.seconds)) });
        break;
    }
  }
  return out;
}

/** Renders jambonz verbs; `step` is the block's `stepUrl`, `vendor` the speech vendor of scripts' voices. */
export class JambonzRenderer {
  constructor(private readonly vendor: string) {}

  private redirect(step: string, k: Continuation): Verb {
    return { verb: 'redirect', actionHook: hook(continuationUrl(step, k)) };
  }

  /** The verbs that run `block`; a gather runs attempt `attempt` (the earlier ones passed with no input). */
  block(block: Block, step: string, attempt = 1): Verb[] {
    switch (block.kind) {
      case 'play':
      case 'monitor':
        // monitor is declared unsupported; a block that reaches here anyway is said, and the call goes on.
        return [...renderParts(block.message, this.vendor), this.redirect(step, 'next')];
      case 'gather':
        return this.gather(block, step, attempt);
      case 'record':
        return this.record(block, step);
      case 'transfer':
        return this.transfer(block, step);
      case 'hangup':
        return [...(block.force === true ? [] : renderParts(block.message, this.vendor)), { verb: 'hangup' }];
      case 'dial':
        // Outbound dials go over REST, never in a reply; a call that somehow asks for one is ended.
        return hangupVerbs();
    }
  }

  /** A moment of silence, then the same question again: an http step is still out. */
  hold(step: string): Verb[] {
    return [{ verb: 'pause', length: HOLD_SECONDS }, this.redirect(step, 'hold')];
  }

  /**
   * One `gather` for one attempt: jambonz calls its actionHook however it ends
   * (`reason: timeout` with no digits), and the route answers an empty attempt
   * with the next one. A gather nests one `say` and one `play` at most, so a
   * prompt of several parts is said before it, all but its last part, which
   * nests (the caller can press a key during that last part).
   */
  private gather(block: GatherBlock, step: string, attempt: number): Verb[] {
    const prompt = renderParts(block.prompt, this.vendor);
    const last = prompt.at(-1);
    const nested = last?.verb === 'say' || last?.verb === 'play' ? last : undefined;
    const before = nested !== undefined ? prompt.slice(0, -1) : prompt;
    const numDigits = block.maxDigits !== undefined && block.maxDigits > 0 ? block.maxDigits : UNBOUNDED_DIGITS;
    const gather: Verb = {
      verb: 'gather',
      actionHook: hook(continuationUrl(step, 'gather', attempt)),
      input: ['digits'],
      numDigits,
      timeout: block.timeout ?? DEFAULT_GATHER_TIMEOUT,
      finishOnKey: '#',
      ...(nested?.verb === 'say' ? { say: withoutVerb(nested) } : {}),
      ...(nested?.verb === 'play' ? { play: { url: nested.url } } : {}),
    };
    return [...before, gather];
  }

  /**
   * The prompt, then the caller's audio streamed to our WebSocket (listen.ts
   * writes it to a WAV file); the actionHook reports the recording once it ends,
   * on `#`, at its maximum length, or when the stream closes. jambonz runs no
   * silence detection here, so, as on Hoiio, a recording ends only on `#` or at
   * its maximum.
   */
  private record(block: RecordBlock, step: string): Verb[] {
    const listen: Verb = {
      verb: 'listen',
      url: listenUrl(step),
      actionHook: hook(continuationUrl(step, 'record')),
      maxLength: block.maxDuration ?? DEFAULT_RECORD_SECONDS,
      finishOnKey: '#',
      playBeep: true,
      mixType: 'mono',
      sampleRate: RECORD_SAMPLE_RATE,
    };
    return [...renderParts(block.prompt, this.vendor), listen];
  }

  /** The message, then the transfer; its actionHook reports how the transfer ended. */
  private transfer(block: TransferBlock, step: string): Verb[] {
    const dial: Verb = {
      verb: 'dial',
      actionHook: hook(continuationUrl(step, block.onFailure === 'continue' ? 'dial' : 'dial-end')),
      target: [{ type: 'phone', number: block.to }],
      timeout: DIAL_TIMEOUT,
      timeLimit: DIAL_TIME_LIMIT,
      // Without one jambonz shows the caller's own number.
      ...(block.callerId !== undefined && block.callerId !== '' ? { callerId: block.callerId } : {}),
    };
    return [...renderParts(block.message, this.vendor), dial];
  }
}

function withoutVerb(say: SayVerb): Omit<SayVerb, 'verb'> {
  return say.synthesizer !== undefined ? { text: say.text, synthesizer: say.synthesizer } : { text: say.text };
}

/** Ends the call: the answer to a hook for a call that is over or unknown. */
export function hangupVerbs(message?: Array<SayVerb | PlayVerb | PauseVerb>): Verb[] {
  return [...(message ?? []), { verb: 'hangup' }];
}
