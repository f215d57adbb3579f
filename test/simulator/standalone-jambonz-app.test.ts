/**
 * The jambonz simulator stands alone (issue 20): the example app written with
 * @jambonz/sdk (WebhookResponse and its verifySignature middleware, a listen
 * WebSocket of its own to record the caller) runs the menu, the busy transfer
 * falling back to a recording, no input and a wrong key. Its verifier refuses
 * a wrong signature, so a finished menu shows every hook passed it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServer } from '../../examples/voice-apps/jambonz.mjs';
import { MESSAGES, SALES_NUMBER } from '../../examples/voice-apps/messages.mjs';
import { scriptedCaller, type CallerScript } from '../../src/simulator/caller.js';
import { newJambonzCredentials, startJambonzSimulator, type JambonzSimulator } from '../../src/simulator/jambonz/index.js';
import type { EndInfo, SimCall } from '../../src/simulator/types.js';
import { buildTranscript } from '../../src/testbench/transcript.js';

const credentials = newJambonzCredentials();
let sim: JambonzSimulator;
let app: Express;
let server: Server;

beforeAll(async () => {
  // The app writes its WebSocket URL from its public URL, so take a port first.
  const probe = (await import('node:net')).createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const url = `http://127.0.0.1:${port}`;
  ({ app, server } = createAppServer({ secret: credentials.webhookSecret, publicUrl: url }));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  sim = await startJambonzSimulator({ credentials, callHook: `${url}/voice`, statusHook: `${url}/status` });
});
afterAll(async () => {
  await sim?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function ring(script: CallerScript): Promise<{ call: SimCall; end: EndInfo; turns: string[] }> {
  const call = sim.ring({ to: '+15550001', caller: scriptedCaller(script) });
  const end = await call.ended;
  await sim.settled();
  const turns = buildTranscript(call.transcript).turns.map((t) => {
    const to = t.params.to !== undefined ? ` → ${t.params.to}` : '';
    return `${t.block}${to}${t.message !== undefined ? ` "${t.message}"` : ''}${t.caller !== undefined ? ` ⇢ ${JSON.stringify(t.caller)}` : ''}`;
  });
  return { call, end, turns };
}

/** The default synthesizer voice the app names reads as the default, so messages read as plain text. */
describe('a jambonz app written with @jambonz/sdk, on the simulator', () => {
  it('a busy transfer falls back to a message recorded through the app\'s own listen WebSocket', async () => {
    const { call, end, turns } = await ring({ presses: ['1'], transfers: ['busy'], recordSeconds: 2 });
    expect(turns).toEqual([
      `gather "${MESSAGES.menu}" ⇢ {"press":"1"}`,
      `transfer → ${SALES_NUMBER} "${MESSAGES.connecting}" ⇢ {"outcome":"busy"}`,
      `record "${MESSAGES.salesBusy}" ⇢ {"record":2}`,
      `hangup "${MESSAGES.saved}"`,
    ]);
    expect(end.reason).toBe('script-hangup');
    // 2 s of 8 kHz linear16 mono reached the app's socket.
    expect((app.locals.recordings as Map<string, number>).get(call.session)).toBe(2 * 8000 * 2);
    const statuses = call.transcript.flatMap((e) => (e.kind === 'delivery' ? [e.result.status] : []));
    expect(statuses.every((s) => s !== undefined && s >= 200 && s < 300)).toBe(true);
    expect((app.locals.statuses as string[]).at(-1)).toBe('completed');
  });

  it('no input is reason timeout, answered with the goodbye', async () => {
    const { turns } = await ring({ presses: [''] });
    expect(turns).toEqual([`gather "${MESSAGES.menu}" ⇢ {"no_input":true}`, `hangup "${MESSAGES.noInput}"`]);
  });

  it('a wrong key is answered and the menu asked again through redirect', async () => {
    const { turns, end } = await ring({ presses: ['9'] });
    expect(turns).toEqual([`gather "${MESSAGES.menu}" ⇢ {"press":"9"}`, `play "${MESSAGES.invalid}"`, `gather "${MESSAGES.menu}" ⇢ {"hangup":true}`]);
    expect(end.reason).toBe('caller-hangup');
  });
});
