/**
 * The browser phone of `callscript dev` (never of `serve`): the page and its assets
 * (plain HTML/CSS/JS from the package's `public/phone/`, nothing from a CDN), and a small
 * JSON API — the scripts with their flow graphs, placing a call, and a call's transcript
 * with the engine's current step. Live updates come from the simulator's `/sim` SSE.
 */
import { readFile } from 'node:fs/promises';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { buildFlowGraph, toSvg } from '../graph/index.js';
import type { ScriptRegistry } from '../runtime/script-registry.js';
import type { CallRunner } from '../runtime/call-runner.js';
import { CallRequestError } from '../runtime/call-runner.js';
import { interactiveCaller } from '../simulator/caller.js';
import { summarize } from '../simulator/control.js';
import type { Simulator } from '../simulator/types.js';
import type { SessionStore } from '../store/session-store.js';
import type { CalleeDirectory } from './callees.js';
import { DEFAULT_CALLER, DEFAULT_DIALLED } from './phone-numbers.js';
import { buildTranscript } from '../testbench/transcript.js';
import { isE164 } from '../util/e164.js';

/** What the phone needs from the dev server; read on each request (scripts may be reloaded). */
export interface PhoneServer {
  readonly scripts: ScriptRegistry;
  readonly store: SessionStore;
  readonly runner: CallRunner;
  readonly publicUrl: string;
}

export interface PhoneOptions {
  readonly simulator: Simulator;
  readonly callees: CalleeDirectory;
  /** The server, once it listens. */
  readonly server: () => PhoneServer | undefined;
  /** Where a script is rung by name whatever its numbers; undefined: by the number dialled (the provider routes by it). */
  readonly scriptUrl?: (publicUrl: string, script: { readonly name: string }) => string | undefined;
  /** The caller id of an outbound call placed without one, where the provider needs a From. */
  readonly defaultFrom?: string;
  /**
   * No engine: the phone rings someone's own voice app through the simulator
   * (`callscript phone --browser`). There are no scripts to pick; every call
   * rings the app, and a call's state is the simulator's transcript alone.
   */
  readonly app?: { readonly provider: string; readonly url: string };
}

const ASSETS = new URL('../../public/phone/', import.meta.url);
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'phone.js': 'text/javascript; charset=utf-8',
  'utterances.js': 'text/javascript; charset=utf-8',
  'phone.css': 'text/css; charset=utf-8',
};

function problem(c: Context, status: 400 | 404 | 409 | 502 | 503, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}

async function asset(c: Context, name: string): Promise<Response> {
  const type = FILES[name];
  if (type === undefined) return problem(c, 404, 'CS_NOT_FOUND', `no phone asset ${name}`);
  const body = await readFile(new URL(name, ASSETS));
  return c.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' });
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
    out[k] = String(v);
  }
  return out;
}

