/**
 * The browser phone can ring someone's own voice app (issue 20): `callscript
 * phone --browser` serves the same page and the simulator's control plane,
 * with the phone's routes in their app mode. Here the Twilio example app
 * (twilio.webhook() and VoiceResponse) is rung through its API and, where
 * Chromium is installed, from the page: a key, a busy transfer, a message.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../examples/voice-apps/messages.mjs';
import { createApp } from '../../examples/voice-apps/twilio.mjs';
import { startBrowserPhone, type BrowserPhone } from '../../src/phone/browser-phone.js';
import { startAppSimulator, type AppSimulator } from '../../src/phone/app-simulator.js';
import { findChromium, requireChromium } from '../helpers/optional-deps.js';

const withChromium = requireChromium(import.meta.url);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SECRET = 'app-phone-secret';

let appServer: Server;
let appUrl = '';
let started: AppSimulator;
let phone: BrowserPhone;

beforeAll(async () => {
  const app = createApp({ authToken: SECRET });
  appServer = createServer(app);
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', () => resolve()));
  appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
  started = await startAppSimulator({ provider: 'twilio', appUrl: `${appUrl}/voice`, statusUrl: `${appUrl}/status`, secret: SECRET, env: () => undefined });
  phone = await startBrowserPhone({ simulator: started.simulator, provider: 'twilio', appUrl: `${appUrl}/voice`, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await phone?.close();
  await started?.simulator.close();
  appServer?.closeAllConnections();
  await new Promise<void>((resolve) => appServer?.close(() => resolve()));
});

async function json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`${phone.url}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('the browser phone in app mode', () => {
  it('API: no scripts but the app; a call rings the app and its transcript has no engine', async () => {
    expect((await json('GET', '/phone/api/scripts')).body).toEqual({ scripts: [], app: { provider: 'twilio', url: `${appUrl}/voice` } });
    expect((await json('POST', '/phone/api/calls', { to: '12345' })).status).toBe(400);
    const placed = await json('POST', '/phone/api/calls', { to: '' });
    expect(placed.status).toBe(201);
    const session = String(placed.body.session);
    const call = started.simulator.calls.get(session);
    await call?.waitFor((e) => e.kind === 'prompt');
    const act = await json('POST', `/sim/calls/${encodeURIComponent(session)}/act`, { type: 'press', digits: '2' });
    expect(act.status).toBe(200);
    await call?.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'record');
    call?.act({ type: 'record', seconds: 2 });
    await call?.ended;
    const view = await json('GET', `/phone/api/calls/${encodeURIComponent(session)}`);
    expect(view.body.engine).toBeNull();
    expect(view.body.transcript).toMatchObject({
      turns: [
        { block: 'gather', message: MESSAGES.menu, caller: { press: '2' } },
        { block: 'record', message: MESSAGES.leaveMessage, caller: { record: 2 } },
        { block: 'hangup', message: MESSAGES.saved },
      ],
      end: { reason: 'script-hangup' },
    });
  });
});

describe.skipIf(!withChromium)('in Chromium', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: findChromium().path, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('rings the app from the page: a key, a busy transfer, a message left', async () => {
    if (browser === undefined) throw new Error('Chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${phone.url}/phone`);
    await page.waitForSelector('#app-info:not([hidden])');
    expect(await page.textContent('#app-info')).toBe(`Calls ring ${appUrl}/voice as twilio would.`);
    expect(await page.isHidden('#direction')).toBe(true);
    await page.click('#start');
    await page.waitForSelector('#phone[data-state=gather]');
    await page.click('#keypad button[data-key="1"]');
    await page.waitForSelector('#phone[data-state=transfer]');
    await page.click('#outcomes button[data-outcome=busy]');
    await page.waitForSelector('#phone[data-state=record]');
    await page.click('#record');
    await page.waitForSelector('#phone[data-state=ended]');
    expect(await page.locator('#transcript li').allTextContents()).toEqual([
      `⌨ gather (1 digit, 5 s)“${MESSAGES.menu}”⇢ pressed 1`,
      `↪ transfer to +15550100“${MESSAGES.connecting}”⇢ transfer busy`,
      `● record (max 60 s)“${MESSAGES.salesBusy}”⇢ spoke for 3 s`,
      `■ hangup“${MESSAGES.saved}”`,
    ]);
    expect(await page.textContent('#ended')).toBe('Call ended: script-hangup.');
    expect(problems).toEqual([]);
    await page.close();
  });
});
