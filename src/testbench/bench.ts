/**
 * The test bench: the real engine and the Hoiio simulator in this process, talking HTTP
 * over loopback on ephemeral ports (a dev server), plus what tools need around it —
 * placing inbound and outbound calls with a chosen caller, the engine's outcome and final
 * variables of each call, and coverage. `callscript call` and `callscript test` use it.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { CallState, Outcome } from '../engine/state.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Script } from '../script/model.js';
import { startDevServer, type DevServer } from '../dev/server.js';
import type { CallerAgent, EndInfo, SimCall } from '../simulator/types.js';
import { CoverageRecorder } from './coverage.js';
import type { CallSetup } from '../runtime/call-features.js';
import { DEFAULT_CALLER, DEFAULT_DIALLED } from '../dev/phone-numbers.js';

export interface BenchOptions {
  readonly scripts: readonly Script[];
  /** The provider whose simulator runs the calls; default hoiio. */
  readonly provider?: string;
  readonly log?: Logger;
  readonly maxSteps?: number;
}

export interface CallRequest {
  readonly script?: Script;
  readonly outbound: boolean;
  readonly from?: string;
  /** Inbound: the number dialled. Outbound: the callee. */
  readonly to?: string;
  readonly vars?: Readonly<Record<string, string>>;
  /** The caller (inbound) or callee (outbound). */
  readonly agent: CallerAgent;
  /** Initial vars, a fixed clock and environment values for this call (test files' `vars`, `now`, `env`). */
  readonly setup?: CallSetup;
}

/** How a call ended, from both sides. */
export interface Finished {
  readonly end: EndInfo;
  /** The engine's outcome; absent when the engine never ran the call (e.g. an unknown number). */
  readonly outcome?: Outcome;
  /** The engine's last state of the call. */
  readonly state?: CallState;
}

/** Why a call could not be placed (an outbound request refused, a bad number). */
export class PlaceCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlaceCallError';
  }
}

export class Bench {
  readonly coverage: CoverageRecorder;
  private readonly ended = new Map<string, { state: CallState; outcome: Outcome }>();
  private readonly endWaiters = new Map<string, () => void>();
  /** Setups of calls being placed: `inbound:<session>` or `outbound:<number dialled>`. */
  private readonly setups = new Map<string, CallSetup>();

  private constructor(
    readonly dev: DevServer,
    readonly apiToken: string,
    coverage: CoverageRecorder,
  ) {
    this.coverage = coverage;
  }

  static async start(o: BenchOptions): Promise<Bench> {
    const coverage = new CoverageRecorder(o.scripts);
    const apiToken = randomBytes(16).toString('hex');
    let bench: Bench | undefined;
    const dev = await startDevServer({
      flags: { port: 0, host: '127.0.0.1', hoiioTimeout: 10_000, signatureMode: 'enforce', maxSteps: o.maxSteps ?? 200, maxBody: 65_536 },
      scripts: o.scripts,
      log: o.log ?? silentLogger(),
      ...(o.provider !== undefined ? { provider: o.provider } : {}),
      apiToken,
      accessToken: randomBytes(16).toString('hex'),
      hooks: {
        notes: (state, notes) => coverage.notes(state, notes),
        callEnded: (state, outcome) => bench?.onEnded(state, outcome),
      },
      callSetup: (query) => bench?.setups.get(query.direction === 'inbound' ? `inbound:${query.session}` : `outbound:${query.to}`),
    });
    bench = new Bench(dev, apiToken, coverage);
    return bench;
  }

  private onEnded(state: CallState, outcome: Outcome): void {
    if (state.session === '') return;
    this.ended.set(state.session, { state, outcome });
    this.endWaiters.get(state.session)?.();
  }

  /** Rings the script (by name, whatever its numbers) or dials out with its vars; resolves once the call exists. */
  async place(req: CallRequest): Promise<SimCall> {
    const sim = this.dev.simulator;
    if (!req.outbound) {
      const to = req.to ?? req.script?.numbers[0] ?? DEFAULT_DIALLED;
      const byName = req.script !== undefined ? this.dev.simulated.scriptUrl(this.dev.publicUrl, req.script) : undefined;
      try {
        const call = sim.ring({
          to,
          from: req.from ?? DEFAULT_CALLER,
          caller: req.agent,
          // Routed by name where the provider's URLs can name a script, so a test runs its script whatever numbers it lists (or none).
          ...(byName !== undefined ? { notifyUrl: byName } : {}),
        });
        // The ringing notification goes out on a later turn of the event loop: the setup is in place before it arrives.
        if (req.setup !== undefined) {
          const key = `inbound:${call.session}`;
          this.setups.set(key, req.setup);
          void call.ended.then(() => this.setups.delete(key));
        }
        return call;
      } catch (err) {
        throw new PlaceCallError('CS_BAD_CALL', err instanceof Error ? err.message : String(err));
      }
    }
    if (req.script === undefined) throw new PlaceCallError('CS_BAD_CALL', 'an outbound call needs a script');
    const to = req.to ?? DEFAULT_CALLER;
    const script = req.script;
    // TwiML providers need a caller id for an outbound call; Hoiio uses the account's number.
    const from = req.from ?? this.dev.simulated.defaultFrom;
    return this.dev.callees.withCallee(to, req.agent, async () => {
      // Dials to one number are placed one at a time (withCallee), so the number keys the setup.
      if (req.setup !== undefined) this.setups.set(`outbound:${to}`, req.setup);
      const res = await request(`${this.dev.url}/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiToken}` },
        body: JSON.stringify({ script: script.name, to, ...(from !== undefined ? { from } : {}), vars: req.vars ?? {} }),
      });
      const body = (await res.body.json()) as { session?: string; error?: { code: string; message: string } };
      if (res.statusCode !== 202 || body.session === undefined) {
        throw new PlaceCallError(body.error?.code ?? `HTTP_${res.statusCode}`, body.error?.message ?? `POST /calls answered ${res.statusCode}`);
      }
      const call = sim.calls.get(body.session);
      if (call === undefined) throw new PlaceCallError('CS_BAD_CALL', `the simulator has no call ${body.session}`);
      return call;
    }).finally(() => this.setups.delete(`outbound:${to}`));
  }

  /** Resolves when the call is over on both sides (or the engine has nothing more to say). */
  async finished(call: SimCall): Promise<Finished> {
    const end = await call.ended;
    const engine = new Promise<void>((resolve) => {
      if (this.ended.has(call.session)) resolve();
      else this.endWaiters.set(call.session, resolve);
    });
    // A call the engine never took (an unknown number) has no engine end: settle for the queues being empty.
    const quiet = (async () => {
      await this.dev.simulator.settled();
      await this.dev.runner.drain();
    })();
    await Promise.race([engine, quiet]);
    this.endWaiters.delete(call.session);
    const engineEnd = this.ended.get(call.session);
    return engineEnd === undefined ? { end } : { end, outcome: engineEnd.outcome, state: engineEnd.state };
  }

  close(): Promise<void> {
    return this.dev.close();
  }
}

/** The variables at the end of a call: the script's defaults under the call's own (outbound vars, save_as values). */
export function finalVars(script: Script, state: CallState | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(script.vars)) vars[name] = value === null ? '' : String(value);
  return { ...vars, ...(state?.vars ?? {}) };
}
