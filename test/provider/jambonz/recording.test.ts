/**
 * Voicemail on jambonz: a record block's `listen` verb streams the caller's
 * audio to our WebSocket (a real `ws` client on loopback stands in for the
 * feature server's mod_audio_fork: a JSON metadata message, then 16-bit PCM
 * frames), the audio becomes a WAV file served under the public URL, and the
 * script saves that URL. Streams for the wrong token or block are refused.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RecordingStore, wavHeader } from '../../../src/provider/jambonz/recordings.js';
import { ACCOUNT_SID, PUBLIC_URL, WEBHOOK_SECRET, startHarness, type AnyVerb, type Answer, type Harness } from './harness.js';

const ACME = readFileSync('examples/acme.yaml', 'utf8').replace('monitor: "Welcome', 'play: "Welcome');

const find = (a: Answer, verb: string): AnyVerb | undefined => a.verbs?.find((v) => v.verb === verb);
const hookOf = (v: AnyVerb | undefined): string => ((v?.actionHook as { url?: string } | undefined)?.url ?? '');
const caller = (sid: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  call_sid: sid,
  account_sid: ACCOUNT_SID,
  direction: 'inbound',
  from: '+6591234567',
  to: '+6560000001',
  call_status: 'in-progress',
  ...extra,
});

/** `seconds` of a 440 Hz tone as 16-bit little-endian PCM at 8 kHz. */
function tone(seconds: number): Buffer {
  const samples = Math.round(seconds * 8000);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  return pcm;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ 'acme.yaml': ACME });
});
afterAll(async () => {
  await h?.close();
});

/** Rings acme and goes to voicemail (sales busy): the answer holding the listen verb. */
async function toVoicemail(sid: string): Promise<Answer> {
  const ring = await h.post(`${PUBLIC_URL}/jambonz/voice`, caller(sid, { call_status: 'trying' }));
  const menu = await h.post(hookOf(find(ring, 'redirect')), caller(sid));
  const sales = await h.post(hookOf(find(menu, 'gather')), caller(sid, { reason: 'dtmfDetected', digits: '1' }));
  return h.post(hookOf(find(sales, 'dial')), caller(sid, { dial_call_status: 'busy' }));
}

/** The listen verb's URL on the test server's real socket. */
const onLoopback = (url: string): string => url.replace(/^wss:\/\/ivr\.example\.com/, h.server.url.replace(/^http/, 'ws'));

