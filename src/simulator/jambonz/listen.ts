/**
 * The feature server's side of a `listen` verb: mod_audio_fork connects to the
 * app's WebSocket (subprotocol `audio.drachtio.org`), sends one JSON text frame
 * of metadata (the sample rate and mix type, then the call's information in
 * camelCase, then the verb's own `metadata`), then the caller's audio as binary
 * frames of 16-bit little-endian PCM, and closes the socket when the listen
 * ends (../shared/providers.md §3.2; jambonz-feature-server lib/tasks/listen.js).
 * The caller's voice is a quiet tone: what matters is that the app receives
 * the right amount of audio in the right format.
 */
import WebSocket from 'ws';

export const AUDIO_SUBPROTOCOL = 'audio.drachtio.org';

/** 20 ms frames, as a media server sends them. */
const FRAME_MS = 20;
const TONE_HZ = 440;
const AMPLITUDE = 3000;
const CONNECT_TIMEOUT_MS = 5000;

export interface ListenStream {
  /** The WebSocket URL to connect to (already mapped to where the app listens). */
  readonly url: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly sampleRate: number;
  readonly channels: 1 | 2;
  /** Seconds of the caller speaking. */
  readonly seconds: number;
  /** Real milliseconds one second of audio takes (0: as fast as the socket takes it). */
  readonly secondMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly signal: AbortSignal;
}

/** Streams the audio and closes the socket; an error says why the app could not be reached or the stream broke. */
export async function streamListen(o: ListenStream): Promise<{ readonly bytes: number } | { readonly error: string }> {
  let ws: WebSocket;
  try {
    ws = await open(o.url, o.signal);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  let bytes = 0;
  try {
    ws.send(JSON.stringify(o.metadata));
    const frameSamples = Math.max(1, Math.round((o.sampleRate * FRAME_MS) / 1000));
    const totalSamples = Math.round(o.seconds * o.sampleRate);
    const framesPerPace = Math.max(1, Math.round(1000 / FRAME_MS / 10));
    let frame = 0;
    for (let at = 0; at < totalSamples; at += frameSamples) {
      if (ws.readyState !== WebSocket.OPEN) return { error: `the listen socket at ${o.url} closed while the caller spoke` };
      const pcm = tone(at, Math.min(frameSamples, totalSamples - at), o.sampleRate, o.channels);
      ws.send(pcm);
      bytes += pcm.length;
      // Paced in tenths of a second of audio, so a slow simulated second still streams evenly.
      if (o.secondMs > 0 && ++frame % framesPerPace === 0) await o.sleep((framesPerPace * FRAME_MS * o.secondMs) / 1000);
    }
  } catch (err) {
    ws.terminate();
    return { error: err instanceof Error ? err.message : String(err) };
  }
  ws.close(1000);
  await closed;
  return { bytes };
}

function open(url: string, signal: AbortSignal): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, AUDIO_SUBPROTOCOL, { handshakeTimeout: CONNECT_TIMEOUT_MS });
    const onAbort = (): void => {
      ws.terminate();
      reject(new Error('the call ended'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    ws.once('open', () => {
      done();
      // A socket error after the handshake shows as the socket closing; it must not throw out of the simulator.
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      done();
      ws.terminate();
      reject(new Error(`the listen socket at ${url} was refused with HTTP ${res.statusCode ?? 0}`));
    });
    ws.once('error', (err) => {
      done();
      reject(new Error(`the listen socket at ${url} could not be opened: ${err.message}`));
    });
  });
}

/** Samples `from`..`from+count` of the tone, 16-bit little-endian, interleaved when stereo. */
function tone(from: number, count: number, sampleRate: number, channels: 1 | 2): Buffer {
  const out = Buffer.alloc(count * 2 * channels);
  for (let i = 0; i < count; i++) {
    const v = Math.round(AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * (from + i)) / sampleRate));
    for (let c = 0; c < channels; c++) out.writeInt16LE(v, (i * channels + c) * 2);
  }
  return out;
}
