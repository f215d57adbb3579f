/**
 * Inspecting calls over HTTP: GET /calls?active=1 and GET /calls/<call or session>,
 * on a real server with the simulator, while a call waits for the caller and after it ended.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/dev/server.js';
import { interactiveCaller, type PromptEntry, type SimCall } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { TRANSCRIPT_LIMIT } from '../../src/store/transcript.js';
import { mustCompile } from '../helpers/compile.js';
import { startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';

const SURVEY = `
name: survey
numbers: ["+6560000100"]
vars: { company: Acme }
steps:
  hello:
    play: "Hello from {{company}}."
    next: ask
  ask:
    gather: { prompt: "Press 1 for yes or 2 for no.", max_digits: 1 }
    branches: { "1": code, "2": bye }
  code:
    gather: { prompt: "Enter your four digit code.", max_digits: 4 }
    save_as: code
    next: bye
  bye:
    hangup: 'Thank you. Code {{default code "none"}}. Goodbye.'
`;

let dev: DevServer;

beforeAll(async () => {
  dev = await startTestServer({ scripts: [mustCompile(SURVEY)], store: new MemoryStore({ transcriptLimit: TRANSCRIPT_LIMIT }) });
});

afterAll(async () => {
  await dev?.close();
});

async function get(path: string, token: string | null = TEST_API_TOKEN) {
  const res = await request(`${dev.url}${path}`, { headers: token !== null ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

async function parkedAt(call: SimCall, prompt: string): Promise<void> {
  await call.waitFor((e): e is PromptEntry => e.kind === 'prompt' && e.prompt.block === 'gather' && e.prompt.msg === prompt);
  await dev.simulator.settled();
  await dev.runner.drain();
}

describe('GET /calls/<session>', () => {
  it('shows a call in progress: script, version, step, variables, transcript so far; never its token', async () => {
    const call = dev.simulator.ring({ to: '+6560000100', from: '+6591234567', caller: interactiveCaller() });
    await parkedAt(call, 'Press 1 for yes or 2 for no.');
    call.act({ type: 'press', digits: '1' });
    await parkedAt(call, 'Enter your four digit code.');

    const { status, body } = await get(`/calls/${call.session}`);
    expect(status).toBe(200);
    const version = dev.scripts.current('survey')?.version;
    expect(body).toMatchObject({
      session: call.session,
      txn_ref: call.txnRef,
      script: 'survey',
      version,
      direction: 'inbound',
      from: '+6591234567',
      to: '+6560000100',
      status: 'active',
      step: 'code',
      pending: 'gather',
      outcome: null,
      steps: 3,
      path: ['hello', 'ask', 'code'],
      variables: {},
      digits: '1',
    });
    expect(body.transcript).toEqual([
      { at: expect.any(String), type: 'sent', seq: 1, step: 'hello', block: 'play', text: 'Hello from Acme.' },
      { at: expect.any(String), type: 'received', event: 'block.done', seq: 1 },
      { at: expect.any(String), type: 'sent', seq: 2, step: 'ask', block: 'gather', text: 'Press 1 for yes or 2 for no.' },
      { at: expect.any(String), type: 'received', event: 'block.done', seq: 2, digits: '1' },
      { at: expect.any(String), type: 'sent', seq: 3, step: 'code', block: 'gather', text: 'Enter your four digit code.' },
    ]);
    const state = await dev.store.get(String(body.call));
    expect(JSON.stringify(body)).not.toContain(state?.token);

    // The same call by our id.
    expect((await get(`/calls/${String(body.call)}`)).body).toEqual(body);

    call.act({ type: 'press', digits: '4321' });
    await call.ended;
    await dev.simulator.settled();
    await dev.runner.drain();
    const ended = await get(`/calls/${call.session}`);
    expect(ended.body).toMatchObject({ status: 'ended', outcome: 'completed', variables: { code: '4321' }, path: ['hello', 'ask', 'code', 'bye'] });
    expect((ended.body.transcript as unknown[]).slice(5)).toEqual([
      { at: expect.any(String), type: 'received', event: 'block.done', seq: 3, digits: '4321' },
      { at: expect.any(String), type: 'sent', seq: 4, step: 'bye', block: 'hangup', text: 'Thank you. Code 4321. Goodbye.' },
      { at: expect.any(String), type: 'received', event: 'ended', seq: 4 },
    ]);
  });

  it('404 for an unknown call, 401 without the bearer token', async () => {
    expect(await get('/calls/S-nope')).toMatchObject({ status: 404, body: { error: { code: 'CS_UNKNOWN_CALL' } } });
    expect(await get('/calls/S-nope', null)).toMatchObject({ status: 401, body: { error: { code: 'CS_UNAUTHORIZED' } } });
    expect(await get('/calls?active=1', 'wrong')).toMatchObject({ status: 401 });
  });
});

describe('GET /calls?active=1', () => {
  it('lists the calls in progress, a page at a time, and not the ended ones', async () => {
    const calls = [0, 1, 2].map(() => dev.simulator.ring({ to: '+6560000100', caller: interactiveCaller() }));
    for (const call of calls) await parkedAt(call, 'Press 1 for yes or 2 for no.');
    const all = await get('/calls?active=1');
    expect(all.status).toBe(200);
    const listed = all.body.calls as Array<Record<string, unknown>>;
    expect(listed.map((c) => c.session).sort()).toEqual(calls.map((c) => c.session).sort());
    expect(listed[0]).toMatchObject({ script: 'survey', status: 'active', step: 'ask' });
    expect(listed[0]).not.toHaveProperty('token');
    expect(all.body.next).toBeUndefined();

    const first = await get('/calls?active=1&limit=2');
    expect((first.body.calls as unknown[]).length).toBe(2);
    const second = await get(`/calls?active=1&limit=2&after=${String(first.body.next)}`);
    const paged = [...(first.body.calls as Array<Record<string, unknown>>), ...(second.body.calls as Array<Record<string, unknown>>)];
    expect(paged.map((c) => c.call)).toEqual(listed.map((c) => c.call));

    calls[0]!.hangup();
    await calls[0]!.ended;
    await dev.simulator.settled();
    await dev.runner.drain();
    const after = await get('/calls?active=1');
    expect((after.body.calls as Array<Record<string, unknown>>).map((c) => c.session)).not.toContain(calls[0]!.session);
    for (const call of calls.slice(1)) call.hangup();
  });

  it('refuses other listings and bad limits', async () => {
    expect(await get('/calls?active=0')).toMatchObject({ status: 400, body: { error: { code: 'CS_BAD_REQUEST' } } });
    expect(await get('/calls?active=1&limit=0')).toMatchObject({ status: 400 });
    expect(await get('/calls?active=1&limit=5000')).toMatchObject({ status: 400 });
  });
});
