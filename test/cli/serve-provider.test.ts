/**
 * `callscript serve --provider twilio|telnyx|signalwire` as a real process:
 * credentials only from the environment (a missing one is named), the public
 * URL required, and a started server answering a signed voice webhook with
 * TwiML over a real socket. `dev`, `call` and `test` run on the Hoiio, TwiML
 * and jambonz simulators, and refuse a script the provider cannot run.
 * (`npm test` builds dist/ first.)
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/provider/twiml/signature.js';
import { FormFields, parseForm } from '../../src/provider/twiml/form.js';
import { providerEnv } from '../provider/twiml/harness.js';
import { jambonzSignatureHeader } from '../../src/provider/jambonz/signature.js';
import { JAMBONZ_ENV } from '../provider/jambonz/harness.js';

const BIN = join(process.cwd(), 'bin/callscript.js');

function run(args: string[], env: Record<string, string>): { exit: Promise<number | null>; out: () => string; err: () => string; kill: () => void } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { exit: new Promise((resolve) => child.on('exit', resolve)), out: () => out, err: () => err, kill: () => child.kill('SIGTERM') };
}

const ACME_DIR = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-serve-provider-'));
  copyFileSync('examples/acme.yaml', join(dir, 'acme.yaml'));
  return dir;
})();

/** acme as jambonz can run it: its greeting played rather than monitored. */
const ACME_PLAY_DIR = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-serve-provider-'));
  writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml', 'utf8').replace('monitor: "Welcome', 'play: "Welcome'));
  return dir;
})();

