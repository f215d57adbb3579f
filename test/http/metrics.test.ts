/**
 * GET /metrics (Prometheus text format) after real calls through the simulator:
 * calls in progress and ended by script and outcome, step and provider latency
 * histograms, provider errors and retries by code, ignored and refused
 * notifications, reloads, and the process metrics.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScripts } from '../../src/script-files/load.js';
import type { DevServer } from '../../src/dev/server.js';
import { scriptedCaller, type BlockEntry } from '../../src/simulator/index.js';
import { startTestServer } from '../helpers/dev-server.js';

let dev: DevServer;
const dir = mkdtempSync(join(tmpdir(), 'callscript-metrics-'));

async function scrape(): Promise<{ type: string; text: string }> {
  const res = await request(`${dev.url}/metrics`);
  expect(res.statusCode).toBe(200);
  return { type: String(res.headers['content-type']), text: await res.body.text() };
}

/** The value of one sample, e.g. value(text, 'callscript_calls_ended_total', { script: 'acme', outcome: 'completed' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

beforeAll(async () => {
  writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml'));
  const loaded = await loadScripts([dir]);
  dev = await startTestServer({ scripts: loaded.scripts, reload: { paths: [dir], watch: false, git: false } });
});

afterAll(async () => {
  await dev?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /metrics', () => {
  it('counts calls, steps, provider errors and retries, ignored notifications and reloads', async () => {
    // 1. A call that completes: monitor, gather (1), transfer busy, record, hangup; its notifications duplicated.
    dev.simulator.setFaults({ notification: () => ({ duplicate: 1 }) });
    const completed = dev.simulator.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['1'], transfers: ['busy'] }) });
    expect((await completed.ended).reason).toBe('script-hangup');
    await dev.simulator.settled();
    // 2. A call whose gather is rate limited once, then refused with an internal error: an apology ends it.
    let gathers = 0;
    dev.simulator.setFaults({ request: (ctx) => (ctx.kind === 'request' && ctx.block === 'gather' ? { status: gathers++ === 0 ? 'error_rate_limit_exceeded' : 'error_internal_server_error' } : undefined) });
    const failed = dev.simulator.ring({ to: '+6560000001', caller: scriptedCaller({ presses: ['1'] }) });
    await failed.ended;
    dev.simulator.setFaults(undefined);
    // 3. A call parked at the menu while we scrape.
    const parked = dev.simulator.ring({ to: '+6560000001', caller: (p) => (p.block === 'gather' ? new Promise(() => undefined) : { type: 'continue' }) });
    await parked.waitFor((e): e is BlockEntry => e.kind === 'block' && e.block === 'gather');
    await dev.runner.drain();

    const { type, text } = await scrape();
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(text, 'callscript_calls_started_total', { script: 'acme', direction: 'inbound' })).toBe(3);
    expect(value(text, 'callscript_calls_in_progress', { script: 'acme' })).toBe(1);
    expect(value(text, 'callscript_calls_ended_total', { script: 'acme', outcome: 'completed' })).toBe(1);
    expect(value(text, 'callscript_calls_ended_total', { script: 'acme', outcome: 'error' })).toBe(1);
    // Blocks accepted: 5 for the first call, monitor + apology for the second (its gather was refused), monitor + gather for the parked one.
    const blocks = completed.transcript.filter((e) => e.kind === 'block').length + 2 + 2;
    expect(blocks).toBe(9);
    let steps = 0;
    let requests = 0;
    for (const block of ['monitor', 'gather', 'transfer', 'record', 'hangup']) {
      steps += value(text, 'callscript_step_duration_seconds_count', { block }) ?? 0;
      requests += value(text, 'callscript_provider_request_duration_seconds_count', { block }) ?? 0;
      expect(value(text, 'callscript_step_duration_seconds_bucket', { block, le: '+Inf' })).toBe(value(text, 'callscript_step_duration_seconds_count', { block }));
    }
    // One step per event handled; the second call's menu step ended with the apology accepted, not the refused gather.
    expect(steps).toBe(blocks);
    expect(requests).toBe(blocks);
    expect(value(text, 'callscript_provider_errors_total', { block: 'gather', code: 'error_internal_server_error' })).toBe(1);
    expect(value(text, 'callscript_provider_retries_total', { block: 'gather', code: 'error_rate_limit_exceeded' })).toBe(1);
    // Every notification of the first call came twice; the copies changed nothing.
    expect(value(text, 'callscript_notifications_ignored_total', { reason: 'stale' })).toBeGreaterThanOrEqual(4);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);

    // Reloads: one good, one with an invalid file (which keeps its last good version).
    expect(value(text, 'callscript_script_reloads_total', { trigger: 'signal', result: 'ok' })).toBeUndefined();
    writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml', 'utf8').replace('Welcome to', 'Hello from'));
    await dev.reloader?.reload('signal');
    writeFileSync(join(dir, 'acme.yaml'), 'steps: {');
    await dev.reloader?.reload('signal');
    const after = (await scrape()).text;
    expect(value(after, 'callscript_script_reloads_total', { trigger: 'signal', result: 'ok' })).toBe(1);
    expect(value(after, 'callscript_script_reloads_total', { trigger: 'signal', result: 'invalid' })).toBe(1);

    parked.hangup();
    await parked.ended;
    await dev.simulator.settled();
    await dev.runner.drain();
    const end = (await scrape()).text;
    expect(value(end, 'callscript_calls_in_progress', { script: 'acme' }) ?? 0).toBe(0);
    expect(value(end, 'callscript_calls_ended_total', { script: 'acme', outcome: 'caller-hangup' })).toBe(1);
  });
});
