/**
 * The jambonz simulator against the real jambonz adapter behind a real
 * callscript server, over real sockets: the simulator rings the server's
 * `/jambonz/voice` with signed JSON hooks, runs the verb arrays the adapter
 * answers (checked with @jambonz/verb-specifications before each runs),
 * streams voicemail audio to the server's listen WebSocket, and takes the
 * server's REST calls (outbound calls, forced hangups) with its API key. The
 * transcripts read as the examples' Hoiio transcripts do.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/engine/state.js';
import { silentLogger } from '../../src/log/logger.js';
import { adapterFromEnv, capabilitiesOf } from '../../src/provider/registry.js';
import { loadScripts } from '../../src/script-files/load.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { interactiveCaller, scriptedCaller } from '../../src/simulator/index.js';
import { startJambonzSimulator, type JambonzSimulator } from '../../src/simulator/jambonz/index.js';
import { buildTranscript } from '../../src/testbench/transcript.js';
import { loopbackConfig } from '../helpers/server-config.js';

/** acme as jambonz can run it: no monitor (jambonz offers none callscript can drive). */
const ACME = readFileSync('examples/acme.yaml', 'utf8').replace('monitor: "Welcome', 'play: "Welcome');
const PUBLIC_URL = 'https://ivr.example.com';

let sim: JambonzSimulator;
let server: RunningServer;
let dir: string;
const ended = new Map<string, { outcome: Outcome; vars: Readonly<Record<string, string>> }>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callscript-jambonz-sim-'));
  const scripts = join(dir, 'scripts');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(scripts);
  writeFileSync(join(scripts, 'acme.yaml'), ACME);
  writeFileSync(join(scripts, 'reminder.yaml'), readFileSync('examples/reminder.yaml', 'utf8'));
  sim = await startJambonzSimulator({
    callHook: `${PUBLIC_URL}/jambonz/voice`,
    statusHook: `${PUBLIC_URL}/jambonz/status`,
    // The public URL is a tunnel's; this machine reaches the server where it listens.
    reach: (url) => (url.startsWith(PUBLIC_URL) ? server.url + url.slice(PUBLIC_URL.length) : url),
  });
  const env: Record<string, string> = {
    JAMBONZ_ACCOUNT_SID: sim.credentials.accountSid,
    JAMBONZ_API_KEY: sim.credentials.apiKey,
    JAMBONZ_API_URL: sim.apiUrl,
    JAMBONZ_WEBHOOK_SECRET: sim.credentials.webhookSecret,
    JAMBONZ_RECORDINGS_DIR: join(dir, 'recordings'),
  };
  const loaded = await loadScripts([scripts], { provider: capabilitiesOf('jambonz') });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const adapter = adapterFromEnv('jambonz', { env: (name) => env[name] });
  if (adapter === undefined) throw new Error('no jambonz adapter');
  server = await startServer({
    config: loopbackConfig({ publicUrl: PUBLIC_URL, apiToken: 'api-token' }),
    scripts: loaded.scripts,
    log: silentLogger(),
    adapter,
    env: (name) => env[name],
    hooks: { callEnded: (state, outcome) => void ended.set(state.session, { outcome, vars: state.vars }) },
  });
});

