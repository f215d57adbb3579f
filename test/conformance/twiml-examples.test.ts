/**
 * Conformance: the examples' transcripts (`examples/*.test.yaml`, written for
 * Hoiio) played on each TwiML provider through its simulator, over real
 * sockets: the same key presses and transfer outcomes give the same blocks,
 * messages and outcome on Twilio, Telnyx TeXML and SignalWire as on Hoiio. The
 * simulator signs as the provider does, reads replies with its own XML reader
 * and runs the verbs as the providers document them; it shares no code with
 * the adapter. Every capability these examples use is in the three tables, so
 * no case is skipped.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { adapterFromEnv, capabilitiesOf } from '../../src/provider/registry.js';
import { loadScripts } from '../../src/script-files/load.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { playTwimlCall, signalwireSigner, startTwimlRest, telnyxSigner, twilioSigner, type TwimlCallerScript, type TwimlRest, type TwimlSigner, type Turn } from '../../src/simulator/twiml/index.js';

type Dialect = 'twilio' | 'telnyx' | 'signalwire';
const PUBLIC_URL = 'https://ivr.example.com';
const DEFAULT_FROM = '+6591234567';
const BLOCKS = ['dial', 'play', 'monitor', 'gather', 'record', 'transfer', 'hangup'] as const;

interface Entry extends Record<string, unknown> {
  readonly press?: string;
  readonly no_input?: boolean;
  readonly outcome?: 'answered' | 'busy' | 'unanswered' | 'failed';
  readonly hangup?: boolean;
}
interface Case {
  readonly name: string;
  readonly caller?: { readonly from?: string; readonly to?: string; readonly outbound?: boolean; readonly vars?: Record<string, string> };
  readonly expect: readonly Entry[];
  readonly outcome?: string;
}
interface Suite {
  readonly script: string;
  readonly cases: readonly Case[];
}

const suites: Suite[] = ['examples/acme.test.yaml', 'examples/reminder.test.yaml'].map((f) => parse(readFileSync(f, 'utf8')) as Suite);

/** The caller's part of a case: its presses, transfer outcomes, the callee's answer, when it hangs up. */
function callerOf(c: Case): TwimlCallerScript {
  const presses: string[] = [];
  const transfers: Array<NonNullable<Entry['outcome']>> = [];
  let dial: Entry['outcome'];
  let hangupAfter: number | undefined;
  c.expect.forEach((entry, index) => {
    if (entry.press !== undefined) presses.push(String(entry.press));
    if (entry.no_input === true) presses.push('');
    if ('transfer' in entry && entry.outcome !== undefined) transfers.push(entry.outcome);
    if ('dial' in entry && entry.outcome !== undefined) dial = entry.outcome;
    if (entry.hangup === true) hangupAfter = index;
  });
  return { presses, transfers, ...(dial !== undefined ? { dial } : {}), ...(hangupAfter !== undefined ? { hangupAfter } : {}) };
}

/** Why a turn does not match what the case expects, or undefined. */
function mismatch(turn: Turn | undefined, entry: Entry): string | undefined {
  const kind = BLOCKS.find((b) => b in entry);
  if (turn === undefined) return `expected ${kind ?? '?'}, the call had ended`;
  if (turn.block !== kind) return `expected ${kind ?? '?'}, got ${turn.block} "${turn.message}"`;
  const want = entry[kind];
  const message = typeof want === 'string' ? want : typeof want === 'object' && want !== null ? (want as Record<string, unknown>) : undefined;
  if (typeof message === 'string') return turn.message === message ? undefined : `${kind}: "${turn.message}" is not "${message}"`;
  if (message === undefined) return undefined;
  if (typeof message.message === 'string' && turn.message !== message.message) return `${kind}: "${turn.message}" is not "${message.message}"`;
  if (typeof message.contains === 'string' && !turn.message.includes(message.contains)) return `${kind}: "${turn.message}" lacks "${message.contains}"`;
  if (typeof message.matches === 'string' && !new RegExp(message.matches).test(turn.message)) return `${kind}: "${turn.message}" does not match ${message.matches}`;
  if (kind === 'transfer' && typeof message.to === 'string' && turn.to !== message.to) return `transfer to ${turn.to ?? ''}, not ${message.to}`;
  if (kind === 'transfer' && typeof message.caller_id === 'string' && turn.callerId !== message.caller_id) return `transfer caller id ${turn.callerId ?? ''}, not ${message.caller_id}`;
  if (kind === 'dial' && typeof message.to === 'string' && turn.to !== message.to) return `dial to ${turn.to ?? ''}, not ${message.to}`;
  return undefined;
}

