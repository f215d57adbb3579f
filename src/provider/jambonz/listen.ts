/**
 * The WebSocket a record block's `listen` verb streams the caller's audio to
 * (`/jambonz/listen/<call>/<seq>?t=<token>`). The upgrade is accepted only for
 * the call's outstanding record block and its token; the audio goes to a WAV
 * file (recordings.ts). jambonz signs no WebSocket request, so the token in
 * the URL, as in every block URL, is what binds the stream to the call.
 */
import { upgradeWebSocket } from '@hono/node-server';
import type { Context } from 'hono';
import type { Logger } from '../../log/logger.js';
import type { SessionStore } from '../../store/session-store.js';
import { DEFAULT_RECORD_SECONDS } from './render.js';
import type { RecordingStore, RecordingWriter } from './recordings.js';
import { sameSecret } from '../../util/secure-compare.js';

/** Audio kept past the block's max_duration: the beep and the stream's start and end take a moment. */
const SLACK_SECONDS = 5;

function sameToken(expected: string, given: string): boolean {
  return sameSecret(expected, given);
}

/**
 * The route: checks the upgrade against the call, opens the recording, and
 * writes the stream to it. The first text message is jambonz's metadata (the
 * sample rate); binary messages are audio.
 */
export function listenRoute(store: SessionStore, recordings: RecordingStore, log: Logger): (c: Context) => Promise<Response> {
  return async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return c.body(null, 426);
    const id = c.req.param('id') ?? '';
    const seq = Number(c.req.param('seq'));
    const state = Number.isSafeInteger(seq) ? await store.get(id) : undefined;
    if (state === undefined || !sameToken(state.token, c.req.query('t') ?? '')) {
      log.warn({ call: id, seq, reason: state === undefined ? 'unknown-call' : 'bad-token' }, 'recording.refused');
      return c.body(null, state === undefined ? 404 : 403);
    }
    const block = state.outbox?.block;
    if (state.status === 'ended' || state.outbox?.seq !== seq || block?.kind !== 'record') {
      log.warn({ call: id, seq, reason: 'not-recording' }, 'recording.refused');
      return c.body(null, 409);
    }
    const writer: RecordingWriter | undefined = await recordings.begin(recordings.nameFor(id, seq), (block.maxDuration ?? DEFAULT_RECORD_SECONDS) + SLACK_SECONDS);
    if (writer === undefined) {
      // A second stream for the same block (or one after it finished): the first recording stands.
      log.warn({ call: id, seq, reason: 'duplicate' }, 'recording.refused');
      return c.body(null, 409);
    }
    log.debug({ call: id, session: state.session, seq }, 'recording.started');
    return upgradeWebSocket(c, {
      onMessage: (event) => {
        const data: unknown = event.data;
        if (typeof data === 'string') writer.metadata(data);
        else if (data instanceof ArrayBuffer) writer.audio(new Uint8Array(data));
      },
      onClose: () => void writer.finish(),
      onError: () => void writer.finish(),
    });
  };
}
