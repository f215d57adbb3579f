/**
 * `callscript phone` rings apps that are not callscript's (issue 20): the
 * example apps written with each provider's own package, through the built
 * CLI, scripted with --press/--transfer, as text and JSON lines; a missing
 * secret is a clear usage error; an app that fails shows the provider's code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServer as jambonzApp } from '../../examples/voice-apps/jambonz.mjs';
import { MESSAGES } from '../../examples/voice-apps/messages.mjs';
import { createApp as signalwireApp } from '../../examples/voice-apps/signalwire.mjs';
import { createApp as telnyxApp } from '../../examples/voice-apps/telnyx.mjs';
import { createApp as twilioApp } from '../../examples/voice-apps/twilio.mjs';
import { runCli } from '../testbench/cli.js';

const SECRET = 'phone-test-secret';
const dir = mkdtempSync(join(tmpdir(), 'callscript-phone-'));
const keys = generateKeyPairSync('ed25519');
const keyFile = join(dir, 'telnyx-key.pem');
writeFileSync(keyFile, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }));
const telnyxPublicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

const servers: Server[] = [];
const urls: Record<string, string> = {};

/** An app on a loopback port; made once its URL is known (SignalWire and jambonz write absolute URLs). */
async function serve(make: (url: string) => Express | { app: Express; server: Server }): Promise<string> {
  let handler: Express | undefined;
  const server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const made = make(url);
  if ('server' in made) {
    // The jambonz app brings its own server (its WebSocket shares it): listen on that one instead.
    server.close();
    await new Promise<void>((resolve) => made.server.listen(Number(new URL(url).port), '127.0.0.1', () => resolve()));
    servers.push(made.server);
  } else {
    handler = made;
    servers.push(server);
  }
  return url;
}

beforeAll(async () => {
  urls.twilio = await serve(() => twilioApp({ authToken: SECRET }));
  urls.signalwire = await serve((url) => signalwireApp({ signingKey: SECRET, publicUrl: url }));
  urls.telnyx = await serve(() => telnyxApp({ publicKey: telnyxPublicKey }));
  urls.jambonz = await serve((url) => jambonzApp({ secret: SECRET, publicUrl: url }));
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(dir, { recursive: true, force: true });
});

const BUSY_SALES = [
  `⌨ gather (1 digit, 5 s) "${MESSAGES.menu}"`,
  '  ⇢ pressed 1',
  `↪ transfer to +15550100 "${MESSAGES.connecting}"`,
  '  ⇢ transfer busy',
  `● record (max 60 s) "${MESSAGES.salesBusy}"`,
  '  ⇢ spoke for 3 s',
  `■ hangup "${MESSAGES.saved}"`,
  '— call ended: the script hung up',
  '',
].join('\n');

describe('callscript phone rings apps written with the providers\' own packages', () => {
  it.each(['twilio', 'signalwire', 'telnyx', 'jambonz'])('%s: a busy transfer falls back to a recording', async (provider) => {
    const args = ['phone', '--provider', provider, '--app-url', `${urls[provider]}/voice`, '--status-url', `${urls[provider]}/status`, '--press', '1', '--transfer', 'busy'];
    const r = await runCli(provider === 'telnyx' ? [...args, '--key-file', keyFile] : [...args, '--secret', SECRET]);
    expect(r.stderr).not.toContain('gave up');
    expect(r.stdout).toBe(BUSY_SALES);
    expect(r.code).toBe(0);
    if (provider === 'telnyx') expect(r.stderr).toContain(`TELNYX_PUBLIC_KEY=${telnyxPublicKey}`);
  });

  it('--json prints the turns and the end; the secret may come from the environment', async () => {
    const r = await runCli(['phone', '--provider', 'twilio', '--app-url', `${urls.twilio}/voice`, '--press', '', '--json'], { env: { TWILIO_AUTH_TOKEN: SECRET } });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { type: 'turn', block: 'gather', message: MESSAGES.menu, params: { max_digits: '1', timeout: '5' }, caller: { no_input: true } },
      { type: 'turn', block: 'hangup', message: MESSAGES.noInput, params: {} },
      { type: 'end', reason: 'script-hangup', outcome: null, stuck: false },
    ]);
    expect(r.code).toBe(0);
  });

  it('a wrong secret: the app refuses the request, and the caller hears the provider give up (11200)', async () => {
    const r = await runCli(['phone', '--provider', 'twilio', '--app-url', `${urls.twilio}/voice`, '--secret', 'not-the-secret', '--press', '1']);
    expect(r.stdout).toContain('■ hangup "We are sorry, an application error has occurred. Goodbye."');
    expect(r.stderr).toMatch(/twilio gave up on the app: 11200 HTTP retrieval failure: .*answered 403/);
    expect(r.code).toBe(1);
  });

  it('interactive through piped stdin: keys, then seconds at the recording', async () => {
    const r = await runCli(['phone', '--provider', 'telnyx', '--key-file', keyFile, '--app-url', `${urls.telnyx}/voice`], { input: '2\n5\n' });
    expect(r.stderr).toContain('? keys (up to 1), then Enter');
    expect(r.stdout).toContain(`● record (max 60 s) "${MESSAGES.leaveMessage}"\n  ⇢ spoke for 5 s\n■ hangup "${MESSAGES.saved}"`);
    expect(r.code).toBe(0);
  });

  it('--auth-token is --secret by Twilio\'s name', async () => {
    const r = await runCli(['phone', '--provider', 'twilio', '--app-url', `${urls.twilio}/voice`, '--auth-token', SECRET, '--press', '2']);
    expect(r.stdout).toContain(`■ hangup "${MESSAGES.saved}"`);
    expect(r.code).toBe(0);
  });

  it('no secret at all is a usage error naming the variable', async () => {
    const r = await runCli(['phone', '--provider', 'jambonz', '--app-url', `${urls.jambonz}/voice`], { env: { JAMBONZ_WEBHOOK_SECRET: '' } });
    expect(r.stderr).toContain('JAMBONZ_WEBHOOK_SECRET (or --secret) is needed');
    expect(r.code).toBe(2);
  });
});
