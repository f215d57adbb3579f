/**
 * A callscript server driving one TwiML provider, for tests: the adapter built
 * from environment variables, the provider's REST API stood in for by a server
 * on loopback (`--provider-api-url`), and webhooks signed exactly as the
 * provider signs them, sent in memory with `app.request()`.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log/logger.js';
import { adapterFromEnv, capabilitiesOf } from '../../../src/provider/registry.js';
import { FormFields, parseForm } from '../../../src/provider/twiml/form.js';
import { signalwireSignature, telnyxSignature, twilioSignature } from '../../../src/provider/twiml/signature.js';
import { loadScripts } from '../../../src/script-files/load.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { parseTwiml, type XmlNode } from './xml-oracle.js';
import { loopbackConfig } from '../../helpers/server-config.js';

export type Dialect = 'twilio' | 'telnyx' | 'signalwire';

export const PUBLIC_URL = 'https://ivr.example.com';
export const TELNYX_ACCOUNT = 'acct-telnyx-1';

export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly contentType: string;
  /** Form or JSON fields, as strings. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** The parsed `<Response>`, when the answer is TwiML. */
  readonly twiml?: XmlNode;
}

export interface Harness {
  readonly dialect: Dialect;
  readonly server: RunningServer;
  readonly rest: RestRequest[];
  readonly events: Array<Record<string, unknown>>;
  /** A webhook to an absolute URL under the public URL, signed like the provider signs it (or as `sign` says). */
  post(url: string, fields: Record<string, string>, sign?: 'valid' | 'forged' | 'none', extra?: { body?: string; headers?: Record<string, string> }): Promise<Answer>;
  close(): Promise<void>;
}

const TWILIO_TOKEN = 'twilio-auth-token';
const SIGNING_KEY = 'PSK_signalwire_signing_key';

/** The environment each provider needs, and the Telnyx key pair whose public half it names. */
export function providerEnv(dialect: Dialect, telnyxKey?: KeyObject): Record<string, string> {
  switch (dialect) {
    case 'twilio':
      return { TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef', TWILIO_AUTH_TOKEN: TWILIO_TOKEN };
    case 'signalwire':
      return { SIGNALWIRE_PROJECT_ID: 'proj-1', SIGNALWIRE_API_TOKEN: 'PT-token', SIGNALWIRE_SPACE_URL: 'example.signalwire.com', SIGNALWIRE_SIGNING_KEY: SIGNING_KEY };
    case 'telnyx':
      return {
        TELNYX_API_KEY: 'KEY-telnyx',
        TELNYX_PUBLIC_KEY: (telnyxKey ?? generateKeyPairSync('ed25519').publicKey).export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'),
      };
  }
}

export async function startHarness(dialect: Dialect, scripts: Record<string, string>, options: { replyWaitMs?: number } = {}): Promise<Harness> {
  const rest: RestRequest[] = [];
  const events: Array<Record<string, unknown>> = [];
  let outbound = 0;
  const api: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      const fields: Record<string, string> = contentType.startsWith('application/json')
        ? Object.fromEntries(Object.entries(JSON.parse(data === '' ? '{}' : data) as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
        : Object.fromEntries([...(parseForm(data)?.grouped() ?? [])].map(([k, v]) => [k, v.join(',')]));
      if (req.url === '/slow') {
        // An http step's web service that answers after the webhook's wait: the reply is a hold.
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"Ann"}'), 400);
        return;
      }
      if (req.url === '/events') {
        events.push(JSON.parse(data) as Record<string, unknown>);
        res.writeHead(204).end();
        return;
      }
      rest.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization ?? '', contentType, fields });
      res.setHeader('content-type', 'application/json');
      if (/\/Calls(\.json)?$/.test(req.url ?? '')) {
        outbound += 1;
        res.writeHead(201).end(JSON.stringify(dialect === 'telnyx' ? { call_sid: `v3:OUT-${outbound}`, status: 'queued' } : { sid: `CAOUT${outbound}`, status: 'queued' }));
        return;
      }
      res.writeHead(200).end(JSON.stringify({ sid: 'RE1', status: 'in-progress' }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  const keys = generateKeyPairSync('ed25519');
  const env: Record<string, string> = { ...providerEnv(dialect, keys.publicKey), CALLSCRIPT_EVENTS_SECRET: 'events-secret' };
  const dir = mkdtempSync(join(tmpdir(), `callscript-${dialect}-`));
  for (const [file, text] of Object.entries(scripts)) writeFileSync(join(dir, file), text.replaceAll('{{EVENTS_URL}}', `${apiUrl}/events`).replaceAll('{{API_URL}}', apiUrl));
  const loaded = await loadScripts([dir], { provider: capabilitiesOf(dialect) });
  if (loaded.scripts.length !== Object.keys(scripts).length) throw new Error(JSON.stringify(loaded.diagnostics));
  const adapter = adapterFromEnv(dialect, { env: (name) => env[name], apiUrl });
  if (adapter === undefined) throw new Error(`${dialect} is not built from the environment`);
  const server = await startServer({
    config: loopbackConfig({ publicUrl: PUBLIC_URL, maxBodyBytes: 4096, apiToken: 'api-token' }),
    scripts: loaded.scripts,
    log: silentLogger(),
    adapter,
    env: (name) => env[name],
    ...(options.replyWaitMs !== undefined ? { replyWaitMs: options.replyWaitMs } : {}),
  });

  const post: Harness['post'] = async (url, fields, sign = 'valid', extra = {}) => {
    if (!url.startsWith(PUBLIC_URL)) throw new Error(`${url} is not under the public URL`);
    const body = extra.body ?? new URLSearchParams(fields).toString();
    const form = parseForm(body) ?? FormFields.of({});
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...extra.headers };
    if (sign !== 'none') {
      if (dialect === 'twilio') headers['x-twilio-signature'] = twilioSignature(sign === 'valid' ? TWILIO_TOKEN : 'wrong', url, form);
      if (dialect === 'signalwire') headers['x-signalwire-signature'] = signalwireSignature(sign === 'valid' ? SIGNING_KEY : 'wrong', url, form);
      if (dialect === 'telnyx') {
        const ts = String(Math.floor(Date.now() / 1000));
        headers['telnyx-timestamp'] = ts;
        headers['telnyx-signature-ed25519'] = telnyxSignature(sign === 'valid' ? keys.privateKey : generateKeyPairSync('ed25519').privateKey, ts, body);
      }
    }
    const res = await server.app.request(url.slice(PUBLIC_URL.length), { method: 'POST', headers, body });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    return { status: res.status, contentType, body: text, ...(contentType.startsWith('text/xml') ? { twiml: parseTwiml(text) } : {}) };
  };

  return {
    dialect,
    server,
    rest,
    events,
    post,
    close: async () => {
      await server.close();
      await new Promise<void>((resolve) => api.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
