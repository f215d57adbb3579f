/**
 * The TwiML simulators stand alone (issue 20): small voice apps written the way
 * each provider's docs teach, with the provider's own package and its own
 * request verifier (examples/voice-apps/), are rung by the simulator and run
 * to the expected transcript. A request the simulator signed wrongly would be
 * refused by the app's verifier (403), which the simulator reports as error
 * 11200, so a finished menu is also proof that every request passed it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, SALES_NUMBER } from '../../examples/voice-apps/messages.mjs';
import { createApp as signalwireApp } from '../../examples/voice-apps/signalwire.mjs';
import { createApp as telnyxApp } from '../../examples/voice-apps/telnyx.mjs';
import { createApp as twilioApp } from '../../examples/voice-apps/twilio.mjs';
import { scriptedCaller, type CallerScript } from '../../src/simulator/caller.js';
import { newCredentials, startTwimlSimulator, telnyxPublicKeyText, type TwimlCredentials, type TwimlProvider, type TwimlSimulator } from '../../src/simulator/twiml/index.js';
import type { EndInfo, SimCall } from '../../src/simulator/types.js';
import { buildTranscript, type Turn } from '../../src/testbench/transcript.js';
import type { Express } from 'express';

const RANG = '+15550001';

function appFor(c: TwimlCredentials, publicUrl: string): Express {
  switch (c.provider) {
    case 'twilio':
      return twilioApp({ authToken: c.authToken });
    case 'signalwire':
      return signalwireApp({ signingKey: c.signingKey, publicUrl });
    case 'telnyx':
      return telnyxApp({ publicKey: telnyxPublicKeyText(c.publicKey) });
  }
}

/** The app on a loopback port (SignalWire's app must know its own URL before it is made). */
async function listen(make: (url: string) => Express): Promise<{ app: Express; server: Server; url: string }> {
  let app: Express | undefined;
  const server = createServer((req, res) => app?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = make(url);
  return { app, server, url };
}

/** What the caller met, one line per block: `gather "…" ⇢ 1`. */
function lines(turns: readonly Turn[]): string[] {
  return turns.map((t) => {
    const move = t.caller === undefined ? '' : ` ⇢ ${JSON.stringify(t.caller)}`;
    const to = t.params.to !== undefined ? ` → ${t.params.to}` : '';
    return `${t.block}${to}${t.message !== undefined ? ` "${t.message}"` : ''}${move}`;
  });
}

describe.each<TwimlProvider>(['twilio', 'signalwire', 'telnyx'])('a %s app written with its own package, on the simulator', (provider) => {
  const credentials = newCredentials(provider);
  let sim: TwimlSimulator;
  let app: Express;
  let server: Server;
  let appUrl = '';

  beforeAll(async () => {
    ({ app, server, url: appUrl } = await listen((url) => appFor(credentials, url)));
    sim = await startTwimlSimulator({ provider, credentials, voiceUrl: `${appUrl}/voice`, statusUrl: `${appUrl}/status` });
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  async function ring(script: CallerScript): Promise<{ call: SimCall; end: EndInfo; turns: string[] }> {
    const call = sim.ring({ to: RANG, caller: scriptedCaller(script) });
    const end = await call.ended;
    await sim.settled();
    return { call, end, turns: lines(buildTranscript(call.transcript).turns) };
  }

  it('a transfer that is busy falls back to a recorded message', async () => {
    const { end, turns, call } = await ring({ presses: ['1'], transfers: ['busy'], recordSeconds: 4 });
    expect(turns).toEqual([
      `gather "${MESSAGES.menu}" ⇢ {"press":"1"}`,
      `transfer → ${SALES_NUMBER} "${MESSAGES.connecting}" ⇢ {"outcome":"busy"}`,
      `record "${MESSAGES.salesBusy}" ⇢ {"record":4}`,
      `hangup "${MESSAGES.saved}"`,
    ]);
    expect(end.reason).toBe('script-hangup');
    // The recording URL the app was given is served by the simulator.
    const recordings = app.locals.recordings as string[];
    const url = recordings.at(-1) ?? '';
    expect(url.startsWith(sim.url)).toBe(true);
    const audio = await fetch(url);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toMatch(/^audio\//);
    // Every webhook was answered 2xx: the app's own verifier accepted each signature.
    const statuses = call.transcript.flatMap((e) => (e.kind === 'delivery' ? [e.result.status] : []));
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((s) => s !== undefined && s >= 200 && s < 300)).toBe(true);
    expect((app.locals.statuses as string[]).at(-1)).toBe('completed');
  });

  it('an answered transfer ends the call', async () => {
    const { end, turns } = await ring({ presses: ['1'], transfers: ['answered'] });
    expect(turns).toEqual([`gather "${MESSAGES.menu}" ⇢ {"press":"1"}`, `transfer → ${SALES_NUMBER} "${MESSAGES.connecting}" ⇢ {"outcome":"answered"}`]);
    expect(end.reason).toBe('transfer-answered');
  });

  it('pressing 2 records a message', async () => {
    const { turns } = await ring({ presses: ['2'] });
    expect(turns).toEqual([`gather "${MESSAGES.menu}" ⇢ {"press":"2"}`, `record "${MESSAGES.leaveMessage}" ⇢ {"record":3}`, `hangup "${MESSAGES.saved}"`]);
  });

  it('no input falls through to the goodbye after the gather', async () => {
    const { end, turns } = await ring({ presses: [''] });
    expect(turns).toEqual([`gather "${MESSAGES.menu}" ⇢ {"no_input":true}`, `hangup "${MESSAGES.noInput}"`]);
    expect(end.reason).toBe('script-hangup');
  });

  it('a wrong key is answered and the menu asked again through <Redirect>', async () => {
    const { end, turns } = await ring({ presses: ['9'] });
    expect(turns).toEqual([`gather "${MESSAGES.menu}" ⇢ {"press":"9"}`, `play "${MESSAGES.invalid}"`, `gather "${MESSAGES.menu}" ⇢ {"hangup":true}`]);
    expect(end.reason).toBe('caller-hangup');
  });
});