describe('callscript serve --provider', () => {
  it.each([
    ['twilio', {}, 'TWILIO_ACCOUNT_SID'],
    ['twilio', { TWILIO_ACCOUNT_SID: 'AC1' }, 'TWILIO_AUTH_TOKEN'],
    ['telnyx', { TELNYX_API_KEY: 'k' }, 'TELNYX_PUBLIC_KEY'],
    ['signalwire', { SIGNALWIRE_PROJECT_ID: 'p', SIGNALWIRE_API_TOKEN: 't', SIGNALWIRE_SPACE_URL: 'x.signalwire.com' }, 'SIGNALWIRE_SIGNING_KEY'],
    ['jambonz', { JAMBONZ_ACCOUNT_SID: 'a', JAMBONZ_API_KEY: 'k', JAMBONZ_API_URL: 'https://jambonz.example.com' }, 'JAMBONZ_WEBHOOK_SECRET'],
  ] as const)('%s without %j refuses to start, naming %s (exit 2)', async (provider, env, missing) => {
    const p = run(['serve', ACME_DIR, '--provider', provider, '--public-url', 'https://ivr.example.com', '--port', '0'], env);
    expect(await p.exit).toBe(2);
    expect(p.err()).toContain(`${missing} must be set to run with --provider ${provider} [CS_PROVIDER_ENV]`);
  });

  it('refuses a Telnyx public key that is not one, and a provider without --public-url', async () => {
    const bad = run(['serve', ACME_DIR, '--provider', 'telnyx', '--public-url', 'https://ivr.example.com', '--port', '0'], { TELNYX_API_KEY: 'k', TELNYX_PUBLIC_KEY: 'c2hvcnQ=' });
    expect(await bad.exit).toBe(2);
    expect(bad.err()).toContain('TELNYX_PUBLIC_KEY must be the base64 of a 32-byte Ed25519 key');
    const noUrl = run(['serve', ACME_DIR, '--provider', 'twilio', '--port', '0'], providerEnv('twilio'));
    expect(await noUrl.exit).toBe(2);
    expect(noUrl.err()).toContain('--provider twilio needs --public-url');
  });

  it('serves Twilio webhooks: a signed ring gets the first block as text/xml; an unsigned one 403', async () => {
    const env: Record<string, string> = { ...providerEnv('twilio'), CALLSCRIPT_STORE: 'memory', LOG_LEVEL: 'info' };
    const p = run(['serve', ACME_DIR, '--provider', 'twilio', '--public-url', 'https://ivr.example.com/', '--port', '0', '--host', '127.0.0.1', '--provider-api-url', 'http://127.0.0.1:9'], env);
    try {
      for (let i = 0; i < 500 && !p.out().includes('provider.webhooks'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const line = p.out().split('\n').find((l) => l.includes('server.listening')) ?? '{}';
      const { url } = JSON.parse(line) as { url: string };
      expect(p.out()).toContain('"voiceUrl":"https://ivr.example.com/twilio/voice"');
      const body = new URLSearchParams({ CallSid: 'CA1', From: '+6591234567', To: '+6560000001', CallStatus: 'ringing' }).toString();
      const signature = twilioSignature(env.TWILIO_AUTH_TOKEN ?? '', 'https://ivr.example.com/twilio/voice', parseForm(body) ?? FormFields.of({}));
      const res = await request(`${url}/twilio/voice`, {
        method: 'POST',
        // The Host the server sees is not the public URL's: the signature is checked over the public URL all the same.
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(await res.body.text()).toContain('<Say voice="Polly.Joanna" language="en-US" loop="1">Welcome to Acme.');
      const unsigned = await request(`${url}/twilio/voice`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(unsigned.statusCode).toBe(403);
      await unsigned.body.dump();
    } finally {
      p.kill();
    }
    expect(await p.exit).toBe(0);
  });
});

describe('callscript serve --provider jambonz', () => {
  it('serves jambonz hooks: a signed call hook gets the first block as a JSON verb array; an unsigned one 403', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-serve-jambonz-'));
    copyFileSync('examples/account.yaml', join(dir, 'account.yaml'));
    const env: Record<string, string> = { ...JAMBONZ_ENV, CALLSCRIPT_STORE: 'memory', LOG_LEVEL: 'info' };
    const p = run(['serve', dir, '--provider', 'jambonz', '--public-url', 'https://ivr.example.com/', '--port', '0', '--host', '127.0.0.1'], env);
    try {
      for (let i = 0; i < 500 && !p.out().includes('provider.webhooks'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const line = p.out().split('\n').find((l) => l.includes('server.listening')) ?? '{}';
      const { url } = JSON.parse(line) as { url: string };
      expect(p.out()).toContain('"voiceUrl":"https://ivr.example.com/jambonz/voice","statusUrl":"https://ivr.example.com/jambonz/status"');
      const body = JSON.stringify({ call_sid: 'jz-1', from: '+6591234567', to: '+6560000002', direction: 'inbound', call_status: 'trying' });
      const signature = jambonzSignatureHeader(env.JAMBONZ_WEBHOOK_SECRET ?? '', Math.floor(Date.now() / 1000), body);
      const res = await request(`${url}/jambonz/voice`, { method: 'POST', headers: { 'content-type': 'application/json', 'jambonz-signature': signature }, body });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const verbs = (await res.body.json()) as Array<{ verb: string }>;
      expect(verbs.at(-1)?.verb).toBe('gather');
      const unsigned = await request(`${url}/jambonz/voice`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(unsigned.statusCode).toBe(403);
      await unsigned.body.dump();
    } finally {
      p.kill();
    }
    expect(await p.exit).toBe(0);
  });
});

describe('dev, call and test --provider', () => {
  it('call refuses a script that needs what the provider cannot do (acme monitors; jambonz has no monitor), saying why (exit 2)', async () => {
    const p = run(['call', 'acme', '--dir', ACME_DIR, '--press', '1', '--provider', 'jambonz'], {});
    expect(await p.exit).toBe(2);
    expect(p.err()).toContain('the `jambonz` provider cannot record a call in the background');
  });

  it('call runs on the jambonz simulator: signed JSON hooks, the verbs run, the caller says nothing at the menu and the script hangs up', async () => {
    const p = run(['call', 'acme', '--dir', ACME_PLAY_DIR, '--press', ',', '--provider', 'jambonz'], {});
    expect(await p.exit, p.err()).toBe(0);
    expect(p.out()).toContain('▶ play "Welcome to Acme. This call may be recorded for quality purposes."');
    expect(p.out()).toContain('  ⇢ no input\n■ hangup "We did not receive your choice. Thank you for calling Acme. Goodbye."');
    expect(p.out()).toContain('— call ended: the script hung up (outcome: completed)');
  });

  it.each(['hoiio', 'twilio', 'telnyx', 'signalwire'])('call runs on the %s simulator: the caller says nothing at the menu and the script hangs up', async (provider) => {
    const p = run(['call', 'acme', '--dir', ACME_DIR, '--press', ',', '--provider', provider], {});
    expect(await p.exit, p.err()).toBe(0);
    expect(p.out()).toContain('◉ monitor "Welcome to Acme. This call may be recorded for quality purposes."');
    expect(p.out()).toContain('  ⇢ no input\n■ hangup "We did not receive your choice. Thank you for calling Acme. Goodbye."');
    expect(p.out()).toContain('— call ended: the script hung up (outcome: completed)');
  });

  it.each(['twilio', 'telnyx', 'signalwire'])('test runs the examples on the %s simulator (exit 0), saying what it cannot compare there', async (provider) => {
    const p = run(['test', 'examples/', '--provider', provider], {});
    expect(await p.exit, p.out()).toBe(0);
    expect(p.out()).toMatch(new RegExp(`\\d+ passed on ${provider} \\(4 test files`));
    expect(p.out()).toContain(`Not compared on ${provider}: tag, attempts, on_failure`);
  });

  it('test runs the examples on the jambonz simulator (exit 0): acme\'s cases are skipped for its monitor step, saying so, and the rest pass', async () => {
    const p = run(['test', 'examples/', '--provider', 'jambonz'], {});
    expect(await p.exit, p.out()).toBe(0);
    expect(p.out()).toMatch(/\d+ passed, \d+ skipped on jambonz \(4 test files/);
    expect(p.out()).toContain('— skipped: jambonz cannot run it: step `welcome` records the rest of the call');
    expect(p.out()).toContain('Not compared on jambonz: tag, attempts, on_failure');
  });

  it('dev --provider telnyx serves the phone network of the Telnyx simulator: a call rung through /sim reaches the script over signed TeXML webhooks', async () => {
    const p = run(['dev', ACME_DIR, '--provider', 'telnyx', '--port', '0'], {});
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /callscript dev server on (http:\/\/127\.0\.0\.1:\d+) \(Telnyx TeXML simulator built in/.exec(p.err());
          if (m?.[1] !== undefined) {
            clearInterval(timer);
            resolve(m[1]);
          }
        }, 50);
        void p.exit.then(() => {
          clearInterval(timer);
          reject(new Error(`dev exited: ${p.err()}`));
        });
      });
      const rung = await request(`${url}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '+6560000001', interactive: false }) });
      expect(rung.statusCode).toBe(201);
      const { session } = (await rung.body.json()) as { session: string };
      expect(session).toMatch(/^v3:/);
      let transcript: Array<{ kind: string; block?: string; heard?: Array<{ text?: string }> }> = [];
      for (let i = 0; i < 100 && !transcript.some((e) => e.kind === 'call' && (e as { event?: string }).event === 'ended'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const res = await request(`${url}/sim/calls/${encodeURIComponent(session)}`);
        transcript = ((await res.body.json()) as { transcript: typeof transcript }).transcript;
      }
      const blocks = transcript.filter((e) => e.kind === 'block');
      expect(blocks[0]).toMatchObject({ block: 'monitor', heard: [{ text: 'Welcome to Acme. This call may be recorded for quality purposes.' }] });
      expect(blocks[1]?.block).toBe('gather');
    } finally {
      p.kill();
    }
    expect(await p.exit).toBe(0);
  });

  it('dev --provider jambonz serves the phone network of the jambonz simulator: a call rung through /sim reaches the script over signed JSON hooks', async () => {
    const p = run(['dev', ACME_PLAY_DIR, '--provider', 'jambonz', '--port', '0'], {});
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /callscript dev server on (http:\/\/127\.0\.0\.1:\d+) \(jambonz simulator built in/.exec(p.err());
          if (m?.[1] !== undefined) {
            clearInterval(timer);
            resolve(m[1]);
          }
        }, 50);
        void p.exit.then(() => {
          clearInterval(timer);
          reject(new Error(`dev exited: ${p.err()}`));
        });
      });
      const rung = await request(`${url}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '+6560000001', interactive: false }) });
      expect(rung.statusCode).toBe(201);
      const { session } = (await rung.body.json()) as { session: string };
      expect(session).toMatch(/^[0-9a-f-]{36}$/);
      let transcript: Array<{ kind: string; block?: string; heard?: Array<{ text?: string }>; fields?: Record<string, string> }> = [];
      for (let i = 0; i < 100 && !transcript.some((e) => e.kind === 'call' && (e as { event?: string }).event === 'ended'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const res = await request(`${url}/sim/calls/${encodeURIComponent(session)}`);
        transcript = ((await res.body.json()) as { transcript: typeof transcript }).transcript;
      }
      const blocks = transcript.filter((e) => e.kind === 'block');
      expect(blocks[0]).toMatchObject({ block: 'play', heard: [{ text: 'Welcome to Acme. This call may be recorded for quality purposes.' }] });
      expect(blocks[1]?.block).toBe('gather');
      expect(transcript.find((e) => e.kind === 'notification')?.fields).toMatchObject({ call_sid: session, call_status: 'trying', direction: 'inbound' });
    } finally {
      p.kill();
    }
    expect(await p.exit).toBe(0);
  });
});