/** Opens the stream as jambonz does; resolves once open, or with the HTTP status of a refusal. */
function connect(url: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(onLoopback(url), 'audio.drachtio.org');
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function stream(ws: WebSocket, pcm: Buffer, sid: string): Promise<void> {
  ws.send(JSON.stringify({ callSid: sid, sampleRate: 8000, mixType: 'mono', from: '+6591234567', to: '+6560000001' }));
  // mod_audio_fork sends 20 ms frames; the last one here is short.
  for (let i = 0; i < pcm.length; i += 320) ws.send(pcm.subarray(i, Math.min(pcm.length, i + 320)));
  await new Promise<void>((resolve) => ws.once('close', () => resolve()).close());
}

describe('jambonz recordings over listen', () => {
  it('writes the streamed audio to a WAV file, saves its URL, and serves it; a retried actionHook saves the same URL', async () => {
    const voicemail = await toVoicemail('jz-rec-1');
    const listen = find(voicemail, 'listen');
    const ws = await connect(String(listen?.url));
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    const pcm = tone(1.01);
    await stream(ws, pcm, 'jz-rec-1');

    const thanks = await h.post(hookOf(listen), caller('jz-rec-1', { digits: '#' }));
    expect(thanks.verbs?.map((v) => v.verb)).toEqual(['say', 'hangup']);
    expect((await h.post(hookOf(listen), caller('jz-rec-1', { digits: '#' }))).body).toBe(thanks.body);
    const id = /\/listen\/([^/]+)\//.exec(String(listen?.url))?.[1] ?? '';
    const state = await h.server.store.get(id);
    const url = String(state?.vars.voicemail_url);
    expect(url).toMatch(new RegExp(`^${PUBLIC_URL}/jambonz/recordings/[0-9a-f]{32}\\.wav$`));
    // The name is keyed with the webhook secret: the same call and block always name the same file.
    expect(url.endsWith(new RecordingStore('unused', WEBHOOK_SECRET).nameFor(id, 4))).toBe(true);

    const served = await h.server.app.request(url.slice(PUBLIC_URL.length));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('audio/wav');
    const wav = Buffer.from(await served.arrayBuffer());
    expect(wav.subarray(0, 44)).toEqual(wavHeader(8000, pcm.length));
    expect(wav.subarray(44)).toEqual(pcm);
    expect((await h.server.app.request('/jambonz/recordings/0123456789abcdef0123456789abcdef.wav')).status).toBe(404);
    expect((await h.server.app.request('/jambonz/recordings/..%2Fcalls.db')).status).toBe(404);
  });

  it('waits for a stream still closing when the actionHook arrives; an empty stream saves no URL', async () => {
    const voicemail = await toVoicemail('jz-rec-2');
    const listen = find(voicemail, 'listen');
    const ws = await connect(String(listen?.url));
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    ws.send(JSON.stringify({ sampleRate: 8000 }));
    ws.send(tone(0.2));
    // The actionHook is sent before the stream closes: the answer waits for the recording.
    const answer = h.post(hookOf(listen), caller('jz-rec-2'));
    setTimeout(() => ws.close(), 100);
    expect((await answer).verbs?.map((v) => v.verb)).toEqual(['say', 'hangup']);
    const id = /\/listen\/([^/]+)\//.exec(String(listen?.url))?.[1] ?? '';
    expect(String((await h.server.store.get(id))?.vars.voicemail_url)).toMatch(/\/jambonz\/recordings\/[0-9a-f]{32}\.wav$/);

    const silent = await toVoicemail('jz-rec-3');
    const quiet = await connect(String(find(silent, 'listen')?.url));
    if (typeof quiet === 'number') throw new Error(`refused with ${quiet}`);
    await stream(quiet, Buffer.alloc(0), 'jz-rec-3');
    await h.post(hookOf(find(silent, 'listen')), caller('jz-rec-3', { digits: '#' }));
    const silentId = /\/listen\/([^/]+)\//.exec(String(find(silent, 'listen')?.url))?.[1] ?? '';
    expect((await h.server.store.get(silentId))?.vars.voicemail_url ?? '').toBe('');
    expect(readdirSync(h.recordingsDir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('refuses a stream with another token (403), for an unknown call (404), for a block that is not the outstanding record, or a second one (409)', async () => {
    const voicemail = await toVoicemail('jz-rec-4');
    const url = String(find(voicemail, 'listen')?.url);
    expect(await connect(url.replace(/t=[^&]+/, 't=forged'))).toBe(403);
    expect(await connect(url.replace(/\/listen\/[^/]+\//, '/listen/cNoSuchCall/'))).toBe(404);
    expect(await connect(url.replace(/\/(\d+)\?/, '/3?'))).toBe(409);
    const first = await connect(url);
    expect(typeof first).not.toBe('number');
    expect(await connect(url)).toBe(409);
    if (typeof first !== 'number') await stream(first, tone(0.1), 'jz-rec-4');
    expect(await connect(url)).toBe(409);
    // A plain GET is not a stream.
    expect((await h.server.app.request(new URL(onLoopback(url).replace(/^ws/, 'http')).pathname)).status).toBe(426);
  });
});

describe('RecordingStore', () => {
  it('keeps whole samples of odd frames, takes the metadata sample rate, cuts at the maximum, and writes nothing for no audio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callscript-rec-'));
    try {
      const store = new RecordingStore(dir, 'secret');
      const w = await store.begin('a'.repeat(32) + '.wav', 1);
      if (w === undefined) throw new Error('not begun');
      w.metadata('{"sampleRate":16000}');
      w.audio(new Uint8Array([1, 2, 3]));
      w.metadata('{"sampleRate":8000}');
      w.audio(new Uint8Array(40_000));
      await w.finish();
      const wav = await store.read('a'.repeat(32) + '.wav');
      expect(wav?.subarray(0, 44)).toEqual(wavHeader(16000, 32_000));
      expect(wav?.subarray(44, 46)).toEqual(Buffer.from([1, 2]));
      expect(await store.begin('a'.repeat(32) + '.wav', 1)).toBeUndefined();
      const empty = await store.begin('b'.repeat(32) + '.wav', 1);
      await empty?.finish();
      expect(await store.ready('b'.repeat(32) + '.wav', 10)).toBe(false);
      expect(readdirSync(dir)).toEqual(['a'.repeat(32) + '.wav']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
