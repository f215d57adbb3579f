/**
 * The test bench with the scripting features: canned services on loopback,
 * file vars and env, `now:` per case and `--now` per run, coverage of switch
 * cases, http outcomes, hours, global keys and returns; test-file diagnostics;
 * `callscript call --now`, `callscript test --now`, and `serve` refusing to
 * start without the environment variables a script reads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { Script } from '../../src/script/model.js';
import { parseTestFile } from '../../src/testbench/parse-test-file.js';
import { runTests } from '../../src/testbench/run-tests.js';
import { CoverageRecorder } from '../../src/testbench/coverage.js';
import { startInbound, step } from '../../src/engine/interpreter.js';
import { CannedServices, parseRouteKey } from '../../src/testbench/services.js';
import { mustCompile } from '../helpers/compile.js';
import { spoken, startTestServer } from '../helpers/dev-server.js';
import { loadScripts } from '../../src/script-files/load.js';
import { scriptedCaller } from '../../src/simulator/index.js';
import { runCli } from '../testbench/cli.js';

const FIXTURES = 'test/features/fixtures';
const MONDAY_10AM = '2026-12-21T10:00:00+08:00';
const SUNDAY_10AM = '2026-12-20T10:00:00+08:00';

describe('runTests with services, vars, env and now', () => {
  it('runs the cases against the canned service and reports coverage of the new branches', async () => {
    const report = await runTests({ paths: [`${FIXTURES}/bench`] });
    expect(report.diagnostics).toEqual([]);
    expect(report.files[0]?.cases.map((c) => [c.name, c.status, c.verdict?.notes ?? []])).toEqual([
      ['known caller, billing and back', 'passed', []],
      ['unknown caller on a Sunday', 'passed', []],
      ['the operator from any menu', 'passed', []],
    ]);
    const desk = report.coverage?.scripts.find((s) => s.script === 'desk');
    const uncovered = desk?.branches.filter((b) => !b.covered).map((b) => b.edge.id);
    expect(uncovered).toEqual(['lookup|on_timeout', 'lookup|on_error', 'menu|*', 'menu|invalid', 'menu|no_input']);
    const covered = desk?.branches.filter((b) => b.covered).map((b) => b.edge.id);
    expect(covered).toEqual(['lookup|next', 'lookup|404', 'when|open', 'when|closed', 'route|case 1', 'route|default', 'menu|1', 'menu|0', 'billing|next']);
    const sub = report.coverage?.scripts.find((s) => s.script === 'sub');
    expect(sub?.steps.every((s) => s.covered)).toBe(true);
    expect(sub?.branches.map((b) => [b.edge.id, b.covered])).toEqual([
      ['ask|9', true],
      ['ask|invalid', false],
      ['ask|no_input', false],
    ]);
  });

  it('--now sets the clock of cases that give none of their own', async () => {
    const open = await runTests({ paths: [`${FIXTURES}/clock`], now: Date.parse(MONDAY_10AM) });
    expect([open.passed, open.failed]).toEqual([1, 0]);
    const closed = await runTests({ paths: [`${FIXTURES}/clock`], now: Date.parse(SUNDAY_10AM) });
    expect([closed.passed, closed.failed]).toEqual([0, 1]);
    expect(closed.files[0]?.cases[0]?.verdict?.turns[0]?.problems).toEqual(['message: expected "We are open.", got "We are closed."']);
  });
});

describe('coverage from the engine\'s notes', () => {
  it('a repeat key is a branch, and the key pressed after it is one too', () => {
    const script = mustCompile('keys: { "*": repeat }\nsteps:\n  menu: { gather: "Press 1.", branches: { "1": bye } }\n  bye: { hangup: x }\n', 'm.yaml');
    const coverage = new CoverageRecorder([script]);
    const call = { id: 'c', token: 't', session: 'S', providerRef: 'T', from: '+6591234567', to: '+6560000001' };
    let t = startInbound(script, call, { now: 1 });
    coverage.notes(t.state, t.notes);
    for (const digits of ['*', '1']) {
      t = step(script, t.state, { type: 'block.done', seq: t.state.seq, digits }, { now: 2 });
      coverage.notes(t.state, t.notes);
    }
    const branches = coverage.report().scripts[0]?.branches.map((b) => [b.edge.id, b.covered]);
    expect(branches).toEqual([
      ['menu|1', true],
      ['menu|*', true],
      ['menu|invalid', false],
      ['menu|no_input', false],
    ]);
  });
});

describe('an injectable clock on the dev server', () => {
  it('hours steps see the clock the server was started with', async () => {
    const shop = (await loadScripts([`${FIXTURES}/clock`])).scripts;
    for (const [at, said] of [
      [SUNDAY_10AM, 'We are closed.'],
      [MONDAY_10AM, 'We are open.'],
    ] as const) {
      const dev = await startTestServer({ scripts: shop, clock: () => Date.parse(at) });
      try {
        const call = dev.simulator.ring({ to: '+6560000082', from: '+6591234567', caller: scriptedCaller({}) });
        await call.ended;
        expect(spoken(call)).toEqual([['hangup', said]]);
      } finally {
        await dev.close();
      }
    }
  });
});

describe('canned services', () => {
  let services: CannedServices | undefined;
  afterAll(async () => services?.close());

  it('answer by method and path (decoded; * is any one segment); anything else is a 404 saying so', async () => {
    const route = (key: string, response: { status: number; json?: unknown; body?: string }) => ({ ...(parseRouteKey(key) ?? { method: '', segments: [] }), key, response });
    services = await CannedServices.start([
      { name: 'crm', routes: [route('GET /a/+651', { status: 200, json: { a: 1 } }), route('* /b/*', { status: 202, body: 'raw' })] },
    ]);
    const base = services.urls.get('crm') ?? '';
    expect(services.expand('{{services.crm}}/x {{ services.crm }}')).toBe(`${base}/x ${base}`);
    const a = await request(`${base}/a/%2B651?q=1`);
    expect([a.statusCode, await a.body.json()]).toEqual([200, { a: 1 }]);
    const b = await request(`${base}/b/anything`, { method: 'DELETE' });
    expect([b.statusCode, await b.body.text()]).toEqual([202, 'raw']);
    const c = await request(`${base}/c`);
    expect(c.statusCode).toBe(404);
    expect(await c.body.json()).toEqual({ error: 'no canned route for GET /c' });
    expect(services.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /a/%2B651?q=1', 'DELETE /b/anything', 'GET /c']);
  });
});

describe('test file diagnostics for the new fields', () => {
  const script = mustCompile('name: s\nvars: { base: "" }\nsteps:\n  a: { call: t, next: b }\n  b: { hangup: x }\n', 's.yaml');
  const called = mustCompile('name: t\nvars: { token: "" }\nsteps:\n  a: { return: }\n', 't.yaml');
  const scripts = new Map<string, Script>([
    ['s', script],
    ['t', called],
  ]);
  const parse = (text: string) => parseTestFile(text, 'x.test.yaml', scripts);

  it('vars may be declared by the script or a script it calls; services named in vars must exist', () => {
    const ok = parse('script: s\nservices: { api: { "GET /x": { json: {} } } }\nvars: { base: "{{services.api}}", token: t }\ncases:\n  - name: a\n');
    expect(ok.ok).toBe(true);
    const bad = parse('script: s\nservices: { api: { "GET /x": { json: {} } } }\nvars: { bse: "{{services.apl}}" }\ncases:\n  - name: a\n');
    expect(bad.ok ? [] : bad.diagnostics.map((d) => [d.code, d.line, d.column, d.message])).toEqual([
      ['CS_TEST_UNKNOWN_VAR', 3, 9, 'no script this file runs declares `bse` in its vars; did you mean `base`?'],
      ['CS_TEST_UNKNOWN_SERVICE', 3, 14, '`{{services.apl}}` names no service of this file; did you mean `api`?'],
    ]);
  });

  it('a route key needs a method and a path', () => {
    const bad = parse(['script: s', 'services:', '  api:', '    "/x": { json: {} }', 'cases:', '  - name: a', ''].join('\n'));
    expect(bad.ok ? [] : bad.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['CS_VALUE', 4, 5]]);
  });

  it('now needs an offset; an answer has one body', () => {
    const bad = parse(['script: s', 'services:', '  api:', '    "GET /y": { json: {}, body: "x" }', 'now: "2026-12-21T10:00:00"', 'cases:', '  - name: a', '    now: tomorrow', ''].join('\n'));
    expect(bad.ok ? [] : bad.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['CS_TEST_SERVICE', 4, 27],
      ['CS_VALUE', 5, 6],
      ['CS_VALUE', 8, 10],
    ]);
  });
});

describe('the CLI', () => {
  it('callscript test --now', async () => {
    const open = await runCli(['test', `${FIXTURES}/clock`, '--now', MONDAY_10AM]);
    expect(open.code).toBe(0);
    const closed = await runCli(['test', `${FIXTURES}/clock`, '--now', SUNDAY_10AM]);
    expect(closed.code).toBe(1);
    expect(closed.stdout).toContain('got "We are closed."');
    const bad = await runCli(['test', `${FIXTURES}/clock`, '--now', 'next monday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a date and time with its offset');
  });

  it('callscript call --now', async () => {
    const open = await runCli(['call', 'shop', '--dir', `${FIXTURES}/clock`, '--press', '', '--now', MONDAY_10AM]);
    expect(open.stdout).toContain('■ hangup "We are open."');
    const closed = await runCli(['call', 'shop', '--dir', `${FIXTURES}/clock`, '--press', '', '--now', SUNDAY_10AM]);
    expect(closed.stdout).toContain('■ hangup "We are closed."');
    expect(closed.code).toBe(0);
  });

  it('serve refuses to start without the environment variables the scripts read', async () => {
    const refused = await runCli(['serve', `${FIXTURES}/env`, '--port', '0'], { env: { HOIIO_APP_ID: 'a', HOIIO_ACCESS_TOKEN: 'b', CALLSCRIPT_STORE: 'memory' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SECRET_SERVICE_KEY (script secret, steps.ask.http.headers.X-Key)');
    expect(refused.stderr).toContain('not starting');
  });

  it('validate reports the cross-file call problems of a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-validate-'));
    writeFileSync(join(dir, 'a.yaml'), 'steps:\n  go: { call: nowhere, next: bye }\n  bye: { hangup: x }\n');
    const result = await runCli(['validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('a.yaml:2:15: error: call names script `nowhere`, which is not loaded');
  });
});
