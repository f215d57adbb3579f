/**
 * The browser phone, end to end in a real headless Chromium (Debian's `chromium`, driven
 * by playwright-core): place a call, press a digit, see the transfer with the flow
 * diagram's current step, answer it busy, leave a voicemail; a screenshot is kept in
 * test-results/. Also: its JSON API, assets served from the package, and no /phone on
 * the production server.
 */
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import type { DevServer } from '../../src/dev/server.js';
import { startServer } from '../../src/server/start.js';
import { exampleScripts, startTestServer } from '../helpers/dev-server.js';
import { findChromium, requireChromium } from '../helpers/optional-deps.js';

// Only the 'in Chromium' tests need a browser; the page, its API and the production check do not.
const withChromium = requireChromium(import.meta.url);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await request(url);
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text: await res.body.text() };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

let dev: DevServer;
beforeAll(async () => {
  dev = await startTestServer();
});
afterAll(async () => {
  await dev?.close();
});

describe('/phone on the dev server', () => {
  it('serves the page and its assets from the package, with nothing from another host', async () => {
    const page = await get(`${dev.url}/phone`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(['data:,', '/phone/phone.css', '/phone/phone.js']);
    const js = await get(`${dev.url}/phone/phone.js`);
    expect(js.type).toContain('text/javascript');
    expect(js.text).not.toMatch(/https?:\/\//);
    expect((await get(`${dev.url}/phone/phone.css`)).type).toContain('text/css');
    expect((await get(`${dev.url}/phone/nope.js`)).status).toBe(404);
  });

  it('API: scripts with their flow diagrams; an outbound call with vars; the engine\'s step', async () => {
    const scripts = JSON.parse((await get(`${dev.url}/phone/api/scripts`)).text) as { scripts: Array<{ name: string; numbers: string[]; svg: string; graph: { edges: unknown[] } }> };
    expect(scripts.scripts.map((s) => s.name)).toEqual(['account', 'acme', 'billing-menu', 'reminder', 'support']);
    expect(scripts.scripts[1]?.svg).toContain('data-step="menu"');

    const refused = await postJson(`${dev.url}/phone/api/calls`, { script: 'reminder', outbound: true, vars: { colour: 'red' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: 'CS_UNKNOWN_VAR' } });

    const placed = await postJson(`${dev.url}/phone/api/calls`, { script: 'reminder', outbound: true, to: '+6598765400', vars: { name: 'Ann' } });
    expect(placed.status).toBe(201);
    const session = String(placed.json.session);
    const call = dev.simulator.calls.get(session);
    // The callee is the operator at the browser: the dial waits for them.
    await call?.waitFor((e) => e.kind === 'prompt');
    expect(call?.pending?.block).toBe('dial');
    call?.act({ type: 'outcome', outcome: 'answered' });
    await call?.waitFor((e) => e.kind === 'prompt' && e.prompt.block === 'gather');
    const state = JSON.parse((await get(`${dev.url}/phone/api/calls/${session}`)).text) as {
      engine: { step: string; path: string[] };
      transcript: { turns: Array<{ block: string; message?: string }> };
    };
    expect(state.engine).toMatchObject({ step: 'confirm', path: ['remind', 'confirm'] });
    expect(state.transcript.turns[1]).toEqual({ block: 'play', message: 'Hello Ann, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.', params: {} });
    call?.hangup();
    await call?.ended;

    const rung = await postJson(`${dev.url}/phone/api/calls`, { to: '+6560000002' });
    expect(rung.status).toBe(201);
    const byNumber = dev.simulator.calls.get(String(rung.json.session));
    await byNumber?.waitFor((e) => e.kind === 'prompt');
    const answered = JSON.parse((await get(`${dev.url}/phone/api/calls/${String(rung.json.session)}`)).text) as { engine: { script: string; step: string } };
    expect(answered.engine).toMatchObject({ script: 'account', step: 'ask' });
    byNumber?.hangup();
    await byNumber?.ended;
  });
});

describe('the production server', () => {
  it('has no /phone', async () => {
    const server = await startServer({
      config: {
        port: 0,
        host: '127.0.0.1',
        hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: 'a', accessToken: 't', timeoutMs: 1000, signatureMode: 'enforce' },
        maxBodyBytes: 65_536,
        maxSteps: 200,
      },
      scripts: await exampleScripts(),
      log: silentLogger(),
    });
    try {
      expect((await get(`${server.url}/phone`)).status).toBe(404);
      expect((await get(`${server.url}/phone/api/scripts`)).status).toBe(404);
      expect((await get(`${server.url}/sim/calls`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!withChromium)('in Chromium', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    // The same binary requireChromium found (CHROMIUM_PATH, else Debian's /usr/bin/chromium).
    // playwright-core gives each launch a fresh temporary profile and removes it on close.
    browser = await chromium.launch({ executablePath: findChromium().path, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('places a call, presses a digit, sees the transfer highlighted in the flow, answers busy and leaves a voicemail', async () => {
    if (browser === undefined) throw new Error('Chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(dev.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });

    await page.goto(`${dev.url}/phone`);
    await page.selectOption('#script', 'acme');
    expect(await page.locator('#graph g.node').count()).toBe(12);
    await page.click('#start');

    await page.waitForSelector('#phone[data-state=gather]');
    expect(await page.textContent('#now')).toContain('For sales press 1.');
    await page.click('#keypad button[data-key="1"]');

    await page.waitForSelector('#phone[data-state=transfer]');
    expect(await page.textContent('#now')).toBe('↪ transfer to +6562223333 — “Connecting you to our sales team.”');
    expect(await page.textContent('#ask')).toBe('Transfer to +6562223333: how does it go?');
    await page.waitForSelector('#graph g.node.current[data-step="sales"]');
    expect(await page.locator('#graph g.edge.taken').evaluateAll((edges) => edges.map((e) => e.getAttribute('data-edge')))).toEqual(['welcome|next', 'menu|1']);
    expect(await page.locator('#transcript li').allTextContents()).toEqual([
      '◉ monitor“Welcome to Acme. This call may be recorded for quality purposes.”',
      '⌨ gather (1 digit, 10 s, 2 attempts)“For sales press 1. For support press 2. For your account press 3. To hear these options again press 9. For the operator press 0.”⇢ pressed 1',
      '↪ transfer to +6562223333“Connecting you to our sales team.”',
    ]);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/phone.png', fullPage: true });

    await page.click('#outcomes button[data-outcome=busy]');
    await page.waitForSelector('#phone[data-state=record]');
    await page.click('#record');
    await page.waitForSelector('#phone[data-state=ended]');
    expect(await page.textContent('#ended')).toBe('Call ended: script-hangup (outcome: completed).');
    expect(await page.locator('#transcript li').last().textContent()).toBe('■ hangup“Thank you for calling Acme. Goodbye.”');
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('an outbound call from the page: vars filled in, the callee answers, messages spoken aloud when asked', async () => {
    if (browser === undefined) throw new Error('Chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Headless Chromium has no voices: record what the page asks the browser to say instead.
    // (Page code as strings: this project's TypeScript has no DOM types.)
    await page.addInitScript({ content: 'window.said = []; window.speechSynthesis.speak = (u) => { window.said.push(u.text); };' });
    await page.goto(`${dev.url}/phone`);
    await page.selectOption('#script', 'reminder');
    // A script without numbers is outbound: the page offers its vars.
    expect(await page.isChecked('input[name=direction][value=outbound]')).toBe(true);
    await page.fill('#to', '+6598765411');
    await page.fill('#vars input[data-var=name]', 'Ann');
    await page.check('#speak');
    await page.click('#start');

    await page.waitForSelector('#phone[data-state=dial]');
    expect(await page.textContent('#ask')).toBe('The engine dials +6598765411: answer?');
    await page.click('#outcomes button[data-outcome=answered]');
    await page.waitForSelector('#phone[data-state=gather]');
    await page.waitForSelector('#graph g.node.current[data-step="confirm"]');
    expect(await page.locator('#transcript li').allTextContents()).toEqual([
      '☎ dial to +6598765411⇢ callee: answered',
      '▶ play“Hello Ann, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.”',
      '⌨ gather (1 digit, 8 s, 3 attempts)“To confirm your appointment press 1. To reschedule press 2.”',
    ]);
    await page.click('#keypad button[data-key="1"]');
    await page.waitForSelector('#phone[data-state=ended]');
    expect(await page.textContent('#ended')).toBe('Call ended: script-hangup (outcome: completed).');
    expect(await page.evaluate('window.said')).toEqual([
      'Hello Ann, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.',
      'To confirm your appointment press 1. To reschedule press 2.',
      'Thank you, Ann. We look forward to seeing you tomorrow at 10 am. Goodbye.',
    ]);
    await page.close();
  });

  it('rings a number: the script that owns it answers, and its flow is shown', async () => {
    if (browser === undefined) throw new Error('Chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${dev.url}/phone`);
    await page.selectOption('#script', '');
    await page.fill('#to', '+6560000002');
    await page.click('#start');
    await page.waitForSelector('#phone[data-state=gather]');
    await page.waitForSelector('#graph g.node.current[data-step="ask"]');
    expect(await page.textContent('#now')).toContain('Welcome to Acme accounts.');
    await page.click('#hangup');
    await page.waitForSelector('#phone[data-state=ended]');
    expect(await page.textContent('#ended')).toBe('Call ended: caller-hangup (outcome: caller-hangup).');
    await page.close();
  });
});