describe.each<Dialect>(['twilio', 'telnyx', 'signalwire'])('the examples on %s', (dialect) => {
  let rest: TwimlRest;
  let server: RunningServer;
  let signer: TwimlSigner;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    const keys = generateKeyPairSync('ed25519');
    Object.assign(
      env,
      dialect === 'twilio'
        ? { TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001', TWILIO_AUTH_TOKEN: 'conformance-token' }
        : dialect === 'signalwire'
          ? { SIGNALWIRE_PROJECT_ID: 'p-1', SIGNALWIRE_API_TOKEN: 'PT1', SIGNALWIRE_SPACE_URL: 'sim.signalwire.com', SIGNALWIRE_SIGNING_KEY: 'PSK_conformance' }
          : { TELNYX_API_KEY: 'KEY1', TELNYX_PUBLIC_KEY: keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'), TELNYX_ACCOUNT_SID: 'acct-1' },
    );
    signer = dialect === 'twilio' ? twilioSigner('conformance-token') : dialect === 'signalwire' ? signalwireSigner('PSK_conformance') : telnyxSigner(keys.privateKey);
    rest = await startTwimlRest({
      provider: dialect,
      phone: () => ({ target: server.url, publicUrl: PUBLIC_URL, signer, statusUrl: `${PUBLIC_URL}/${dialect}/status`, accountSid: 'acct-1' }),
    });
    const loaded = await loadScripts(['examples/acme.yaml', 'examples/reminder.yaml'], { provider: capabilitiesOf(dialect) });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const adapter = adapterFromEnv(dialect, { env: (name) => env[name], apiUrl: rest.url });
    if (adapter === undefined) throw new Error('no adapter');
    server = await startServer({
      config: {
        port: 0,
        host: '127.0.0.1',
        publicUrl: PUBLIC_URL,
        hoiio: { baseUrl: 'http://127.0.0.1:9/', appId: '', accessToken: '', timeoutMs: 1000, signatureMode: 'off' },
        maxBodyBytes: 65_536,
        maxSteps: 200,
        apiToken: 'api-token',
      },
      scripts: loaded.scripts,
      log: silentLogger(),
      adapter,
    });
  });
  afterAll(async () => {
    await server?.close();
    await rest?.close();
  });

  const cases = suites.flatMap((s) => s.cases.map((c) => [s.script, c.name, c] as const));
  let n = 0;
  it.each(cases)('%s: %s', async (script, _name, c) => {
    const caller = callerOf(c);
    const outbound = script === 'reminder';
    let sid: string;
    let result;
    if (outbound) {
      rest.expectOutbound(caller);
      const res = await fetch(`${server.url}/calls`, {
        method: 'POST',
        headers: { authorization: 'Bearer api-token', 'content-type': 'application/json' },
        // A TwiML provider needs a From number for an outbound call; Hoiio had its account's.
        body: JSON.stringify({ script, to: c.caller?.to ?? DEFAULT_FROM, from: c.caller?.from ?? '+6560000000', ...(c.caller?.vars !== undefined ? { vars: c.caller.vars } : {}) }),
      });
      expect(res.status).toBeLessThan(300);
      const placed = rest.outbound.at(-1);
      if (placed === undefined) throw new Error('no outbound call reached the provider');
      sid = placed.sid;
      result = await placed.result;
    } else {
      sid = `${dialect}-conf-${++n}`;
      result = await playTwimlCall(
        { target: server.url, publicUrl: PUBLIC_URL, signer, statusUrl: `${PUBLIC_URL}/${dialect}/status`, accountSid: 'acct-1', recordingsStarted: rest.recordingsStarted, forcedHangup: rest.forcedHangup },
        { sid, from: c.caller?.from ?? DEFAULT_FROM, to: '+6560000001', direction: 'inbound', url: `${PUBLIC_URL}/${dialect}/voice` },
        caller,
      );
    }
    expect(result.detail).toBeUndefined();
    const problems = c.expect.map((entry, i) => mismatch(result.turns[i], entry)).filter((p) => p !== undefined);
    expect(problems, JSON.stringify(result.turns, null, 1)).toEqual([]);
    expect(result.turns.length, JSON.stringify(result.turns, null, 1)).toBe(c.expect.length);
    await server.runner.drain();
    const id = await server.store.findBySession(sid);
    if (c.outcome !== undefined) expect((await server.store.get(id ?? ''))?.outcome).toBe(c.outcome);
  });
});
