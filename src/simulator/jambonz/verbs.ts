/**
 * A hook's answer as the feature server takes it (../shared/providers.md
 * §3.2): checked with @jambonz/verb-specifications, the validator the feature
 * server runs before it executes anything (its `make_task.js` calls it), then
 * read into the verbs the simulator runs. Both spellings are accepted
 * (`{verb: "say", …}` and `{"say": {…}}`), `stream` is `listen`, as the
 * validator normalises them.
 */
import { validate } from '@jambonz/verb-specifications';

export interface Hook {
  readonly url: string;
  readonly method: 'GET' | 'POST';
}

export interface Synthesizer {
  readonly vendor?: string;
  readonly language?: string;
  readonly voice?: string;
  readonly gender?: string;
}

export interface SayVerb {
  readonly verb: 'say';
  readonly text: string;
  readonly synthesizer?: Synthesizer;
}

export interface PlayVerb {
  readonly verb: 'play';
  readonly urls: readonly string[];
}

export interface GatherVerb {
  readonly verb: 'gather';
  readonly actionHook?: Hook;
  readonly input: readonly string[];
  /** numDigits, else maxDigits; undefined: unbounded. */
  readonly numDigits?: number;
  /** Seconds; jambonz's default is 15. */
  readonly timeout: number;
  readonly finishOnKey?: string;
  readonly say?: SayVerb;
  readonly play?: PlayVerb;
}

export interface DialVerb {
  readonly verb: 'dial';
  readonly actionHook?: Hook;
  /** The first target's number (or SIP URI, user or Teams name). */
  readonly dest: string;
  readonly callerId?: string;
  /** Seconds the target rings; jambonz's default is 60. */
  readonly timeout: number;
}

