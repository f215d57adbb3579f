/**
 * Fake recordings served at `<sim.url>recordings/<id>.mp3`.
 *
 * Hoiio's record_url was a signed, expiring S3-style URL (contract §5.2), so ours carries
 * `Expires` and `Signature` too and refuses a tampered or expired link: an engine that stores
 * the URL instead of downloading it promptly finds out in tests.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../util/secure-compare.js';

/** MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono: 144-byte frames of 1152 samples. */
const FRAME_HEADER = Buffer.from([0xff, 0xfb, 0x18, 0xc0]);
const FRAME_BYTES = 144;
const FRAMES_PER_SECOND = 32000 / 1152;
/** Bodies stay small whatever the simulated length. */
const MAX_SECONDS = 600;

export interface RecordingResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

interface Recording {
  readonly seconds: number;
  readonly session: string;
}

export class RecordingStore {
  readonly #recordings = new Map<string, Recording>();
  readonly #secret = randomBytes(16);
  #next = 1;

  constructor(
    /** The simulator's URL is known only once it listens. */
    private readonly baseUrl: () => string,
    private readonly clock: () => number,
    private readonly ttlMs = 60 * 60 * 1000,
  ) {}

  /** Stores a recording and returns its signed URL. */
  create(session: string, seconds: number): string {
    const id = `rec-${this.#next++}`;
    this.#recordings.set(id, { seconds: Math.max(0, seconds), session });
    const expires = Math.floor((this.clock() + this.ttlMs) / 1000);
    return `${this.baseUrl()}recordings/${id}.mp3?Expires=${expires}&Signature=${this.#sign(id, expires)}`;
  }

  /** Answers GET `recordings/<id>.mp3?Expires=..&Signature=..`. */
  serve(pathname: string, query: URLSearchParams): RecordingResponse {
    const m = /^\/recordings\/(rec-\d+)\.mp3$/.exec(pathname);
    const rec = m ? this.#recordings.get(m[1] ?? '') : undefined;
    if (!m || !rec) return text(404, 'NoSuchKey');
    const id = m[1] ?? '';
    const expires = Number(query.get('Expires'));
    const signature = query.get('Signature') ?? '';
    const expected = this.#sign(id, expires);
    const ok =
      Number.isInteger(expires) &&
      // Byte lengths, not string lengths: a non-ASCII signature of the right length used to throw.
      sameSecret(signature, expected);
    if (!ok) return text(403, 'SignatureDoesNotMatch');
    if (expires * 1000 < this.clock()) return text(403, 'Request has expired');
    return { status: 200, contentType: 'audio/mpeg', body: silentMp3(rec.seconds) };
  }

  #sign(id: string, expires: number): string {
    return createHmac('sha256', this.#secret).update(`${id}:${expires}`).digest('hex');
  }
}

function text(status: number, body: string): RecordingResponse {
  return { status, contentType: 'text/plain; charset=utf-8', body: Buffer.from(body) };
}

/** Valid MP3 frames of silence (all-zero side info and data). */
export function silentMp3(seconds: number): Buffer {
  const frames = Math.max(1, Math.round(Math.min(seconds, MAX_SECONDS) * FRAMES_PER_SECOND));
  const out = Buffer.alloc(frames * FRAME_BYTES);
  for (let i = 0; i < frames; i++) FRAME_HEADER.copy(out, i * FRAME_BYTES);
  return out;
}
