/**
 * Who answers the calls the engine dials. The simulator has one outbound callee for all
 * calls; tools that place outbound calls side by side (parallel tests, the browser
 * phone next to scripted calls) need one per call. A `CalleeDirectory` is that one
 * callee: it hands each dial to the agent claimed for its number, or to a fallback.
 *
 * A claim is bound to the call when the simulator creates it (during the Dial request,
 * before the engine even has the session), so there is no race with the callee's first
 * decision. Claims for one number are taken one at a time.
 */
import { scriptedCaller } from '../simulator/caller.js';
import type { CallerAgent, SimCall, Simulator } from '../simulator/types.js';

export class CalleeDirectory {
  private readonly bySession = new Map<string, CallerAgent>();
  private readonly claims = new Map<string, CallerAgent>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly fallback: CallerAgent = scriptedCaller()) {}

  /** The simulator's outbound caller. */
  readonly agent: CallerAgent = (prompt, call) => (this.bySession.get(call.session) ?? this.fallback)(prompt, call);

  /** Binds claims to the calls the simulator creates; returns the unsubscribe. */
  attach(sim: Simulator): () => void {
    return sim.onDial((call: SimCall) => {
      const agent = this.claims.get(call.to);
      if (agent === undefined) return;
      this.claims.delete(call.to);
      this.bySession.set(call.session, agent);
      void call.ended.then(() => this.bySession.delete(call.session));
    });
  }

  /** Runs `place` (which makes the engine dial `dest`) with `agent` answering that dial. */
  async withCallee<T>(dest: string, agent: CallerAgent, place: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(dest) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = previous.then(() => mine);
    this.queues.set(dest, chained);
    await previous;
    this.claims.set(dest, agent);
    try {
      return await place();
    } finally {
      if (this.claims.get(dest) === agent) this.claims.delete(dest);
      release();
      if (this.queues.get(dest) === chained) this.queues.delete(dest);
    }
  }
}
