/**
 * A callscript server driving jambonz, for tests: the adapter built from
 * environment variables, jambonz's REST API stood in for by a server on
 * loopback (`--provider-api-url`), and hooks signed as the feature server signs
 * them (JSON bodies, `Jambonz-Signature`), sent in memory with `app.request()`.
 * Every verb array a hook gets back is checked with
 * @jambonz/verb-specifications before a test sees it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log/logger.js';
import { adapterFromEnv, capabilitiesOf } from '../../../src/provider/registry.js';
import { jambonzSignatureHeader } from '../../../src/provider/jambonz/signature.js';
import { loadScripts } from '../../../src/script-files/load.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { assertValidVerbs } from './verb-oracle.js';
import { loopbackConfig } from '../../helpers/server-config.js';

export const PUBLIC_URL = 'https://ivr.example.com';
export const ACCOUNT_SID = 'acct-9f1c2d3e';
export const WEBHOOK_SECRET = 'wh_secret_jambonz';

/** What JAMBONZ_* the adapter reads. */
export const JAMBONZ_ENV: Readonly<Record<string, string>> = Object.freeze({
  JAMBONZ_ACCOUNT_SID: ACCOUNT_SID,
  JAMBONZ_API_KEY: 'api-key-1',
  JAMBONZ_API_URL: 'https://jambonz.example.com',
  JAMBONZ_WEBHOOK_SECRET: WEBHOOK_SECRET,
});

export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

/** A verb as the tests read it. */
export type AnyVerb = { readonly verb: string } & Readonly<Record<string, unknown>>;

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** The verb array, when the answer is one (already validated). */
  readonly verbs?: readonly AnyVerb[];
}

/** How a hook is signed: as jambonz does, with another secret, not at all, or 301 s ago. */
export type Signing = 'valid' | 'forged' | 'none' | 'stale';

export interface Harness {
  readonly server: RunningServer;
  /** Where recordings are written. */
  readonly recordingsDir: string;
  readonly rest: RestRequest[];
  /** A hook to an absolute URL under the public URL. */
  post(url: string, payload: Record<string, unknown>, sign?: Signing, extra?: { body?: string; headers?: Record<string, string> }): Promise<Answer>;
  close(): Promise<void>;
}

export async function startHarness(scripts: Record<string, string>, options: { replyWaitMs?: number } = {}): Promise<Harness> {
  const rest: RestRequest[] = [];
  let outbound = 0;
  const api: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/slow') {
        // An http step's web service that answers after the hook's wait: the reply is a hold.
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"Ann"}'), 400);
        return;
      }
      rest.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(data === '' ? '{}' : data) as Record<string, unknown>,
      });
      if (req.method === 'POST' && /\/Calls$/.test(req.url ?? '')) {
        outbound += 1;
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `out-${outbound}` }));
        return;
      }
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  const dir = mkdtempSync(join(tmpdir(), 'callscript-jambonz-'));
  const env: Record<string, string> = { ...JAMBONZ_ENV, JAMBONZ_RECORDINGS_DIR: join(dir, 'recordings') };
  for (const [file, text] of Object.entries(scripts)) writeFileSync(join(dir, file), text.replaceAll('{{API_URL}}', apiUrl));
  const loaded = await loadScripts([dir], { provider: capabilitiesOf('jambonz') });
  if (loaded.scripts.length !== Object.keys(scripts).length) throw new Error(JSON.stringify(loaded.diagnostics));
  const adapter = adapterFromEnv('jambonz', { env: (name) => env[name], apiUrl });
  if (adapter === undefined) throw new Error('jambonz is not built from the environment');
  const server = await startServer({
    config: loopbackConfig({ publicUrl: PUBLIC_URL, maxBodyBytes: 8192, apiToken: 'api-token' }),
    scripts: loaded.scripts,
    log: silentLogger(),
    adapter,
    env: (name) => env[name],
    ...(options.replyWaitMs !== undefined ? { replyWaitMs: options.replyWaitMs } : {}),
  });

  const post: Harness['post'] = async (url, payload, sign = 'valid', extra = {}) => {
    if (!url.startsWith(PUBLIC_URL)) throw new Error(`${url} is not under the public URL`);
    // The feature server sends JSON.stringify(payload) and signs those very bytes.
    const body = extra.body ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const now = Math.floor(Date.now() / 1000);
    if (sign !== 'none') headers['jambonz-signature'] = jambonzSignatureHeader(sign === 'forged' ? 'not-the-secret' : WEBHOOK_SECRET, sign === 'stale' ? now - 301 : now, body);
    Object.assign(headers, extra.headers);
    const res = await server.app.request(url.slice(PUBLIC_URL.length), { method: 'POST', headers, body });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let verbs: readonly AnyVerb[] | undefined;
    if (res.status === 200 && contentType.startsWith('application/json')) {
      const parsed: unknown = JSON.parse(text);
      assertValidVerbs(parsed);
      verbs = parsed as AnyVerb[];
    }
    return { status: res.status, contentType, body: text, ...(verbs !== undefined ? { verbs } : {}) };
  };

  return {
    server,
    recordingsDir: join(dir, 'recordings'),
    rest,
    post,
    close: async () => {
      await server.close();
      await new Promise<void>((resolve) => api.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
