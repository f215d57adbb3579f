/**
 * The browser phone's API on the TwiML providers' and jambonz's simulators: a
 * script is rung by its number (a TwiML number's voice URL, like a jambonz
 * application's call hook, routes by To), an outbound call without a From
 * gets the simulated account's number (the providers need one), and the page's
 * transcript reads as on Hoiio.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/dev/server.js';
import { capabilitiesOf } from '../../src/provider/registry.js';
import { loadScripts } from '../../src/script-files/load.js';
import { remoteCall } from '../../src/testbench/live-call.js';
import { startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

async function state(dev: DevServer, session: string): Promise<{ engine: { script: string; step: string }; transcript: { turns: Array<{ block: string; message?: string; params: Record<string, string> }> } }> {
  const res = await request(`${dev.url}/phone/api/calls/${encodeURIComponent(session)}`);
  return (await res.body.json()) as Awaited<ReturnType<typeof state>>;
}

let dev: DevServer | undefined;
afterEach(async () => {
  await dev?.close();
  dev = undefined;
});

describe.each(['twilio', 'telnyx', 'signalwire'])('/phone on the %s simulator', (provider) => {
  it('rings a script by its number, and places an outbound call with the account number as From', async () => {
    dev = await startTestServer({ provider });
    const rung = await postJson(`${dev.url}/phone/api/calls`, { script: 'acme' });
    expect(rung.status).toBe(201);
    const session = String(rung.json.session);
    const call = dev.simulator.calls.get(session);
    await call?.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'gather');
    const inbound = await state(dev, session);
    expect(inbound.engine).toMatchObject({ script: 'acme', step: 'menu' });
    expect(inbound.transcript.turns[0]).toEqual({ block: 'monitor', message: 'Welcome to Acme. This call may be recorded for quality purposes.', params: {} });
    call?.hangup();
    await call?.ended;

    const placed = await postJson(`${dev.url}/phone/api/calls`, { script: 'reminder', outbound: true, to: '+6598765400', vars: { name: 'Ann' } });
    expect(placed.status).toBe(201);
    const out = dev.simulator.calls.get(String(placed.json.session));
    await out?.waitFor((e) => e.kind === 'prompt');
    expect(out?.pending?.block).toBe('dial');
    expect(out?.from).toBe('+6560000000');
    out?.act({ type: 'outcome', outcome: 'answered' });
    await out?.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'gather');
    const outbound = await state(dev, String(placed.json.session));
    expect(outbound.transcript.turns.map((t) => t.block)).toEqual(['dial', 'play', 'gather']);
    expect(outbound.transcript.turns[1]?.message).toBe('Hello Ann, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.');
    out?.hangup();
    await out?.ended;
  });

  it('a terminal phone on this dev server (call --server) places an outbound call without --from: the simulated account\'s number is used', async () => {
    dev = await startTestServer({ provider });
    const info = (await (await request(`${dev.url}/dev/provider`)).body.json()) as { provider: string; defaultFrom?: string };
    expect(info).toEqual({ provider, defaultFrom: '+6560000000' });
    const live = await remoteCall({ server: dev.url, outbound: true, script: 'reminder', to: '+6598765401', vars: { name: 'Bo' }, token: TEST_API_TOKEN });
    const call = dev.simulator.calls.get(live.session);
    expect(call?.from).toBe('+6560000000');
    await call?.waitFor((e) => e.kind === 'prompt');
    await live.act({ type: 'hangup' });
    await call?.ended;
    await live.close();
  });
});

describe('/phone on the jambonz simulator', () => {
  it('rings a script by its number over signed JSON hooks, and places an outbound call with the account number as From', async () => {
    // acme as jambonz can run it: its greeting played (jambonz has no monitor).
    const dir = mkdtempSync(join(tmpdir(), 'cs-phone-jambonz-'));
    writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml', 'utf8').replace('monitor: "Welcome', 'play: "Welcome'));
    writeFileSync(join(dir, 'reminder.yaml'), readFileSync('examples/reminder.yaml', 'utf8'));
    const loaded = await loadScripts([dir], { provider: capabilitiesOf('jambonz') });
    expect(loaded.scripts.map((s) => s.name).sort()).toEqual(['acme', 'reminder']);
    dev = await startTestServer({ provider: 'jambonz', scripts: loaded.scripts });
    const rung = await postJson(`${dev.url}/phone/api/calls`, { script: 'acme' });
    expect(rung.status).toBe(201);
    const session = String(rung.json.session);
    const call = dev.simulator.calls.get(session);
    await call?.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'gather');
    const inbound = await state(dev, session);
    expect(inbound.engine).toMatchObject({ script: 'acme', step: 'menu' });
    expect(inbound.transcript.turns[0]).toEqual({ block: 'play', message: 'Welcome to Acme. This call may be recorded for quality purposes.', params: {} });
    expect(call?.transcript.find((e) => e.kind === 'notification')).toMatchObject({ fields: { call_sid: session, to: '+6560000001' } });
    call?.hangup();
    await call?.ended;

    const placed = await postJson(`${dev.url}/phone/api/calls`, { script: 'reminder', outbound: true, to: '+6598765400', vars: { name: 'Ann' } });
    expect(placed.status).toBe(201);
    const out = dev.simulator.calls.get(String(placed.json.session));
    await out?.waitFor((e) => e.kind === 'prompt');
    expect(out?.pending?.block).toBe('dial');
    expect(out?.from).toBe('+6560000000');
    out?.act({ type: 'outcome', outcome: 'answered' });
    await out?.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'gather');
    const outbound = await state(dev, String(placed.json.session));
    expect(outbound.transcript.turns.map((t) => t.block)).toEqual(['dial', 'play', 'gather']);
    expect(outbound.transcript.turns[1]?.message).toBe('Hello Ann, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.');
    out?.hangup();
    await out?.ended;
    rmSync(dir, { recursive: true, force: true });
  });

});
