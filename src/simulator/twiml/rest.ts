/**
 * The TwiML providers' REST API, simulated on loopback (what
 * `--provider-api-url` points at): outbound calls (`Calls`), which it then
 * plays with the phone once the server has named their first URL; forced
 * hangups (`Status=completed` on a call); and call recordings (`monitor`). It
 * accepts the three dialects' paths and encodings (form or JSON) and answers as
 * each provider does, with the call's SID.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readLimited } from '../../util/read-limited.js';
import { playTwimlCall, type TwimlCallerScript, type TwimlCallResult, type TwimlPhoneOptions } from './phone.js';

/** More than any REST request the server sends. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface TwimlRest {
  /** The API root to give the server (`--provider-api-url`). */
  readonly url: string;
  readonly requests: readonly RestRequest[];
  /** Recordings started for a call (its `monitor` blocks). */
  recordingsStarted(callSid: string): number;
  /** Whether the call was ended over REST. */
  forcedHangup(callSid: string): boolean;
  /** How the next outbound calls' callees behave, in order (default: answer and hang up at the first gather). */
  expectOutbound(script: TwimlCallerScript): void;
  /** The outbound calls placed so far, each played to its end. */
  readonly outbound: ReadonlyArray<{ readonly sid: string; readonly to: string; readonly result: Promise<TwimlCallResult> }>;
  close(): Promise<void>;
}

export interface TwimlRestOptions {
  readonly provider: 'twilio' | 'telnyx' | 'signalwire';
  /** How the phone reaches the server, for outbound calls (the rest is filled in here); asked when a call is placed, as the server may start after this. */
  readonly phone: () => Omit<TwimlPhoneOptions, 'recordingsStarted' | 'forcedHangup' | 'recordingUrl'>;
}

export async function startTwimlRest(o: TwimlRestOptions): Promise<TwimlRest> {
  const requests: RestRequest[] = [];
  const recordings = new Map<string, number>();
  const hungUp = new Set<string>();
  const scripts: TwimlCallerScript[] = [];
  const outbound: Array<{ sid: string; to: string; result: Promise<TwimlCallResult> }> = [];
  let url = '';
  const phone = (): TwimlPhoneOptions => ({
    ...o.phone(),
    recordingsStarted: (sid) => recordings.get(sid) ?? 0,
    forcedHangup: (sid) => hungUp.has(sid),
    recordingUrl: (sid, n) => `${url}/recordings/${encodeURIComponent(sid)}-${n}.mp3`,
  });

  const server: Server = createServer((req, res) => {
    void readLimited(req, MAX_BODY_BYTES).then((read) => {
      if (!read.ok) {
        if (read.reason === 'too-large') res.writeHead(413, { 'content-type': 'application/json' }).end('{"message":"request body too large"}');
        return;
      }
      const data = read.bytes.toString('utf8');
      const path = req.url ?? '';
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      const fields: Record<string, string> = json
        ? Object.fromEntries(Object.entries(JSON.parse(data === '' ? '{}' : data) as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
        : Object.fromEntries(new URLSearchParams(data));
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? '', fields });
      const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'GET' && path.startsWith('/recordings/')) {
        res.writeHead(200, { 'content-type': 'audio/mpeg' }).end();
        return;
      }
      const recording = /\/Calls\/([^/]+)\/Recordings\.json$/.exec(path);
      if (recording !== null) {
        const sid = decodeURIComponent(recording[1] ?? '');
        recordings.set(sid, (recordings.get(sid) ?? 0) + 1);
        send(201, { sid: `RE${recordings.size}`, call_sid: sid, status: 'in-progress' });
        return;
      }
      const update = /\/Calls\/([^/]+?)(\.json)?$/.exec(path);
      if (update !== null) {
        const sid = decodeURIComponent(update[1] ?? '');
        if (fields.Status === 'completed') hungUp.add(sid);
        send(200, { sid, status: fields.Status ?? 'in-progress' });
        return;
      }
      if (/\/Calls(\.json)?$/.test(path)) {
        const sid = o.provider === 'telnyx' ? `v3:sim-${outbound.length + 1}` : `CA${String(outbound.length + 1).padStart(32, '0')}`;
        const to = fields.To ?? '';
        const script = scripts.shift() ?? { presses: [] };
        // The call rings once the answer is out: the server learns the SID first, as with the real API.
        const result = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
          playTwimlCall(phone(), { sid, from: fields.From ?? '', to, direction: 'outbound-api', url: fields.Url ?? '' }, script),
        );
        outbound.push({ sid, to, result });
        send(201, o.provider === 'telnyx' ? { call_sid: sid, from: fields.From, to, status: 'queued' } : { sid, from: fields.From, to, status: 'queued' });
        return;
      }
      send(404, { message: `no such resource: ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    recordingsStarted: (sid) => recordings.get(sid) ?? 0,
    forcedHangup: (sid) => hungUp.has(sid),
    expectOutbound: (script) => void scripts.push(script),
    outbound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