export interface ListenVerb {
  readonly verb: 'listen';
  readonly url: string;
  readonly actionHook?: Hook;
  /** Seconds; undefined: no limit. */
  readonly maxLength?: number;
  readonly finishOnKey?: string;
  readonly mixType: 'mono' | 'stereo' | 'mixed';
  readonly sampleRate: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export type JambonzVerb =
  | SayVerb
  | PlayVerb
  | { readonly verb: 'pause'; readonly length: number }
  | GatherVerb
  | DialVerb
  | ListenVerb
  | { readonly verb: 'redirect'; readonly actionHook: Hook }
  | { readonly verb: 'hangup' }
  | { readonly verb: 'sip:decline'; readonly status: number }
  | { readonly verb: 'config' }
  /** A verb jambonz knows and the simulator does not run. */
  | { readonly verb: 'other'; readonly name: string };

export type ReadReply = { readonly ok: true; readonly verbs: readonly JambonzVerb[] } | { readonly ok: false; readonly error: string };

const quiet = { info: () => undefined, debug: () => undefined, error: () => undefined };

type Data = Readonly<Record<string, unknown>>;

/**
 * Reads a hook's JSON answer. Anything but an array is no instructions (the
 * feature server only runs arrays); an array the validator refuses is an error
 * with its message, as the feature server reports it.
 */
export function readReply(json: unknown): ReadReply {
  if (!Array.isArray(json)) return { ok: true, verbs: [] };
  try {
    validate(quiet, json);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  return { ok: true, verbs: json.map((item) => verbOf(item as Data)) };
}

function verbOf(item: Data): JambonzVerb {
  const named = typeof item.verb === 'string';
  const rawName = named ? (item.verb as string) : (Object.keys(item)[0] ?? '');
  const data: Data = named ? item : ((item[rawName] as Data | undefined) ?? {});
  const name = rawName === 'stream' ? 'listen' : rawName;
  switch (name) {
    case 'say':
      return say(data);
    case 'play':
      return play(data);
    case 'pause':
      return { verb: 'pause', length: num(data.length) ?? 0 };
    case 'gather': {
      const nestedSay = obj(data.say);
      const nestedPlay = obj(data.play);
      const digits = num(data.numDigits) ?? num(data.maxDigits);
      const actionHook = hookOf(data.actionHook);
      const finishOnKey = str(data.finishOnKey);
      return {
        verb: 'gather',
        input: Array.isArray(data.input) ? data.input.filter((i): i is string => typeof i === 'string') : ['digits'],
        timeout: num(data.timeout) ?? 15,
        ...(actionHook !== undefined ? { actionHook } : {}),
        ...(digits !== undefined ? { numDigits: digits } : {}),
        ...(finishOnKey !== undefined ? { finishOnKey } : {}),
        ...(nestedSay !== undefined ? { say: say(nestedSay) } : {}),
        ...(nestedPlay !== undefined ? { play: play(nestedPlay) } : {}),
      };
    }
    case 'dial': {
      const targets = Array.isArray(data.target) ? data.target : [];
      const first = obj(targets[0]) ?? {};
      const dest = str(first.number) ?? str(first.sipUri) ?? str(first.name) ?? str(first.tenant) ?? '';
      const actionHook = hookOf(data.actionHook);
      const callerId = str(data.callerId);
      return {
        verb: 'dial',
        dest,
        timeout: num(data.timeout) ?? 60,
        ...(actionHook !== undefined ? { actionHook } : {}),
        ...(callerId !== undefined ? { callerId } : {}),
      };
    }
    case 'listen': {
      const actionHook = hookOf(data.actionHook);
      const maxLength = num(data.maxLength);
      const finishOnKey = str(data.finishOnKey);
      const mix = str(data.mixType);
      const metadata = obj(data.metadata);
      return {
        verb: 'listen',
        url: str(data.url) ?? '',
        mixType: mix === 'stereo' || mix === 'mixed' ? mix : 'mono',
        sampleRate: num(data.sampleRate) ?? 8000,
        ...(actionHook !== undefined ? { actionHook } : {}),
        ...(maxLength !== undefined && maxLength > 0 ? { maxLength } : {}),
        ...(finishOnKey !== undefined ? { finishOnKey } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
      };
    }
    case 'redirect':
      return { verb: 'redirect', actionHook: hookOf(data.actionHook) ?? { url: '', method: 'POST' } };
    case 'hangup':
      return { verb: 'hangup' };
    case 'sip:decline':
      return { verb: 'sip:decline', status: num(data.status) ?? 486 };
    case 'config':
      return { verb: 'config' };
    default:
      return { verb: 'other', name };
  }
}

function say(data: Data): SayVerb {
  // An array of texts is a random pick on jambonz; the simulator says the first, so transcripts repeat.
  const text = Array.isArray(data.text) ? (str(data.text[0]) ?? '') : (str(data.text) ?? '');
  const synth = obj(data.synthesizer);
  if (synth === undefined) return { verb: 'say', text };
  const synthesizer: Synthesizer = {
    ...(str(synth.vendor) !== undefined ? { vendor: str(synth.vendor) } : {}),
    ...(str(synth.language) !== undefined ? { language: str(synth.language) } : {}),
    ...(str(synth.voice) !== undefined ? { voice: str(synth.voice) } : {}),
    ...(str(synth.gender) !== undefined ? { gender: str(synth.gender) } : {}),
  };
  return { verb: 'say', text, synthesizer };
}

function play(data: Data): PlayVerb {
  const urls = Array.isArray(data.url) ? data.url.filter((u): u is string => typeof u === 'string') : typeof data.url === 'string' ? [data.url] : [];
  return { verb: 'play', urls };
}

/** A hook is a URL or `{url, method}`; POST unless GET is asked for. */
function hookOf(value: unknown): Hook | undefined {
  if (typeof value === 'string') return value === '' ? undefined : { url: value, method: 'POST' };
  const o = obj(value);
  const url = o !== undefined ? str(o.url) : undefined;
  if (o === undefined || url === undefined || url === '') return undefined;
  return { url, method: str(o.method)?.toUpperCase() === 'GET' ? 'GET' : 'POST' };
}

function obj(value: unknown): Data | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Data) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}