afterAll(async () => {
  await sim?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('jambonz: the simulator and the adapter', () => {
  it('acme: menu → sales busy → voicemail streamed over listen and saved as a WAV → goodbye, as on Hoiio', async () => {
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['1'], transfers: ['busy'], recordSeconds: 2 }) });
    await call.ended;
    await sim.settled();
    const transcript = buildTranscript(call.transcript);
    expect(transcript.turns.map((t) => [t.block, t.caller])).toEqual([
      ['play', undefined],
      ['gather', { press: '1' }],
      ['transfer', { outcome: 'busy' }],
      ['record', { record: 2 }],
      ['hangup', undefined],
    ]);
    expect(transcript.turns[1]).toMatchObject({ params: { max_digits: '1', timeout: '10' } });
    expect(transcript.turns[2]).toMatchObject({ params: { to: '+6562223333', caller_id: '+6591234567' }, message: 'Connecting you to our sales team.' });
    expect(transcript.turns[3]).toMatchObject({ params: { max_duration: '120' } });
    expect(transcript.turns[4]?.message).toBe('Thank you for calling Acme. Goodbye.');
    expect(call.endInfo?.reason).toBe('script-hangup');
    expect(sim.violations).toEqual([]);
    const end = ended.get(call.session);
    expect(end?.outcome).toBe('completed');
    expect(end?.vars.voicemail_url).toMatch(new RegExp(`^${PUBLIC_URL}/jambonz/recordings/[\\w-]+\\.wav$`));
    // 2 s of 8 kHz 16-bit mono after a 44-byte header.
    const [wav] = readdirSync(join(dir, 'recordings')).filter((f) => f.endsWith('.wav'));
    expect(statSync(join(dir, 'recordings', wav ?? '')).size).toBe(44 + 2 * 8000 * 2);
  });

  it('acme: silence through both attempts of the menu is one gather with no input, as on Hoiio', async () => {
    const call = sim.ring({ to: '+6560000001', caller: scriptedCaller({ presses: [''] }) });
    await call.ended;
    const turns = buildTranscript(call.transcript).turns;
    expect(turns.map((t) => [t.block, t.caller])).toEqual([
      ['play', undefined],
      ['gather', { no_input: true }],
      ['hangup', undefined],
    ]);
    expect(turns[2]?.message).toBe('We did not receive your choice. Thank you for calling Acme. Goodbye.');
  });

  it('reminder: an outbound call placed over the REST API, answered, confirmed; and one forced to hang up', async () => {
    sim.setOutboundCaller(scriptedCaller({ presses: ['1'] }));
    const placed = await server.runner.outbound({ script: 'reminder', to: '+6598765432', from: '+6560000000', vars: { name: 'Bob' } });
    const call = sim.calls.get(placed.session);
    expect(call?.direction).toBe('outbound');
    await call?.ended;
    await sim.settled();
    const turns = buildTranscript(call?.transcript ?? []).turns;
    expect(turns.map((t) => t.block)).toEqual(['dial', 'play', 'gather', 'hangup']);
    expect(turns[1]?.message).toMatch(/^Hello Bob, this is Acme Clinic/);
    expect(ended.get(placed.session)?.outcome).toBe('completed');

    sim.setOutboundCaller(interactiveCaller());
    const held = await server.runner.outbound({ script: 'reminder', to: '+6598765432', from: '+6560000000', vars: {} });
    const waiting = sim.calls.get(held.session);
    await waiting?.waitFor((e) => e.kind === 'prompt');
    waiting?.act({ type: 'outcome', outcome: 'answered' });
    await waiting?.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'play');
    expect(await server.runner.hangup(held.id)).toBe('sent');
    expect((await waiting?.ended)?.reason).toBe('script-hangup');
  });

  it('the adapter refuses a status hook forged without the secret (403, the call goes on) and takes one signed with it', async () => {
    const call = sim.ring({ to: '+6560000001', caller: interactiveCaller() });
    await call.waitFor((e) => e.kind === 'prompt');
    const status = `${PUBLIC_URL}/jambonz/status`;
    expect((await sim.forge(call.session, { call_status: 'completed' }, status, { signature: 'invalid' })).status).toBe(403);
    expect((await sim.forge(call.session, { call_status: 'completed' }, status, { signature: 'none' })).status).toBe(403);
    expect(ended.has(call.session)).toBe(false);
    expect((await sim.forge(call.session, { call_status: 'completed' }, status, { signature: 'valid' })).status).toBe(200);
    expect(ended.get(call.session)?.outcome).toBeDefined();
    call.hangup();
  });
});
