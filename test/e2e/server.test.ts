/**
 * End to end: the real server over HTTP on loopback, against the Hoiio simulator.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/dev/server.js';
import { scriptedCaller, type BlockEntry, type NotificationEntry, type SimCall } from '../../src/simulator/index.js';
import { captureLogger, sentBlocks, spoken, startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';

const CALLER = '+6591234567';

let dev: DevServer;
let logs: ReturnType<typeof captureLogger>;

beforeAll(async () => {
  logs = captureLogger();
  dev = await startTestServer({ log: logs.log });
});

afterAll(async () => {
  await dev.close();
});

function ring(to: string, script: Parameters<typeof scriptedCaller>[0]): SimCall {
  return dev.simulator.ring({ to, from: CALLER, caller: scriptedCaller(script) });
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${dev.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_API_TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

describe('inbound calls', () => {
  it('runs the menu: press 1, sales busy, voicemail, goodbye — exact blocks and messages', async () => {
    const call = ring('+6560000001', { presses: ['1'], transfers: ['busy'] });
    const end = await call.ended;
    expect(end.reason).toBe('script-hangup');
    await dev.simulator.settled();
    expect(sentBlocks(call)).toEqual([
      ['monitor', { msg: 'Welcome to Acme. This call may be recorded for quality purposes.' }],
      [
        'gather',
        {
          msg: 'For sales press 1. For support press 2. For your account press 3. To hear these options again press 9. For the operator press 0.',
          max_digits: '1',
          timeout: '10',
          attempts: '2',
          tag: 'main-menu',
        },
      ],
      [
        'transfer',
        { dest: '+6562223333', msg: 'Connecting you to our sales team.', caller_id: CALLER, on_failure: 'continue', tag: 'sales' },
      ],
      [
        'record',
        { msg: 'Sorry, no one is available. Please leave your name, number and a short message after the tone.', max_duration: '120' },
      ],
      ['hangup', { msg: 'Thank you for calling Acme. Goodbye.' }],
    ]);
    await dev.runner.drain();
    const ended = logs.lines().find((l) => l.msg === 'call.ended' && l.session === call.session);
    expect(ended).toMatchObject({ outcome: 'completed', script: 'acme' });
    expect(dev.simulator.violations.filter((v) => v.session === call.session)).toEqual([]);
  });

  it('retries invalid input with the invalid message, collects an account number and spells it back', async () => {
    const call = ring('+6560000001', { presses: ['7', '3', '12345678', '1'], transfers: ['answered'] });
    await call.ended;
    expect(spoken(call)).toEqual([
      ['monitor', 'Welcome to Acme. This call may be recorded for quality purposes.'],
      ['gather', expect.stringMatching(/^For sales press 1\./)],
      ['gather', expect.stringMatching(/^Sorry, that is not a valid choice\. For sales press 1\./)],
      ['gather', 'Please enter your 8 digit account number, then press hash.'],
      ['gather', 'You entered 1 2 3 4 5 6 7 8. If that is correct press 1. To enter it again press 2.'],
      ['transfer', 'Thank you. Connecting you to our accounts team.'],
    ]);
    expect(sentBlocks(call).at(-1)?.[1].tag).toBe('account 12345678');
  });

  it('no input after all attempts goes to no_input', async () => {
    const call = ring('+6560000001', { presses: [''] });
    await call.ended;
    expect(spoken(call).at(-1)).toEqual(['hangup', 'We did not receive your choice. Thank you for calling Acme. Goodbye.']);
  });

  it('a caller who hangs up mid-block ends the call; nothing is sent afterwards', async () => {
    const call = ring('+6560000001', { hangupAfter: 1 });
    const end = await call.ended;
    expect(end.reason).toBe('caller-hangup');
    await dev.simulator.settled();
    await dev.runner.drain();
    expect(spoken(call).map(([b]) => b)).toEqual(['monitor', 'gather']);
    expect(dev.simulator.violations.filter((v) => v.session === call.session)).toEqual([]);
    const state = [...(await dev.store.active())].find((s) => s.session === call.session);
    expect(state).toBeUndefined();
  });

  it('an unknown number gets a polite hangup and a log line', async () => {
    const call = ring('+6569999999', {});
    await call.ended;
    expect(spoken(call)).toEqual([['hangup', 'Sorry, this number is not in service. Goodbye.']]);
    expect(logs.lines().some((l) => l.msg === 'call.unknown_number' && l.to === '+6569999999')).toBe(true);
  });

  it('routes by script name at /hoiio/incoming/<script> whatever the number', async () => {
    const call = dev.simulator.ring({
      to: '+6569999998',
      from: CALLER,
      caller: scriptedCaller({ presses: ['1'] }),
      notifyUrl: `${dev.publicUrl}/hoiio/incoming/reminder`,
    });
    await call.ended;
    expect(spoken(call)[0]).toEqual(['play', 'Hello there, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.']);
  });
});

describe('outbound calls', () => {
  it('POST /calls dials, then runs the script with the request vars once answered', async () => {
    const dialed = dev.simulator.nextDial();
    dev.simulator.setOutboundCaller(scriptedCaller({ presses: ['1'] }));
    try {
      const res = await post('/calls', { script: 'reminder', to: '+6598765432', vars: { name: 'Bob', appointment: 'on Friday at 3 pm' } });
      expect(res.status).toBe(202);
      const call = await dialed;
      expect(res.body).toMatchObject({ session: call.session, txn_ref: call.txnRef });
      await call.ended;
      expect(sentBlocks(call)).toEqual([
        ['dial', { dest: '+6598765432' }],
        ['play', { msg: 'Hello Bob, this is Acme Clinic reminding you of your appointment on Friday at 3 pm.' }],
        ['gather', { msg: 'To confirm your appointment press 1. To reschedule press 2.', max_digits: '1', timeout: '8', attempts: '3' }],
        ['hangup', { msg: 'Thank you, Bob. We look forward to seeing you on Friday at 3 pm. Goodbye.' }],
      ]);
    } finally {
      dev.simulator.setOutboundCaller();
    }
  });

  it('a busy callee ends the call as not answered', async () => {
    const dialed = dev.simulator.nextDial();
    dev.simulator.setOutboundCaller(scriptedCaller({ dial: 'busy' }));
    try {
      const res = await post('/calls', { script: 'reminder', to: '+6598765433' });
      expect(res.status).toBe(202);
      const call = await dialed;
      const end = await call.ended;
      expect(end.dialStatus).toBe('busy');
      await dev.simulator.settled();
      await dev.runner.drain();
      expect(logs.lines().find((l) => l.msg === 'call.ended' && l.session === call.session)).toMatchObject({ outcome: 'not-answered' });
      expect(spoken(call)).toEqual([['dial', undefined]]);
    } finally {
      dev.simulator.setOutboundCaller();
    }
  });

  it.each([
    ['no token', {}, { authorization: '' }, 401, 'CS_UNAUTHORIZED'],
    ['a wrong token', {}, { authorization: 'Bearer nope' }, 401, 'CS_UNAUTHORIZED'],
    ['an unknown script', { script: 'nope', to: '+6598765432' }, {}, 404, 'CS_UNKNOWN_SCRIPT'],
    ['a bad number', { script: 'reminder', to: '98765432' }, {}, 400, 'CS_BAD_REQUEST'],
    ['a number given as a JSON number', { script: 'reminder', to: 6598765432 }, {}, 400, 'CS_BAD_REQUEST'],
    ['an undeclared var', { script: 'reminder', to: '+6598765432', vars: { nmae: 'Bob' } }, {}, 400, 'CS_UNKNOWN_VAR'],
    ['an unknown field', { script: 'reminder', to: '+6598765432', extra: 1 }, {}, 400, 'CS_BAD_REQUEST'],
    ['a body that is not JSON', '{"script":', {}, 400, 'CS_BAD_REQUEST'],
    ['a form body', 'script=reminder', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'CS_UNSUPPORTED_MEDIA_TYPE'],
    ['an oversize body', { script: 'reminder', to: '+6598765432', vars: { name: 'x'.repeat(70_000) } }, {}, 413, 'CS_BODY_TOO_LARGE'],
  ])('refuses %s with a JSON error', async (_name, body, headers, status, code) => {
    const res = await post('/calls', body, headers);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code } });
    expect(typeof (res.body as { error: { message: string } }).error.message).toBe('string');
  });
});

describe('notifications', () => {
  it('refuses a forged notification (wrong token, or another call\'s session) and the call is unaffected', async () => {
    const call = dev.simulator.ring({ to: '+6560000001', from: CALLER, caller: (p) => (p.block === 'gather' ? new Promise(() => {}) : { type: 'continue' }) });
    // Wait until the menu is waiting for the caller, with its notify URL known.
    const gather = await call.waitFor((e): e is BlockEntry => e.kind === 'block' && e.block === 'gather');
    const url = new URL(gather.params.notify_url ?? '');
    const before = await dev.store.get(url.pathname.split('/')[3] ?? '');
    expect(before?.pending).toBe('gather');

    const wrongToken = new URL(url);
    wrongToken.searchParams.set('t', 'A'.repeat(22));
    const forged = await dev.simulator.forge(call.session, { call_state: 'ongoing', session: call.session, digits: '1' }, wrongToken.toString(), {
      signature: 'valid',
    });
    expect(forged.status).toBe(403);

    const noToken = new URL(url);
    noToken.search = '';
    expect((await dev.simulator.forge(call.session, { call_state: 'ended', session: call.session }, noToken.toString(), { signature: 'valid' })).status).toBe(403);

    const otherSession = await dev.simulator.forge('S-other', { call_state: 'ended', session: 'S-other' }, url.toString(), { signature: 'valid' });
    expect(otherSession.status).toBe(403);

    const unsigned = await dev.simulator.forge(call.session, { call_state: 'ongoing', session: call.session, digits: '1' }, url.toString(), {
      signature: 'invalid',
    });
    expect(unsigned.status).toBe(401);

    await dev.runner.drain();
    const after = await dev.store.get(before?.id ?? '');
    expect(after).toEqual(before);
    expect(logs.lines().filter((l) => l.msg === 'notification.refused').length).toBeGreaterThanOrEqual(4);
    call.hangup();
    await call.ended;
  });

  it('answers 404 for an unknown call, 400 for a bad call_state, 415 for JSON', async () => {
    const base = `${dev.url}/hoiio/notify/cNOPE/1?t=x`;
    const unknown = await request(base, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'call_state=ongoing' });
    expect(unknown.statusCode).toBe(401); // signatures are enforced in these tests: refused before any lookup
    await unknown.body.dump();
    const devNoSig = await startTestServer({ flags: { port: 0, host: '127.0.0.1', hoiioTimeout: 5000, signatureMode: 'off', maxSteps: 200, maxBody: 1024 } });
    try {
      const u = `${devNoSig.url}/hoiio/notify/cNOPE/1?t=x`;
      const r1 = await request(u, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'call_state=ongoing&session=S1' });
      expect(r1.statusCode).toBe(404);
      expect(await r1.body.json()).toMatchObject({ error: { code: 'CS_UNKNOWN_CALL' } });
      const r2 = await request(u, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'call_state=weird' });
      expect(r2.statusCode).toBe(400);
      await r2.body.dump();
      const r3 = await request(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"call_state":"ongoing"}' });
      expect(r3.statusCode).toBe(415);
      await r3.body.dump();
      const r4 = await request(u, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `digits=${'1'.repeat(2000)}` });
      expect(r4.statusCode).toBe(413);
      await r4.body.dump();
      const r5 = await request(`${devNoSig.url}/hoiio/notify/cNOPE/zero?t=x`, { method: 'POST', body: '' });
      expect(r5.statusCode).toBe(400);
      await r5.body.dump();
      const r6 = await request(`${devNoSig.url}/hoiio/incoming`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'call_state=ringing' });
      expect(r6.statusCode).toBe(400);
      await r6.body.dump();
    } finally {
      await devNoSig.close();
    }
  });

  it('a duplicated ringing notification starts one call', async () => {
    const call = ring('+6560000001', { presses: [''] });
    await call.ended;
    const ringing = call.transcript.find((e): e is NotificationEntry => e.kind === 'notification' && e.fields.call_state === 'ringing');
    const again = await dev.simulator.forge(call.session, ringing?.fields ?? {}, `${dev.publicUrl}/hoiio/incoming`, { signature: 'valid' });
    expect(again.status).toBe(200);
    await dev.runner.drain();
    expect(sentBlocks(call).filter(([b]) => b === 'monitor')).toHaveLength(1);
    expect(logs.lines().some((l) => l.msg === 'notification.duplicate_ringing' && l.session === call.session)).toBe(true);
  });

  it('GET /healthz answers 200 when ready', async () => {
    const res = await request(`${dev.url}/healthz`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ status: 'ok', scripts: 5 });
  });
});

describe('load', () => {
  it('50 concurrent calls, inbound and outbound, all complete with the right transcript', async () => {
    const inbound = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? ring('+6560000001', { presses: ['1'], transfers: ['busy'] }) : ring('+6560000002', { presses: ['12345678', '1'] }),
    );
    dev.simulator.setOutboundCaller(scriptedCaller({ presses: ['1'] }));
    const outbound = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post('/calls', { script: 'reminder', to: `+659000${String(i).padStart(4, '0')}`, vars: { name: `Caller ${i}` } })),
    );
    try {
      expect(outbound.map((r) => r.status)).toEqual(Array(10).fill(202));
      const outboundCalls = outbound.map((r) => dev.simulator.calls.get(String(r.body?.session)));
      const all = [...inbound, ...outboundCalls.map((c) => c!)];
      const ends = await Promise.all(all.map((c) => c.ended));
      expect(ends.map((e) => e.reason)).toEqual([
        ...inbound.map((_, i) => (i % 2 === 0 ? 'script-hangup' : 'transfer-answered')),
        ...outboundCalls.map(() => 'script-hangup'),
      ]);
      for (const [i, call] of inbound.entries()) {
        if (i % 2 === 0) expect(spoken(call).map(([b]) => b)).toEqual(['monitor', 'gather', 'transfer', 'record', 'hangup']);
        else expect(spoken(call).at(-1)?.[0]).toBe('transfer');
      }
      for (const [i, call] of outboundCalls.entries()) {
        expect(spoken(call!)[1]).toEqual(['play', `Hello Caller ${i}, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.`]);
      }
      const sessions = new Set(all.map((c) => c.session));
      expect(dev.simulator.violations.filter((v) => v.session !== undefined && sessions.has(v.session))).toEqual([]);
    } finally {
      dev.simulator.setOutboundCaller();
    }
  });
});
