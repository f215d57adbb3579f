/**
 * A call in progress that a terminal (or any tool) can follow and act in: its simulator
 * entries as they happen, the caller's actions, and the engine's outcome at the end.
 * Two kinds: on an in-process bench, and on a running `callscript dev` server through
 * its `/sim` control plane (plus `POST /calls` for outbound calls).
 */
import { request } from 'undici';
import type { Outcome } from '../engine/state.js';
import { interactiveCaller } from '../simulator/caller.js';
import type { CallerAction, SimCall, SimEntry } from '../simulator/types.js';
import type { Bench, CallRequest } from './bench.js';
import { DEFAULT_CALLER } from '../dev/phone-numbers.js';
import { sseData } from './sse-reader.js';

export interface LiveCall {
  readonly session: string;
  /** Every entry of the call, past ones first, until (and including) its `ended` entry. */
  entries(): AsyncIterable<SimEntry>;
  act(action: CallerAction): Promise<void>;
  /** The engine's outcome once the call has ended, when it can be known. */
  outcome(): Promise<Outcome | undefined>;
  /** Stops following (a call still up is hung up). */
  close(): Promise<void>;
}

/** Why a call could not be placed or followed on a server. */
export class LiveCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The request was refused for what it asked (a usage error), not because something broke. */
    readonly usage = false,
  ) {
    super(message);
    this.name = 'LiveCallError';
  }
}