export function phoneRoutes(o: PhoneOptions): Hono {
  const app = new Hono();
  app.use('/api/*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => problem(c, 400, 'CS_BODY_TOO_LARGE', 'request bodies are limited to 64 KiB') }));
  const server = (c: Context): PhoneServer | Response => o.server() ?? problem(c, 503, 'CS_NOT_READY', 'the dev server is starting');

  app.get('/', (c) => asset(c, 'index.html'));
  app.get('/:file{[a-z]+\\.(js|css|html)}', (c) => asset(c, c.req.param('file')));

  app.get('/api/scripts', (c) => {
    if (o.app !== undefined) return c.json({ scripts: [], app: o.app });
    const s = server(c);
    if (s instanceof Response) return s;
    const scripts = s.scripts
      .list()
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((script) => {
        const graph = buildFlowGraph(script);
        return {
          name: script.name,
          description: script.description ?? '',
          numbers: script.numbers,
          vars: script.vars,
          start: script.start,
          graph,
          svg: toSvg(graph),
        };
      });
    return c.json({ scripts });
  });

  app.post('/api/calls', async (c) => {
    if (o.app !== undefined) return ringApp(c, o);
    const s = server(c);
    if (s instanceof Response) return s;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = await c.req.json();
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return problem(c, 400, 'CS_BAD_REQUEST', 'send a JSON object: { script, outbound?, from?, to?, vars? }');
    }
    const from = body.from === undefined || body.from === '' ? undefined : body.from;
    const to = body.to === undefined || body.to === '' ? undefined : body.to;
    for (const [name, value] of [['from', from], ['to', to]] as const) {
      if (value !== undefined && (typeof value !== 'string' || !isE164(value))) {
        return problem(c, 400, 'CS_BAD_NUMBER', `${name} must be an E.164 number like +6591234567`);
      }
    }
    if (body.script === undefined || body.script === '') {
      // Ringing a number: routed like a real call, by the number's owner (or the unknown-number hangup).
      if (to === undefined || body.outbound === true) return problem(c, 400, 'CS_BAD_REQUEST', 'give a script, or the number to ring as `to`');
      const call = o.simulator.ring({ to: to as string, from: (from as string | undefined) ?? DEFAULT_CALLER, caller: interactiveCaller() });
      return c.json({ session: call.session }, 201);
    }
    const script = typeof body.script === 'string' ? s.scripts.current(body.script) : undefined;
    if (script === undefined) return problem(c, 404, 'CS_UNKNOWN_SCRIPT', `no script named ${JSON.stringify(body.script)}`);
    const vars = stringRecord(body.vars);
    if (vars === undefined) return problem(c, 400, 'CS_BAD_REQUEST', 'vars must map names to strings');
    const undeclared = Object.keys(vars).filter((k) => !Object.hasOwn(script.vars, k));
    if (undeclared.length > 0) return problem(c, 400, 'CS_UNKNOWN_VAR', `script ${script.name} does not declare ${undeclared.join(', ')}`);
    if (body.outbound === true) {
      const callee = (to as string | undefined) ?? DEFAULT_CALLER;
      try {
        const placed = await o.callees.withCallee(callee, interactiveCaller(), () =>
          s.runner.outbound({ script: script.name, to: callee, ...(from !== undefined ? { from: from as string } : o.defaultFrom !== undefined ? { from: o.defaultFrom } : {}), vars }),
        );
        return c.json({ session: placed.session }, 201);
      } catch (err) {
        if (err instanceof CallRequestError) return problem(c, 502, err.code, err.message);
        throw err;
      }
    }
    const call = o.simulator.ring({
      to: (to as string | undefined) ?? script.numbers[0] ?? DEFAULT_DIALLED,
      from: (from as string | undefined) ?? DEFAULT_CALLER,
      caller: interactiveCaller(),
      ...byName(o, s.publicUrl, script),
    });
    return c.json({ session: call.session }, 201);
  });

  app.get('/api/calls/:session', async (c) => {
    const call = o.simulator.calls.get(c.req.param('session'));
    if (o.app !== undefined) {
      if (call === undefined) return problem(c, 404, 'CS_UNKNOWN_CALL', `no call ${c.req.param('session')}`);
      return c.json({ call: summarize(call), transcript: buildTranscript(call.transcript), engine: null });
    }
    const s = server(c);
    if (s instanceof Response) return s;
    if (call === undefined) return problem(c, 404, 'CS_UNKNOWN_CALL', `no call ${c.req.param('session')}`);
    const id = await s.store.findBySession(call.session);
    const state = id !== undefined ? await s.store.get(id) : undefined;
    return c.json({
      call: summarize(call),
      transcript: buildTranscript(call.transcript, state?.outcome ?? undefined),
      engine:
        state === undefined
          ? null
          : { script: state.script, step: state.step, path: state.path, status: state.status, outcome: state.outcome, vars: state.vars },
    });
  });

  return app;
}

/** A call to the app: the number dialled and the caller's, nothing else (there are no scripts or vars). */
async function ringApp(c: Context, o: PhoneOptions): Promise<Response> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return problem(c, 400, 'CS_BAD_REQUEST', 'send a JSON object: { from?, to? }');
  const fields = body as Record<string, unknown>;
  const numbers: Record<'from' | 'to', string | undefined> = { from: undefined, to: undefined };
  for (const name of ['from', 'to'] as const) {
    const value = fields[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || !isE164(value)) return problem(c, 400, 'CS_BAD_NUMBER', `${name} must be an E.164 number like +6591234567`);
    numbers[name] = value;
  }
  if (fields.outbound === true) return problem(c, 400, 'CS_BAD_REQUEST', 'the app places its own outbound calls: ring it instead');
  const call = o.simulator.ring({ to: numbers.to ?? APP_NUMBER, from: numbers.from ?? DEFAULT_CALLER, caller: interactiveCaller() });
  return c.json({ session: call.session }, 201);
}

/** The number dialled when ringing an app without one (any number reaches the app's webhook). */
const APP_NUMBER = '+15550001';

/** Hoiio rings a script by name (its incoming URL names it); elsewhere the number dialled routes the call. */
function byName(o: PhoneOptions, publicUrl: string, script: { readonly name: string }): { notifyUrl?: string } {
  const url = o.scriptUrl !== undefined ? o.scriptUrl(publicUrl, script) : `${publicUrl}/hoiio/incoming/${script.name}`;
  return url !== undefined ? { notifyUrl: url } : {};
}
