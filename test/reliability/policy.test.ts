/**
 * The engine's reliability policy (docs/reliability.md): which provider failures
 * are retried, with what bounds; the forced hangup as a last resort that is
 * retried until it gets through; and a caller who gave up while ringing, whose
 * `ended` overtakes the ringing notification.
 */
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/engine/blocks.js';
import { POLITE_HANGUP } from '../../src/engine/messages.js';
import { ProviderError, ProviderErrorCode } from '../../src/provider/errors.js';
import { hoiioSignature } from '../../src/provider/hoiio/signature.js';
import type { ProviderClient, SendResult } from '../../src/provider/provider.js';
import { DEFAULT_RETRY_POLICY, lastResortPolicy, mayRetry, sendWithRetry, type RetryPolicy } from '../../src/provider/retry.js';
import type { DevServer } from '../../src/dev/server.js';
import { captureLogger, startTestServer } from '../helpers/dev-server.js';
import { said } from '../../src/engine/parts.js';

/** A provider that fails with the given errors, in order, then accepts. */
class Failing implements ProviderClient {
  readonly name = 'failing';
  attempts = 0;
  constructor(private readonly errors: ProviderError[]) {}
  async send(): Promise<SendResult> {
    const err = this.errors[this.attempts++];
    if (err !== undefined) throw err;
    return {};
  }
  async close(): Promise<void> {}
}

const e = (code: string, retryable = false, sessionGone = false): ProviderError => new ProviderError(code, code, { retryable, sessionGone });
const play: Block = { kind: 'play', message: said('Hi') };
const goodbye: Block = { kind: 'hangup', message: said('Bye') };
const forced: Block = { kind: 'hangup', force: true };
const fast: RetryPolicy = { retries: 3, baseDelayMs: 1, budgetMs: 5_000 };

async function attempts(block: Block, errors: ProviderError[], policy = fast): Promise<{ attempts: number; ok: boolean; delays: number[] }> {
  const client = new Failing(errors);
  const delays: number[] = [];
  try {
    await sendWithRetry(client, block, { session: 'S1' }, policy, (_err, _n, delay) => delays.push(delay));
    return { attempts: client.attempts, ok: true, delays };
  } catch {
    return { attempts: client.attempts, ok: false, delays };
  }
}

describe('retries', () => {
  it('only where the block provably did not run: unreachable, rate limited, not ready — up to 3 times', async () => {
    for (const code of [ProviderErrorCode.unreachable, 'error_rate_limit_exceeded', 'error_session_not_ready']) {
      expect(await attempts(play, [e(code, true), e(code, true)])).toMatchObject({ attempts: 3, ok: true });
      expect(await attempts(play, [e(code, true), e(code, true), e(code, true), e(code, true), e(code, true)])).toMatchObject({ attempts: 4, ok: false });
    }
  });

  it('never where the block may have run: timeout, reset, 502, internal error, bad parameters', async () => {
    for (const code of [ProviderErrorCode.timeout, ProviderErrorCode.connectionReset, ProviderErrorCode.badResponse, 'error_internal_server_error', 'error_msg_invalid_length']) {
      expect(await attempts(play, [e(code)])).toEqual({ attempts: 1, ok: false, delays: [] });
      // Not the goodbye either: the engine forces the hangup at once rather than keep the caller waiting.
      expect(await attempts(goodbye, [e(code)])).toEqual({ attempts: 1, ok: false, delays: [] });
    }
  });

  it('a forced hangup is retried after any failure but a gone session, twice as often, within four times the budget', async () => {
    for (const code of [ProviderErrorCode.timeout, ProviderErrorCode.connectionReset, ProviderErrorCode.badResponse, 'error_internal_server_error']) {
      expect(mayRetry(forced, e(code))).toBe(true);
      expect(await attempts(forced, Array.from({ length: 5 }, () => e(code)))).toMatchObject({ attempts: 6, ok: true });
      expect(await attempts(forced, Array.from({ length: 9 }, () => e(code)))).toMatchObject({ attempts: 7, ok: false });
    }
    expect(mayRetry(forced, e('error_session_ended', false, true))).toBe(false);
    expect(await attempts(forced, [e('error_session_ended', false, true)])).toMatchObject({ attempts: 1, ok: false });
    expect(lastResortPolicy(DEFAULT_RETRY_POLICY)).toEqual({ retries: 6, baseDelayMs: 100, budgetMs: 20_000 });
  });

  it('backs off from the base delay, doubling, with at most 50 % jitter, and starts no retry past the budget', async () => {
    const policy: RetryPolicy = { retries: 3, baseDelayMs: 4, budgetMs: 5_000 };
    const { delays } = await attempts(play, [e('error_rate_limit_exceeded', true), e('error_rate_limit_exceeded', true), e('error_rate_limit_exceeded', true)], policy);
    expect(delays).toHaveLength(3);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(4 * 2 ** i);
      expect(d).toBeLessThanOrEqual(4 * 2 ** i * 1.5 + 1);
    });
    // A first backoff already past the budget: no retry at all.
    expect(await attempts(play, [e('error_rate_limit_exceeded', true)], { retries: 3, baseDelayMs: 100, budgetMs: 50 })).toEqual({ attempts: 1, ok: false, delays: [] });
  });
});