/** Entries of an in-process call as an async stream. */
function follow(call: SimCall): AsyncIterable<SimEntry> {
  return {
    [Symbol.asyncIterator]() {
      const queue: SimEntry[] = [...call.transcript];
      let wake: (() => void) | undefined;
      let done = false;
      const off = call.on('entry', (entry) => {
        queue.push(entry);
        wake?.();
      });
      return {
        async next(): Promise<IteratorResult<SimEntry>> {
          for (;;) {
            if (done) return { done: true, value: undefined };
            const entry = queue.shift();
            if (entry !== undefined) {
              if (entry.kind === 'call' && entry.event === 'ended') {
                done = true;
                off();
              }
              return { done: false, value: entry };
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
        },
        async return(): Promise<IteratorResult<SimEntry>> {
          done = true;
          off();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** A call on a simulator with no engine behind it (`callscript phone` ringing someone's app): its outcome is only what the simulator saw. */
export function simulatorCall(call: SimCall): LiveCall {
  return {
    session: call.session,
    entries: () => follow(call),
    act: async (action) => {
      if (call.state !== 'ended') call.act(action);
    },
    outcome: async () => undefined,
    close: async () => {
      if (call.state !== 'ended') call.hangup();
    },
  };
}

/** A call on the in-process bench, with a caller who waits for `act`. */
export async function localCall(bench: Bench, req: Omit<CallRequest, 'agent'>): Promise<LiveCall> {
  const call = await bench.place({ ...req, agent: interactiveCaller() });
  return {
    session: call.session,
    entries: () => follow(call),
    act: async (action) => {
      if (call.state !== 'ended') call.act(action);
    },
    outcome: async () => (await bench.finished(call)).outcome,
    close: async () => {
      if (call.state !== 'ended') call.hangup();
    },
  };
}

export interface RemoteCallRequest {
  /** The dev server's base URL. */
  readonly server: string;
  readonly outbound: boolean;
  /** Outbound: the script to run. */
  readonly script?: string;
  readonly from?: string;
  /** Inbound: the number to ring. Outbound: the callee. */
  readonly to: string;
  readonly vars?: Readonly<Record<string, string>>;
  /** Bearer token of `POST /calls`. */
  readonly token: string;
}

async function json(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  let res;
  try {
    res = await request(url, {
      method: method as 'GET' | 'POST',
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new LiveCallError('CS_SERVER_UNREACHABLE', `cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.body.text();
  let parsed: unknown = {};
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  return { status: res.statusCode, body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {} };
}

function errorOf(body: Record<string, unknown>): { code: string; message: string } {
  const e = body.error;
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    return { code: String(o.code ?? 'error'), message: String(o.message ?? 'error') };
  }
  return { code: 'error', message: JSON.stringify(body) };
}

/** Server-sent events of `/sim/calls/:session/events`, parsed. */
async function* sse(url: string, signal: AbortSignal): AsyncGenerator<SimEntry> {
  let res;
  try {
    res = await request(url, { headers: { accept: 'text/event-stream' }, signal });
  } catch (err) {
    throw new LiveCallError('CS_SERVER_UNREACHABLE', `cannot follow ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (res.statusCode !== 200) throw new LiveCallError('CS_SIM_EVENTS', `${url} answered ${res.statusCode}`);
  try {
    for await (const data of sseData(res.body)) {
      const entry = JSON.parse(data) as SimEntry;
      yield entry;
      if (entry.kind === 'call' && entry.event === 'ended') return;
    }
  } finally {
    res.body.destroy();
  }
}

/** A call on a running `callscript dev`: rung through `/sim/calls`, or dialled through `POST /calls`. */
export async function remoteCall(req: RemoteCallRequest): Promise<LiveCall> {
  const base = req.server.replace(/\/+$/, '');
  let session: string;
  if (!req.outbound) {
    const rung = await json('POST', `${base}/sim/calls`, { to: req.to, from: req.from ?? DEFAULT_CALLER, interactive: true });
    if (rung.status !== 201) {
      const e = errorOf(rung.body);
      throw new LiveCallError(e.code, `the simulator refused the call: ${e.message}`, rung.status < 500);
    }
    session = String(rung.body.session);
  } else {
    // The callee is chosen when the engine dials: make it interactive for this dial only.
    const before = await json('GET', `${base}/sim/outbound-caller`);
    if (before.status !== 200) throw new LiveCallError('CS_NOT_DEV_SERVER', `${base} has no simulator control plane (/sim): is it a \`callscript dev\` server?`);
    await json('POST', `${base}/sim/outbound-caller`, { interactive: true });
    // A TwiML provider needs a From: without one, the number the dev server's simulated account gives (older servers have none to give).
    const provider = req.from === undefined ? await json('GET', `${base}/dev/provider`) : undefined;
    const from = req.from ?? (typeof provider?.body.defaultFrom === 'string' ? provider.body.defaultFrom : undefined);
    let placed;
    try {
      placed = await json(
        'POST',
        `${base}/calls`,
        { script: req.script, to: req.to, ...(from !== undefined ? { from } : {}), vars: req.vars ?? {} },
        { authorization: `Bearer ${req.token}` },
      );
    } finally {
      await json('POST', `${base}/sim/outbound-caller`, { interactive: before.body.interactive === true });
    }
    if (placed.status !== 202) {
      const e = errorOf(placed.body);
      throw new LiveCallError(e.code, `POST /calls answered ${placed.status}: ${e.message}`, placed.status < 500 && placed.status !== 502);
    }
    session = String(placed.body.session);
  }
  const stop = new AbortController();
  let ended = false;
  return {
    session,
    entries: () => ({
      [Symbol.asyncIterator]: () => {
        const it = sse(`${base}/sim/calls/${encodeURIComponent(session)}/events`, stop.signal);
        return {
          next: async () => {
            const r = await it.next();
            if (!r.done && r.value.kind === 'call' && r.value.event === 'ended') ended = true;
            return r;
          },
          return: async () => it.return(undefined),
        };
      },
    }),
    act: async (action) => {
      const res = await json('POST', `${base}/sim/calls/${encodeURIComponent(session)}/act`, action);
      // 409: the call ended or moved on meanwhile; what happened shows in the entries.
      if (res.status !== 200 && res.status !== 409) throw new LiveCallError(errorOf(res.body).code, errorOf(res.body).message);
    },
    outcome: async () => {
      // The dev server's phone API knows the engine's view; older servers do not have it.
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await json('GET', `${base}/phone/api/calls/${encodeURIComponent(session)}`);
        if (res.status !== 200) return undefined;
        const engine = res.body.engine as { outcome?: Outcome | null } | null | undefined;
        if (engine?.outcome) return engine.outcome;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return undefined;
    },
    close: async () => {
      if (!ended) await json('POST', `${base}/sim/calls/${encodeURIComponent(session)}/hangup`).catch(() => undefined);
      stop.abort();
    },
  };
}

/** Numbers and names of the scripts a dev server runs (its phone API). */
export async function remoteScripts(server: string): Promise<Array<{ name: string; numbers: string[] }> | undefined> {
  const res = await json('GET', `${server.replace(/\/+$/, '')}/phone/api/scripts`);
  if (res.status !== 200 || !Array.isArray(res.body.scripts)) return undefined;
  return (res.body.scripts as Array<{ name: string; numbers: string[] }>).map((s) => ({ name: s.name, numbers: s.numbers }));
}
