/**
 * What a caller hears when the provider fails mid-call: the call is ended
 * politely, the failure is logged with the session and step, the server lives on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLITE_HANGUP } from '../../src/engine/messages.js';
import type { DevServer } from '../../src/dev/server.js';
import { scriptedCaller, type RequestFault } from '../../src/simulator/index.js';
import { captureLogger, spoken, startTestServer } from '../helpers/dev-server.js';

let dev: DevServer;
let logs: ReturnType<typeof captureLogger>;

beforeAll(async () => {
  logs = captureLogger();
  dev = await startTestServer({
    log: logs.log,
    flags: { port: 0, host: '127.0.0.1', hoiioTimeout: 300, signatureMode: 'enforce', maxSteps: 200, maxBody: 65_536 },
  });
});

afterAll(async () => {
  await dev.close();
});

/** Fails every gather request with `fault` (the first one of each call only when `once`). */
function failGathers(fault: RequestFault, once = false): void {
  const seen = new Set<string>();
  dev.simulator.setFaults({
    request: (ctx) => {
      if (ctx.block !== 'gather') return undefined;
      if (once && seen.has(ctx.session ?? '')) return undefined;
      seen.add(ctx.session ?? '');
      return fault;
    },
  });
}

async function menuCall(presses: string[]) {
  const call = dev.simulator.ring({ to: '+6560000001', caller: scriptedCaller({ presses, transfers: ['busy'] }) });
  await call.ended;
  await dev.simulator.settled();
  await dev.runner.drain();
  return call;
}

describe('provider failures mid-call', () => {
  it.each([
    ['an error status', { status: 'error_internal_server_error' }, 'error_internal_server_error'],
    ['HTTP 502 with a non-JSON body', { httpStatus: 502 }, 'E_PROVIDER_BAD_RESPONSE'],
    ['a connection reset', { reset: true }, 'E_PROVIDER_CONNECTION_RESET'],
    ['no answer within the timeout', { hang: true }, 'E_PROVIDER_TIMEOUT'],
  ] as const)('%s ends the call with an apology and a log line naming the session and step', async (_name, fault, code) => {
    failGathers(fault);
    try {
      const call = await menuCall(['1']);
      expect(spoken(call).map(([b]) => b)).toEqual(['monitor', 'gather', 'hangup']);
      expect(spoken(call).at(-1)).toEqual(['hangup', POLITE_HANGUP.error]);
      const line = logs.lines().find((l) => l.msg === 'provider.error' && l.session === call.session);
      expect(line).toMatchObject({ code, step: 'menu', block: 'gather', script: 'acme' });
      expect(logs.lines().find((l) => l.msg === 'call.ended' && l.session === call.session)).toMatchObject({ outcome: 'error' });
    } finally {
      dev.simulator.setFaults(undefined);
    }
  });

  it('rate limiting is retried with backoff and the caller never notices', async () => {
    failGathers({ status: 'error_rate_limit_exceeded' }, true);
    try {
      const call = await menuCall(['1']);
      expect(spoken(call).map(([b]) => b)).toEqual(['monitor', 'gather', 'gather', 'transfer', 'record', 'hangup']);
      expect(call.transcript.filter((e) => e.kind === 'block' && e.block === 'gather').map((e) => (e.kind === 'block' ? e.response : ''))).toEqual([
        'error_rate_limit_exceeded',
        'success_ok',
      ]);
      expect(logs.lines().some((l) => l.msg === 'provider.retry' && l.session === call.session && l.code === 'error_rate_limit_exceeded')).toBe(true);
    } finally {
      dev.simulator.setFaults(undefined);
    }
  });

  it('when even the apology fails, a forced hangup ends the call', async () => {
    dev.simulator.setFaults({
      request: (ctx) =>
        ctx.block === 'gather' || (ctx.block === 'hangup' && ctx.params.msg !== undefined) ? { status: 'error_internal_server_error' } : undefined,
    });
    try {
      const call = await menuCall(['1']);
      const blocks = call.transcript.flatMap((e) => (e.kind === 'block' ? [[e.block, e.params.force ?? e.params.msg ?? '']] : []));
      expect(blocks).toEqual([
        ['monitor', expect.any(String)],
        ['gather', expect.any(String)],
        ['hangup', POLITE_HANGUP.error],
        ['hangup', 'enabled'],
      ]);
      expect(call.endInfo?.reason).toBe('script-hangup');
    } finally {
      dev.simulator.setFaults(undefined);
    }
  });

  it('the server keeps serving calls after all of that', async () => {
    const call = await menuCall(['1']);
    expect(spoken(call).at(-1)).toEqual(['hangup', 'Thank you for calling Acme. Goodbye.']);
  });
});
