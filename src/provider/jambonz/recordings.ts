/**
 * Voicemail recordings on disk. jambonz runs no record verb itself: its
 * `listen` verb streams the caller's audio to a WebSocket we serve (listen.ts),
 * as raw 16-bit little-endian PCM, mono, at the sample rate its first (text)
 * message names. Here that audio becomes a WAV file, served back under the
 * public URL so a script can save its URL like any provider's recording.
 *
 * A recording's name is an HMAC of the call and block under the webhook
 * secret: unguessable (the URL is the only thing guarding a caller's
 * message), and the same every time it is asked for, so a retried actionHook
 * saves the same URL.
 */
import { createHmac } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const HEADER_BYTES = 44;
/** What jambonz sends unless the listen verb asks for another rate. */
export const DEFAULT_SAMPLE_RATE = 8000;
const NAME = /^[0-9a-f]{32}\.wav$/;

/** A canonical 44-byte WAV header for mono 16-bit PCM. */
export function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** One recording being written: audio appended as it arrives, the header settled when it ends. */
export class RecordingWriter {
  private readonly out: WriteStream;
  private sampleRate = DEFAULT_SAMPLE_RATE;
  private bytes = 0;
  private started = false;
  private finishing: Promise<void> | undefined;
  private markEnded: () => void = () => undefined;
  /** Settles once the file is finished (or removed, when no audio came). */
  readonly ended: Promise<void> = new Promise<void>((resolve) => (this.markEnded = resolve));

  constructor(
    private readonly partPath: string,
    private readonly finalPath: string,
    /** The most audio kept, in seconds (the block's max_duration, and a little more): a stream that runs on is cut there. */
    private readonly maxSeconds: number,
    private readonly done: () => void,
  ) {
    this.out = createWriteStream(partPath);
    this.out.on('error', () => undefined);
    this.out.write(Buffer.alloc(HEADER_BYTES));
  }

  /** jambonz's first message: JSON with the `sampleRate` the audio is in. Ignored once audio has started. */
  metadata(text: string): void {
    if (this.started) return;
    try {
      const value: unknown = JSON.parse(text);
      const rate = typeof value === 'object' && value !== null ? (value as { sampleRate?: unknown }).sampleRate : undefined;
      if (typeof rate === 'number' && Number.isInteger(rate) && rate >= 8000 && rate <= 48000) this.sampleRate = rate;
    } catch {
      // Not metadata: the audio format stays the default.
    }
  }

  audio(chunk: Uint8Array): void {
    this.started = true;
    const room = this.maxSeconds * this.sampleRate * 2 - this.bytes;
    if (room <= 0 || this.finishing !== undefined) return;
    // Whole samples only, so a frame split oddly never shifts the rest by a byte.
    const take = Math.min(chunk.byteLength, room) & ~1;
    if (take <= 0) return;
    this.out.write(Buffer.from(chunk.buffer, chunk.byteOffset, take));
    this.bytes += take;
  }

  /** Ends the file: the header written with the sizes, then renamed to its served name (an empty recording is removed). */
  finish(): Promise<void> {
    this.finishing ??= (async () => {
      try {
        await new Promise<void>((resolve) => this.out.end(() => resolve()));
        if (this.bytes === 0) {
          await rm(this.partPath, { force: true });
          return;
        }
        const file = await open(this.partPath, 'r+');
        try {
          await file.write(wavHeader(this.sampleRate, this.bytes), 0, HEADER_BYTES, 0);
        } finally {
          await file.close();
        }
        await rename(this.partPath, this.finalPath);
      } finally {
        this.done();
        this.markEnded();
      }
    })();
    return this.finishing;
  }
}

/** The folder of recordings, and the ones being written now. */
export class RecordingStore {
  private readonly writing = new Map<string, RecordingWriter>();

  constructor(
    private readonly dir: string,
    private readonly secret: string,
  ) {}

  /** The file name of block `seq`'s recording on call `id`. */
  nameFor(id: string, seq: number): string {
    return `${createHmac('sha256', this.secret).update(`recording:${id}:${seq}`, 'utf8').digest('hex').slice(0, 32)}.wav`;
  }

  /** A writer for a new recording; undefined while one with that name is being written or already exists. */
  async begin(name: string, maxSeconds: number): Promise<RecordingWriter | undefined> {
    if (this.writing.has(name) || (await this.exists(name))) return undefined;
    await mkdir(this.dir, { recursive: true });
    if (this.writing.has(name)) return undefined;
    const writer = new RecordingWriter(join(this.dir, `${name}.part`), join(this.dir, name), maxSeconds, () => this.writing.delete(name));
    this.writing.set(name, writer);
    return writer;
  }

  /**
   * Whether the recording exists with some audio, once any writing of it has
   * ended. jambonz closes the audio stream before it calls the actionHook, but
   * the two travel on separate connections: the close may arrive a moment later.
   */
  async ready(name: string, waitMs: number): Promise<boolean> {
    const writer = this.writing.get(name);
    if (writer !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([writer.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
      // A stream still open this long after its verb ended is not going to say more: keep what came.
      await writer.finish();
    }
    return this.exists(name);
  }

  private async exists(name: string): Promise<boolean> {
    try {
      return (await stat(join(this.dir, name))).size > HEADER_BYTES;
    } catch {
      return false;
    }
  }

  /** A finished recording's bytes; undefined for a name that is not one. */
  async read(name: string): Promise<Buffer | undefined> {
    if (!NAME.test(name)) return undefined;
    try {
      return await readFile(join(this.dir, name));
    } catch {
      return undefined;
    }
  }
}
