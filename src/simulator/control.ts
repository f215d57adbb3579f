/**
 * The HTTP control plane: lets a terminal or browser "phone" ring calls, watch their
 * transcripts (JSON or Server-Sent Events) and act as the caller. The dev server mounts it
 * at `/sim`; the simulator serves it itself under `<sim.url>sim/`.
 */
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { allowedActions, parseCallerAction } from './actions.js';
import { interactiveCaller } from './caller.js';
import { InvalidRingError, SimulatorError, UnknownCallError } from './errors.js';
import type { CallerPrompt, CallerActionType, EndInfo, SimCall, SimEntry, Simulator } from './types.js';

export interface CallSummary {
  readonly session: string;
  readonly txnRef: string;
  readonly direction: SimCall['direction'];
  readonly from: string;
  readonly to: string;
  readonly state: SimCall['state'];
  readonly answered: boolean;
  readonly pending: CallerPrompt | null;
  readonly allowedActions: readonly CallerActionType[];
  readonly endInfo: EndInfo | null;
}

export function summarize(call: SimCall): CallSummary {
  const pending = call.pending;
  return {
    session: call.session,
    txnRef: call.txnRef,
    direction: call.direction,
    from: call.from,
    to: call.to,
    state: call.state,
    answered: call.answered,
    pending: pending ?? null,
    allowedActions: pending ? allowedActions(pending.block) : call.state === 'ended' ? [] : ['hangup'],
    endInfo: call.endInfo ?? null,
  };
}

type ErrorStatus = 400 | 404 | 409 | 500 | 503;

function statusOf(code: string): ErrorStatus {
  switch (code) {
    case 'no_pending_decision':
    case 'action_not_allowed':
    case 'call_ended':
      return 409;
    case 'unknown_call':
      return 404;
    case 'simulator_closed':
      return 503;
    default:
      return 400;
  }
}

class BadRequestError extends SimulatorError {
  constructor(detail: string) {
    super('bad_request', detail);
  }
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    const text = await c.req.text();
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new BadRequestError('the body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function createSimulatorControl(sim: Simulator): Hono {
  const app = new Hono();
  let outboundInteractive = false;

  const callOf = (session: string): SimCall => {
    const call = sim.calls.get(session);
    if (!call) throw new UnknownCallError(session);
    return call;
  };

  app.onError((err, c) => {
    if (err instanceof SimulatorError) {
      return c.json({ error: { code: err.code, message: err.message } }, statusOf(err.code));
    }
    return c.json({ error: { code: 'internal', message: String(err) } }, 500);
  });

  app.post('/calls', async (c) => {
    const body = await jsonBody(c);
    if (typeof body.to !== 'string' || body.to === '') throw new InvalidRingError('"to" (the dialled number) is required');
    if (body.from !== undefined && typeof body.from !== 'string') throw new InvalidRingError('"from" must be a string');
    const interactive = body.interactive !== false;
    const call = sim.ring({
      to: body.to,
      ...(typeof body.from === 'string' ? { from: body.from } : {}),
      ...(interactive ? { caller: interactiveCaller() } : {}),
    });
    return c.json({ session: call.session, txnRef: call.txnRef, state: call.state }, 201);
  });

  app.get('/calls', (c) => c.json({ calls: [...sim.calls.values()].map(summarize) }));

  app.get('/calls/:session', (c) => {
    const call = callOf(c.req.param('session'));
    return c.json({ ...summarize(call), transcript: call.transcript });
  });

  app.get('/calls/:session/events', (c) => {
    const call = callOf(c.req.param('session'));
    return streamSSE(c, async (stream) => {
      const queue: SimEntry[] = [...call.transcript];
      let done = sim.closed;
      let wake: (() => void) | undefined;
      const poke = (): void => {
        const w = wake;
        wake = undefined;
        w?.();
      };
      const offEntry = call.on('entry', (entry) => {
        queue.push(entry);
        poke();
      });
      const offClose = sim.on('close', () => {
        done = true;
        poke();
      });
      stream.onAbort(() => {
        done = true;
        poke();
      });
      try {
        while (!done) {
          const entry = queue.shift();
          if (entry) {
            await stream.writeSSE({ event: 'entry', id: String(entry.seq), data: JSON.stringify(entry) });
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        offEntry();
        offClose();
      }
    });
  });

  app.post('/calls/:session/act', async (c) => {
    const call = callOf(c.req.param('session'));
    const action = parseCallerAction(await jsonBody(c));
    call.act(action);
    return c.json(summarize(call));
  });

  app.post('/calls/:session/hangup', (c) => {
    const call = callOf(c.req.param('session'));
    call.hangup();
    return c.json(summarize(call));
  });

  app.get('/outbound-caller', (c) => c.json({ interactive: outboundInteractive }));

  app.post('/outbound-caller', async (c) => {
    const body = await jsonBody(c);
    if (typeof body.interactive !== 'boolean') throw new BadRequestError('"interactive" (boolean) is required');
    outboundInteractive = body.interactive;
    sim.setOutboundCaller(outboundInteractive ? interactiveCaller() : undefined);
    return c.json({ interactive: outboundInteractive });
  });

  app.get('/violations', (c) => c.json({ violations: sim.violations }));

  return app;
}