describe('against the simulator', () => {
  let dev: DevServer;
  const logs = captureLogger();
  beforeAll(async () => {
    dev = await startTestServer({ log: logs.log });
  });
  afterAll(async () => {
    await dev?.close();
  });

  it('when the apology and then the forced hangup fail, the forced hangup is sent again until the call is hung up', async () => {
    let forcedTries = 0;
    dev.simulator.setFaults({
      request: (ctx) => {
        if (ctx.kind !== 'request') return undefined;
        if (ctx.block === 'gather') return { status: 'error_internal_server_error' };
        if (ctx.block === 'hangup' && ctx.params.force === undefined) return { httpStatus: 502 };
        if (ctx.block === 'hangup' && ctx.params.force === 'enabled' && forcedTries++ < 2) return { reset: true };
        return undefined;
      },
    });
    try {
      const call = dev.simulator.ring({ to: '+6560000001' });
      const end = await call.ended;
      expect(end.reason).toBe('script-hangup');
      const hangups = call.transcript.flatMap((x) => (x.kind === 'block' && x.block === 'hangup' ? [[x.params.force ?? x.params.msg, x.response]] : []));
      expect(hangups).toEqual([
        [POLITE_HANGUP.error, 'http-502'],
        ['enabled', 'reset'],
        ['enabled', 'reset'],
        ['enabled', 'success_ok'],
      ]);
      await dev.runner.drain();
      expect(logs.lines().filter((l) => l.msg === 'provider.retry' && l.session === call.session && l.block === 'hangup')).toHaveLength(2);
    } finally {
      dev.simulator.setFaults(undefined);
    }
  });

  it('a signed `ended` at the Voice Notify URL stops a ringing notification that arrives after it; an unsigned one does not', async () => {
    const post = async (body: string, signed: boolean): Promise<number> => {
      const res = await request(`${dev.url}/hoiio/incoming`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signed ? { 'x-hoiio-signature': hoiioSignature(body, 'test-access-token') } : {}) },
        body,
      });
      await res.body.dump();
      return res.statusCode;
    };
    expect(await post('call_state=ended&ivr_block=answer&session=S-gave-up&to=%2B6560000001', true)).toBe(200);
    expect(await post('call_state=ringing&ivr_block=answer&session=S-gave-up&to=%2B6560000001&from=%2B6591234567', true)).toBe(200);
    await dev.runner.drain();
    expect(await dev.store.findBySession('S-gave-up')).toBeUndefined();
    expect(logs.lines().some((l) => l.msg === 'notification.ringing_after_end' && l.session === 'S-gave-up')).toBe(true);

    // Unsigned, it is refused outright here (signatures are enforced); a server in `log` mode would log and ignore it.
    expect(await post('call_state=ended&ivr_block=answer&session=S-still-ringing&to=%2B6560000001', false)).toBe(401);
    expect(await post('call_state=ringing&ivr_block=answer&session=S-still-ringing&to=%2B6560000001&from=%2B6591234567', true)).toBe(200);
    await dev.runner.drain();
    expect(await dev.store.findBySession('S-still-ringing')).toBeDefined();
  });
});

describe('with signatures only logged', () => {
  it('an unsigned `ended` at the Voice Notify URL cannot stop a later call on that session', async () => {
    const dev = await startTestServer({ log: pino({ level: 'silent' }), flags: { port: 0, host: '127.0.0.1', hoiioTimeout: 5_000, signatureMode: 'log', maxSteps: 200, maxBody: 65_536 } });
    try {
      const post = async (body: string): Promise<number> => {
        const res = await request(`${dev.url}/hoiio/incoming`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        await res.body.dump();
        return res.statusCode;
      };
      expect(await post('call_state=ended&ivr_block=answer&session=S-x&to=%2B6560000001')).toBe(200);
      expect(await post('call_state=ringing&ivr_block=answer&session=S-x&to=%2B6560000001&from=%2B6591234567')).toBe(200);
      await dev.runner.drain();
      expect(await dev.store.findBySession('S-x')).toBeDefined();
    } finally {
      await dev.close();
    }
  });
});
