/**
 * A canary secret in an http step's URL (query value and userinfo), in an `env:`
 * header and in the events URL's query, through whole calls on the dev server: a
 * success, a server that echoes the header back in a malformed answer, a refused
 * connection, a URL that does not parse. The canary must appear in no log line
 * (debug level), no transcript (GET /calls), no call summary and no events log.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/dev/server.js';
import type { DeliveryPolicy } from '../../src/events/delivery.js';
import { scriptedCaller } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { TRANSCRIPT_LIMIT } from '../../src/store/transcript.js';
import { mustCompile } from '../helpers/compile.js';
import { captureLogger, spoken, startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';
import { closedPort, json, localServer, type LocalServer } from '../features/local-server.js';

const CANARY = `canary${randomUUID().replaceAll('-', '')}`;
const FAST: Partial<DeliveryPolicy> = { initialDelayMs: 20, maxDelayMs: 40, pollMs: 10, maxAttempts: 2, requestTimeoutMs: 2000 };

let crm: LocalServer;
let hooks: LocalServer;
let dev: DevServer;
const logs = captureLogger('debug');

/**
 * `head` starts the URL: a server that answers (with the canary as a password), one that
 * refuses, or, through a var, no URL at all. Not in `vars`: a call summary lists the vars.
 */
function script(name: string, number: string, head: string, base = ''): string {
  return `
name: ${name}
numbers: ["${number}"]
events_url: "${hooks.url}/hook?token=${CANARY}"
vars: { crm: "${base}", name: "" }
steps:
  lookup:
    http:
      url: "${head}/customers/{{call.from}}?api_key=${CANARY}&lang=en"
      headers: { Authorization: { env: CRM_TOKEN }, X-Caller: "{{call.from}}" }
      timeout: 1
      save: { name: customer.name }
    next: hello
    on_error: broken
  hello: { hangup: "Hello {{name}}." }
  broken: { hangup: "Sorry." }
`;
}

beforeAll(async () => {
  crm = await localServer();
  hooks = await localServer((_req, res) => json(res, 500, {}));
  const refused = await closedPort();
  const withPassword = crm.url.replace('http://', `http://ops:${CANARY}@`);
  dev = await startTestServer({
    scripts: [
      mustCompile(script('ok', '+6560000301', withPassword), 'ok.yaml'),
      mustCompile(script('refused', '+6560000302', `http://127.0.0.1:${refused}`), 'refused.yaml'),
      mustCompile(script('unparsable', '+6560000303', '{{{crm}}}', 'http://exa mple.com:99999'), 'unparsable.yaml'),
    ],
    log: logs.log,
    store: new MemoryStore({ transcriptLimit: TRANSCRIPT_LIMIT }),
    env: (name) => (name === 'CRM_TOKEN' ? `Bearer ${CANARY}` : name === 'CALLSCRIPT_EVENTS_SECRET' ? 'hook-secret' : undefined),
    events: { policy: FAST },
  });
});

afterAll(async () => {
  await dev?.close();
  await crm?.close();
  await hooks?.close();
});

async function call(to: string): Promise<{ session: string; said: string | undefined }> {
  const c = dev.simulator.ring({ to, from: '+6591234567', caller: scriptedCaller({}) });
  await c.ended;
  await dev.runner.drain();
  return { session: c.session, said: spoken(c).at(-1)?.[1] };
}

describe('secrets in logs, transcripts and summaries', () => {
  it('the canary in a URL query, userinfo, an env header and the events URL is nowhere in what the server writes', async () => {
    let answer = 0;
    crm.handle((req, res) => {
      answer++;
      if (answer === 1) return json(res, 200, { customer: { name: 'Ann' } });
      // A server that echoes the credential back, in an answer that is not JSON: the parse error quotes it.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"you sent": "${String(req.headers.authorization)}" oops`);
    });
    const calls = [await call('+6560000301'), await call('+6560000301'), await call('+6560000302'), await call('+6560000303')];
    expect(calls.map((c) => c.said)).toEqual(['Hello Ann.', 'Sorry.', 'Sorry.', 'Sorry.']);
    // The secrets did reach the service: it is the logs that must not have them.
    expect(crm.received[0]?.headers.authorization).toBe(`Bearer ${CANARY}`);
    expect(crm.received[0]?.url).toContain(`api_key=${CANARY}`);

    await expect.poll(() => logs.lines().filter((l) => l.msg === 'events.gave_up').length, { timeout: 10_000 }).toBe(4);
    const transcripts: string[] = [];
    for (const c of calls) {
      const res = await request(`${dev.url}/calls/${c.session}`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
      expect(res.statusCode).toBe(200);
      transcripts.push(await res.body.text());
    }

    const logText = logs.lines().map((l) => JSON.stringify(l)).join('\n');
    const summaries = hooks.received.map((r) => r.body);
    expect(summaries.length).toBeGreaterThanOrEqual(4);
    // What each failure looked like, redacted: the lines are there, the canary is not.
    const failures = logs.lines().filter((l) => l.msg === 'http.failed').map((l) => `${String(l.failure)}: ${String(l.err)}`);
    expect(failures).toEqual([expect.stringMatching(/^malformed: /), expect.stringMatching(/^network: /), expect.stringMatching(/^bad-request: not a valid URL/)]);
    const requested = logs.lines().filter((l) => l.msg === 'http.request').map((l) => l.url);
    expect(requested[0]).toBe(`http://[REDACTED]:[REDACTED]@${crm.url.slice('http://'.length)}/customers/%2B6591234567?api_key=[REDACTED]&lang=[REDACTED]`);
    expect(transcripts[0]).toContain('api_key=[REDACTED]');
    expect(logs.lines().find((l) => l.msg === 'events.retry')?.url).toBe(`${hooks.url}/hook?token=[REDACTED]`);

    for (const [where, text] of [['logs', logText], ...transcripts.map((t, i) => [`GET /calls of call ${i + 1}`, t]), ...summaries.map((s, i) => [`summary ${i + 1}`, s])]) {
      expect(text, where).not.toContain(CANARY);
    }
  });
});
