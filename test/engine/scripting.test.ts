/**
 * The interpreter's scripting features, pure: set, switch, hours, http (as an
 * action and a result event), call/return, global keys, escalating prompts,
 * voices and languages, on_error, and what a call summary needs. No I/O: the
 * clock and other scripts come in through the options.
 */
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/engine/events.js';
import { MAX_ERROR_JUMPS, startInbound, startOutbound, step, type EngineOptions, type ScriptResolver } from '../../src/engine/interpreter.js';
import { POLITE_HANGUP } from '../../src/engine/messages.js';
import type { CallState } from '../../src/engine/state.js';
import type { Action, HttpRequest, Note, Transition } from '../../src/engine/transition.js';
import type { Script } from '../../src/script/model.js';
import { mustCompile } from '../helpers/compile.js';
import { readable, type ReadableBlock } from '../helpers/readable-blocks.js';
import { messageLimits } from '../../src/engine/capabilities.js';
import { said } from '../../src/engine/parts.js';
import { HOIIO_CAPABILITIES } from '../../src/provider/hoiio/capabilities.js';
import { renderHoiioMessage } from '../../src/provider/hoiio/render.js';

const CALL = { id: 'c1', token: 'tok', session: 'S1', providerRef: 'T1', from: '+6591234567', to: '+6560000001' };
/** Monday 2026-12-21 10:00 in Singapore. */
const MONDAY_10AM = Date.parse('2026-12-21T10:00:00+08:00');

function resolverOf(...scripts: Script[]): ScriptResolver {
  return {
    current: (name) => scripts.find((s) => s.name === name),
    pinned: (name, version) => scripts.find((s) => s.name === name && s.version === version),
  };
}

class Call {
  state: CallState;
  readonly transitions: Transition[] = [];

  constructor(
    readonly script: Script,
    readonly options: EngineOptions,
    first: Transition,
  ) {
    this.state = first.state;
    this.transitions.push(first);
  }

  static inbound(script: Script, options: Partial<EngineOptions> = {}, extras: { vars?: Record<string, string>; clock?: number } = {}): Call {
    const o = { now: 1_000, ...options };
    return new Call(script, o, startInbound(script, { ...CALL, ...extras }, o));
  }

  apply(event: CallEvent): Transition {
    const t = step(this.script, this.state, event, { ...this.options, now: this.options.now + 1_000 });
    this.state = t.state;
    this.transitions.push(t);
    return t;
  }

  done(fields: Omit<Extract<CallEvent, { type: 'block.done' }>, 'type' | 'seq'> = {}): Transition {
    return this.apply({ type: 'block.done', seq: this.state.seq, ...fields });
  }

  press(digits: string): Transition {
    return this.done({ digits });
  }

  http(result: Omit<Extract<CallEvent, { type: 'http.result' }>, 'type' | 'seq'>): Transition {
    return this.apply({ type: 'http.result', seq: this.state.seq, ...result });
  }

  blocks(): ReadableBlock[] {
    return this.transitions.flatMap((t) => t.actions.flatMap((a) => (a.type === 'send' ? [readable(a.block)] : [])));
  }

  last(): ReadableBlock | undefined {
    return this.blocks().at(-1);
  }

  said(): string[] {
    return this.blocks().map((b) => ('message' in b ? (b.message ?? '') : 'prompt' in b ? (b.prompt ?? '') : ''));
  }

  requests(): HttpRequest[] {
    return this.transitions.flatMap((t) => t.actions.flatMap((a) => (a.type === 'http' ? [a.request] : [])));
  }

  notes(): Note[] {
    return this.transitions.flatMap((t) => t.notes);
  }

  branches(): string[] {
    return this.notes().flatMap((n) => (n.type === 'branch' ? [`${n.script ?? ''}${n.script ? ':' : ''}${n.step}|${n.label}`] : []));
  }
}

function actionsOf(t: Transition, type: Action['type']): Action[] {
  return t.actions.filter((a) => a.type === type);
}

describe('set', () => {
  const script = mustCompile(`
vars: { name: Ann }
steps:
  a:
    set: { greeting: "Hello {{name}}", shout: "{{upper greeting}}", n: 3, off: false, none: null }
    next: b
  b:
    hangup: "{{shout}} {{n}} {{off}}[{{none}}]"
`);

  it('assigns in order (each value sees the ones before), numbers and booleans as text, null as empty; no block of its own', () => {
    const c = Call.inbound(script);
    expect(c.state.vars).toEqual({ greeting: 'Hello Ann', shout: 'HELLO ANN', n: '3', off: 'false', none: '' });
    expect(c.blocks()).toEqual([{ kind: 'hangup', message: 'HELLO ANN 3 false[]' }]);
    expect(c.state.path).toEqual(['a', 'b']);
    expect(c.state.steps).toBe(2);
  });
});

describe('switch', () => {
  const script = mustCompile(`
vars: { tier: "", balance: "", code: "", note: "" }
steps:
  ask:
    gather: { prompt: "Code?", max_digits: 4 }
    save_as: code
    next: route
  route:
    switch:
      - if: { var: tier, equals: gold }
        goto: gold
      - if: { var: tier, in: [silver, bronze] }
        goto: metal
      - if: { all: [{ var: balance, gt: 100 }, { var: balance, lte: 1000 }] }
        goto: big
      - if: { any: [{ var: balance, lt: 0 }, { var: balance, gte: 5000 }] }
        goto: odd
      - if: { var: code, matches: "^9\\\\d{3}$" }
        goto: nines
      - if: { var: call.from, matches: "^\\\\+65" }
        goto: local
      - if: { not: { var: note, empty: true } }
        goto: noted
    default: other
  gold: { hangup: gold }
  metal: { hangup: metal }
  big: { hangup: big }
  odd: { hangup: odd }
  nines: { hangup: nines }
  local: { hangup: local }
  noted: { hangup: noted }
  other: { hangup: other }
`);

  const route = (vars: Record<string, string>, code = '1234', from = '+6591234567'): { said: string; branch: string[] } => {
    const c = new Call(script, { now: 1 }, startInbound(script, { ...CALL, from, vars }, { now: 1 }));
    c.press(code);
    return { said: c.said().at(-1) ?? '', branch: c.branches() };
  };

  it('takes the first case that holds and notes its label', () => {
    expect(route({ tier: 'gold', balance: '200' })).toEqual({ said: 'gold', branch: ['route|case 1'] });
    expect(route({ tier: 'bronze' }).said).toBe('metal');
    expect(route({ balance: '100.5' }).said).toBe('big');
    expect(route({ balance: '-3' }).said).toBe('odd');
    expect(route({ balance: '5000' }).said).toBe('odd');
    expect(route({}, '9123')).toEqual({ said: 'nines', branch: ['route|case 5'] });
  });

  it('compares numbers only when the value is a number: text, empty and "12abc" are never greater or less', () => {
    expect(route({ balance: 'lots' }, '1', '+1555').said).toBe('other');
    expect(route({ balance: '' }, '1', '+1555').said).toBe('other');
    expect(route({ balance: '200abc' }, '1', '+1555').said).toBe('other');
    expect(route({ balance: ' 200 ' }, '1', '+1555').said).toBe('big');
  });

  it('reads call fields and digits, and tests emptiness; default when nothing holds', () => {
    expect(route({}, '1', '+6590000000').said).toBe('local');
    expect(route({ note: 'x' }, '1', '+1555').said).toBe('noted');
    expect(route({}, '1', '+1555')).toEqual({ said: 'other', branch: ['route|default'] });
  });

  it('branches on the digits just pressed and on call fields other than the caller\'s number', () => {
    const byDigits = mustCompile(`
steps:
  ask:
    gather: { prompt: "Code?", max_digits: 4 }
    save_as: code
    next: route
  route:
    switch:
      - if: { var: digits, in: ["0000", "9999"] }
        goto: special
      - if: { var: call.to, equals: "+6560000001" }
        goto: main_line
    default: other
  special: { hangup: "special {{digits}}" }
  main_line: { hangup: main line }
  other: { hangup: other }
`);
    const pressed = (digits: string, to = CALL.to): { said: string | undefined; branch: string[] } => {
      const c = new Call(byDigits, { now: 1 }, startInbound(byDigits, { ...CALL, to }, { now: 1 }));
      c.press(digits);
      return { said: c.said().at(-1), branch: c.branches() };
    };
    expect(pressed('9999')).toEqual({ said: 'special 9999', branch: ['route|case 1'] });
    expect(pressed('1234')).toEqual({ said: 'main line', branch: ['route|case 2'] });
    expect(pressed('1234', '+6560000002')).toEqual({ said: 'other', branch: ['route|default'] });
  });

  it('matches tests the whole value, and patterns that backtrack for ever in JavaScript decide 50 kB at once', () => {
    // Each of these takes exponential time in a backtracking engine on such near-misses;
    // their decision times are in `npm run bench:patterns` (timings are not asserted here).
    const catastrophic: Array<[pattern: string, value: string, matches: boolean]> = [
      ['^(a+)+$', `${'a'.repeat(50_000)}!`, false],
      ['^(a|a)*$', `${'a'.repeat(50_000)}!`, false],
      ['^(a|aa)*c$', 'a'.repeat(50_000), false],
      ['^(\\\\w+\\\\s?)*$', `${'word '.repeat(10_000)}!`, false],
      ['^(\\\\w+\\\\s?)*$', 'word '.repeat(10_000), true],
      ['(x+x+)+y', 'x'.repeat(50_000), false],
      ['^(\\\\d+)*$', `${'1'.repeat(50_000)}x`, false],
      ['(.*a){12}', 'a'.repeat(50_000), true],
      ['x$', `${'a'.repeat(50_000)}x`, true],
    ];
    for (const [pattern, value, matches] of catastrophic) {
      const script = mustCompile(`
vars: { v: "" }
steps:
  s:
    switch:
      - if: { var: v, matches: "${pattern}" }
        goto: yes
    default: no
  yes: { hangup: yes }
  no: { hangup: no }
`);
      expect(Call.inbound(script, {}, { vars: { v: value } }).said().at(-1), pattern).toBe(matches ? 'yes' : 'no');
    }
  });
});

describe('hours', () => {
  const script = mustCompile(`
steps:
  when:
    hours:
      timezone: Asia/Singapore
      weekly: { mon-fri: "09:00-18:00", sat: ["09:00-12:00", "14:00-16:00"], sun: closed }
      exceptions: { "2026-12-25": closed, "2026-12-24": "09:00-12:00" }
    open: opened
    closed: shut
  opened: { hangup: open }
  shut: { hangup: closed }
`);
  const at = (iso: string, options: Partial<EngineOptions> = {}): string | undefined =>
    Call.inbound(script, { clock: Date.parse(iso), ...options }).said().at(-1);

  it('routes by the clock option, in the hours\' time zone', () => {
    expect(at('2026-12-21T10:00:00+08:00')).toBe('open');
    expect(at('2026-12-21T01:30:00Z')).toBe('open'); // 09:30 in Singapore
    expect(at('2026-12-21T00:59:00Z')).toBe('closed'); // 08:59
    expect(at('2026-12-21T18:00:00+08:00')).toBe('closed'); // the end is exclusive
    expect(at('2026-12-19T13:00:00+08:00')).toBe('closed'); // Saturday lunch
    expect(at('2026-12-19T15:00:00+08:00')).toBe('open');
    expect(at('2026-12-20T10:00:00+08:00')).toBe('closed'); // Sunday
  });

  it('applies dated exceptions over the weekly hours', () => {
    expect(at('2026-12-25T10:00:00+08:00')).toBe('closed'); // a Friday, Christmas
    expect(at('2026-12-24T11:00:00+08:00')).toBe('open');
    expect(at('2026-12-24T13:00:00+08:00')).toBe('closed');
  });

  it('a dated exception can open a day the weekly hours keep closed (a special opening)', () => {
    const special = mustCompile(script.source.replace('"2026-12-24": "09:00-12:00"', '"2026-12-24": "09:00-12:00", "2026-12-27": "10:00-14:00"'));
    const on = (iso: string): string | undefined => Call.inbound(special, { clock: Date.parse(iso) }).said().at(-1);
    expect(on('2026-12-20T11:00:00+08:00')).toBe('closed'); // an ordinary Sunday
    expect(on('2026-12-27T11:00:00+08:00')).toBe('open'); // the special Sunday opening
    expect(on('2026-12-27T09:30:00+08:00')).toBe('closed');
    expect(on('2026-12-27T14:00:00+08:00')).toBe('closed');
  });

  it('uses `now` without a clock, and a call\'s own fixed clock over both', () => {
    expect(Call.inbound(script, { now: MONDAY_10AM }).said().at(-1)).toBe('open');
    const sunday = Date.parse('2026-12-20T10:00:00+08:00');
    const c = Call.inbound(script, { now: MONDAY_10AM, clock: MONDAY_10AM }, { clock: sunday });
    expect(c.said().at(-1)).toBe('closed');
    expect(c.state.clock).toBe(sunday);
    expect(c.branches()).toEqual(['when|closed']);
  });
});

describe('http', () => {
  const script = mustCompile(`
vars: { base: "http://127.0.0.1:9", name: "", tier: "" }
on_error: sorry
steps:
  lookup:
    http:
      url: "{{{base}}}/customers/{{call.from}}?q={{tier}}"
      headers: { Authorization: { env: CRM_TOKEN }, X-Caller: "{{call.from}}" }
      timeout: 2
      save: { name: customer.name, tier: customer.tier }
    next: hello
    on_status: { "404": unknown, "5xx": busy }
    on_timeout: slow
    on_error: broken
  hello: { hangup: "Hello {{name}} ({{tier}}) {{http_status}}" }
  unknown: { hangup: "Who are you? {{http_status}}" }
  busy: { hangup: "Busy {{http_status}}" }
  slow: { hangup: "Slow [{{http_status}}]" }
  broken: { hangup: "Broken {{http_status}}" }
  sorry: { hangup: "Sorry" }
`);

  it('is an action, not a block: rendered URL (values percent-encoded), headers with env names unresolved, timeout, saves', () => {
    const c = Call.inbound(script, {}, { vars: { tier: 'a b/c' } });
    expect(c.blocks()).toEqual([]);
    expect(c.state).toMatchObject({ pending: 'http', seq: 1, step: 'lookup' });
    const [action] = actionsOf(c.transitions[0] as Transition, 'http');
    expect(action).toEqual({
      type: 'http',
      seq: 1,
      step: 'lookup',
      request: {
        method: 'GET',
        url: 'http://127.0.0.1:9/customers/%2B6591234567?q=a%20b%2Fc',
        headers: [
          ['Authorization', { env: 'CRM_TOKEN' }],
          ['X-Caller', '+6591234567'],
        ],
        timeoutMs: 2000,
        save: [
          { name: 'name', path: ['customer', 'name'] },
          { name: 'tier', path: ['customer', 'tier'] },
        ],
      },
    });
  });

  it('a 2xx saves the values and goes to next', () => {
    const c = Call.inbound(script);
    c.http({ status: 200, values: { name: 'Ann', tier: 'gold' } });
    expect(c.last()).toEqual({ kind: 'hangup', message: 'Hello Ann (gold) 200' });
    expect(c.state.vars).toMatchObject({ name: 'Ann', tier: 'gold' });
    expect(c.branches()).toEqual(['lookup|next']);
  });

  it('an exact on_status wins over its class; the class catches the rest; values of a non-2xx are not saved', () => {
    const a = Call.inbound(script);
    a.http({ status: 404, values: { name: 'x' } });
    expect(a.said().at(-1)).toBe('Who are you? 404');
    expect(a.state.vars).toEqual({});
    const b = Call.inbound(script);
    b.http({ status: 503 });
    expect(b.said().at(-1)).toBe('Busy 503');
    expect(b.branches()).toEqual(['lookup|5xx']);
  });

  it('timeout → on_timeout; network error, malformed JSON and unhandled statuses → on_error', () => {
    const slow = Call.inbound(script);
    slow.http({ failure: 'timeout', message: 'no answer' });
    expect(slow.said().at(-1)).toBe('Slow []');
    expect(slow.state.errors).toBe(1);
    for (const result of [{ failure: 'network' as const }, { status: 200, failure: 'malformed' as const }, { status: 302 }, { status: 418 }]) {
      const c = Call.inbound(script);
      c.http(result);
      expect(c.said().at(-1)).toMatch(/^Broken/);
      expect(c.branches()).toEqual(['lookup|on_error']);
      expect(c.notes()).toContainEqual(expect.objectContaining({ type: 'error.caught', target: 'broken' }));
    }
  });

  it('without on_timeout or a step on_error, failures go to the script\'s on_error; without that, a polite hangup', () => {
    const plain = mustCompile(`
on_error: sorry
steps:
  lookup: { http: { url: "http://127.0.0.1:9/x" }, next: ok }
  ok: { hangup: ok }
  sorry: { hangup: sorry }
`);
    const c = Call.inbound(plain);
    c.http({ failure: 'timeout' });
    expect(c.said().at(-1)).toBe('sorry');
    const bare = mustCompile('steps:\n  lookup: { http: { url: "http://127.0.0.1:9/x" }, next: ok }\n  ok: { hangup: ok }\n');
    const d = Call.inbound(bare);
    d.http({ status: 500 });
    expect(d.last()).toEqual({ kind: 'hangup', message: POLITE_HANGUP.error });
    expect(d.state.ending).toBe('error');
  });

  it('a caller who hangs up during the request ends the call; the late result changes nothing', () => {
    const c = Call.inbound(script);
    const ended = c.apply({ type: 'ended' });
    expect(ended.state).toMatchObject({ status: 'ended', outcome: 'caller-hangup' });
    const before = c.state;
    const late = c.http({ status: 200, values: { name: 'Ann' } });
    expect(late.state).toBe(before);
    expect(late.actions).toEqual([]);
    expect(late.notes).toEqual([{ type: 'notification.ignored', reason: 'after-end' }]);
  });

  it('a result for another request, or a block notification while a request is out, is ignored', () => {
    const c = Call.inbound(script);
    const stale = c.apply({ type: 'http.result', seq: 7, status: 200 });
    expect(stale.actions).toEqual([]);
    const block = c.apply({ type: 'block.done', seq: c.state.seq, digits: '1' });
    expect(block.actions).toEqual([]);
    expect(c.state.pending).toBe('http');
  });

  it('a JSON body key named __proto__ is just a key', () => {
    const odd = mustCompile('steps:\n  s: { http: { url: "http://h/x", json: { __proto__: { a: 1 }, b: 2 } }, next: bye }\n  bye: { hangup: bye }\n');
    const c = Call.inbound(odd);
    expect(c.requests()[0]?.body).toBe('{"__proto__":{"a":1},"b":2}');
  });

  it('renders JSON and form bodies, POST by default', () => {
    const body = mustCompile(`
vars: { account: "12 34" }
steps:
  send:
    http: { url: "http://h/x", json: { account: "{{account}}", n: 2, ok: true, list: ["{{call.from}}", null] } }
    next: form
  form:
    http: { url: "http://h/y", form: { a: "{{account}}", b: 1 }, method: PUT }
    next: bye
  bye: { hangup: bye }
`);
    const c = Call.inbound(body);
    c.http({ status: 204 });
    expect(c.requests()).toEqual([
      expect.objectContaining({ method: 'POST', contentType: 'application/json', body: '{"account":"12 34","n":2,"ok":true,"list":["+6591234567",null]}' }),
      expect.objectContaining({ method: 'PUT', contentType: 'application/x-www-form-urlencoded', body: 'a=12+34&b=1' }),
    ]);
  });
});

describe('call and return', () => {
  const main = mustCompile(
    `
name: main
vars: { account: "", balance: "" }
steps:
  start:
    set: { account: "42" }
    next: billing
  billing:
    call: billing
    next: after
  after:
    hangup: "Back in main, balance {{balance}}"
`,
    'main.yaml',
  );
  const billing = mustCompile(
    `
name: billing
vars: { account: "", balance: "" }
steps:
  menu:
    gather: { prompt: "Billing for {{account}}: press 1 for the balance, 9 to go back.", max_digits: 1 }
    branches: { "1": balance, "9": back, "0": bye }
  balance:
    set: { balance: "10.00" }
    next: back
  back:
    return:
  bye:
    hangup: "Goodbye from billing"
`,
    'billing.yaml',
  );
  const scripts = resolverOf(main, billing);

  it('runs the called script in the same call, sharing the call\'s variables, and returns to next', () => {
    const c = Call.inbound(main, { scripts });
    expect(c.said()).toEqual(['Billing for 42: press 1 for the balance, 9 to go back.']);
    expect(c.state.frames).toEqual([{ script: 'billing', version: billing.version, returnTo: 'after' }]);
    expect(c.state.path).toEqual(['start', 'billing', 'billing:menu']);
    expect(c.notes()).toContainEqual({ type: 'step.entered', step: 'menu', kind: 'gather', script: 'billing' });
    c.press('1');
    expect(c.said().at(-1)).toBe('Back in main, balance 10.00');
    expect(c.state.frames).toBeUndefined();
    expect(c.state.path).toEqual(['start', 'billing', 'billing:menu', 'billing:balance', 'billing:back', 'after']);
    expect(c.notes()).toContainEqual({ type: 'call.returned', script: 'billing', to: 'after' });
  });

  it('a hangup in the called script ends the call as usual', () => {
    const c = Call.inbound(main, { scripts });
    c.press('0');
    expect(c.last()).toEqual({ kind: 'hangup', message: 'Goodbye from billing' });
    expect(c.state.ending).toBe('completed');
  });

  it('stays on the pinned version of the called script after a newer one becomes current', () => {
    const c = Call.inbound(main, { scripts });
    const newer = mustCompile(billing.source.replace('Billing for', 'New billing for'), 'billing.yaml');
    const both: ScriptResolver = {
      current: (name) => (name === 'billing' ? newer : name === 'main' ? main : undefined),
      pinned: (name, version) => [main, billing, newer].find((s) => s.name === name && s.version === version),
    };
    const t = step(main, c.state, { type: 'block.done', seq: c.state.seq, digits: '5' }, { now: 5, scripts: both });
    expect(t.actions).toEqual([
      expect.objectContaining({
        block: expect.objectContaining({
          prompt: [
            { type: 'say', text: 'Sorry, that is not a valid choice.' },
            { type: 'say', text: expect.stringContaining('Billing for 42') },
          ],
        }),
      }),
    ]);
  });

  it('a called script whose version is gone ends the call politely', () => {
    const c = Call.inbound(main, { scripts });
    const t = step(main, c.state, { type: 'block.done', seq: c.state.seq, digits: '1' }, { now: 5, scripts: resolverOf(main) });
    expect(t.actions).toEqual([{ type: 'send', seq: 2, block: { kind: 'hangup', message: said(POLITE_HANGUP.error ?? '') } }]);
  });

  it('an unknown called script is a runtime failure (on_error, else a polite hangup)', () => {
    const c = Call.inbound(main, { scripts: resolverOf(main) });
    expect(c.last()).toEqual({ kind: 'hangup', message: POLITE_HANGUP.error });
    expect(c.notes()).toContainEqual(expect.objectContaining({ type: 'render.failed', step: 'billing', field: 'call' }));
  });

  it('return with no caller ends the call as the script hanging up', () => {
    const lone = Call.inbound(billing, { scripts });
    lone.press('9');
    expect(lone.last()).toEqual({ kind: 'hangup' });
    expect(lone.state.ending).toBe('completed');
  });

  it('an outbound call can run a called script too', () => {
    const t = startOutbound(main, { id: 'o1', token: 't', to: '+6591234567' }, { now: 1, scripts });
    const dialed = step(main, t.state, { type: 'block.done', seq: 1, status: 'answered' }, { now: 2, scripts });
    expect(dialed.state.frames?.[0]?.script).toBe('billing');
  });
});

describe('global keys', () => {
  const script = mustCompile(`
keys: { "0": operator, "*": repeat, "#9": secret }
steps:
  menu:
    gather: { prompt: "Press 1 for sales.", max_digits: 1 }
    branches: { "1": sales }
    invalid: { message: "Sorry.", retries: 1 }
  sales:
    gather: { prompt: "Sales: press 0 for the sales desk.", max_digits: 1 }
    branches: { "0": desk }
    keys: { "*": null }
  account:
    gather: { prompt: "Enter your account.", max_digits: 8 }
    save_as: account
    next: done
  operator: { hangup: operator }
  desk: { hangup: desk }
  secret: { hangup: secret }
  done: { hangup: "account {{account}}" }
`);

  it('work in every gather, with or without branches', () => {
    const c = Call.inbound(script);
    c.press('0');
    expect(c.said().at(-1)).toBe('operator');
    expect(c.branches()).toEqual(['menu|0']);
    const collector = mustCompile(script.source.replace('steps:\n  menu:', 'start: account\nsteps:\n  menu:'));
    const d = Call.inbound(collector);
    d.press('#9');
    expect(d.said().at(-1)).toBe('secret');
    const e = Call.inbound(collector);
    e.press('12345');
    expect(e.said().at(-1)).toBe('account 12345');
  });

  it('a gather\'s own branch wins over a global key, and its keys: null turns one off', () => {
    const c = Call.inbound(script);
    c.press('1');
    c.press('0');
    expect(c.said().at(-1)).toBe('desk');
    const d = Call.inbound(script);
    d.press('1');
    d.press('*');
    expect(d.said().at(-1)).toBe('Sorry, that is not a valid choice. Sales: press 0 for the sales desk.');
    expect(d.branches()).toEqual([]);
  });

  it('repeat asks the same gather again without using a retry, and counts against the step limit', () => {
    const c = Call.inbound(script);
    c.press('*');
    expect(c.said()).toEqual(['Press 1 for sales.', 'Press 1 for sales.']);
    expect(c.state.retries).toBe(0);
    c.press('7');
    expect(c.said().at(-1)).toBe('Sorry. Press 1 for sales.');
    expect(c.state.retries).toBe(1);
    const limited = Call.inbound(script, { maxSteps: 3 });
    limited.press('*');
    limited.press('*');
    limited.press('*');
    expect(limited.last()).toEqual({ kind: 'hangup', message: POLITE_HANGUP['step-limit'] });
  });
});

describe('escalating prompts', () => {
  const script = mustCompile(`
steps:
  menu:
    gather:
      prompt: ["For sales press 1.", "Please press 1 for sales.", "Last chance: press 1."]
      timeout: 5
    branches: { "1": sales }
    invalid: { message: "Sorry.", retries: 1 }
    no_input: bye
  sales: { hangup: sales }
  bye: { hangup: bye }
`);

  it('sends one attempt per prompt, moving to the next on no input, then no_input after the last', () => {
    const c = Call.inbound(script);
    c.press('');
    c.press('');
    expect(c.blocks()).toEqual([
      { kind: 'gather', prompt: 'For sales press 1.', timeout: 5, attempts: 1 },
      { kind: 'gather', prompt: 'Please press 1 for sales.', timeout: 5, attempts: 1 },
      { kind: 'gather', prompt: 'Last chance: press 1.', timeout: 5, attempts: 1 },
    ]);
    expect(c.state.attempt).toBe(2);
    c.press('');
    expect(c.said().at(-1)).toBe('bye');
    expect(c.state.attempt).toBeUndefined();
    expect(c.notes().filter((n) => n.type === 'input.none')).toHaveLength(1);
  });

  it('invalid input asks again with the current attempt\'s prompt', () => {
    const c = Call.inbound(script);
    c.press('');
    c.press('5');
    expect(c.said().at(-1)).toBe('Sorry. Please press 1 for sales.');
  });
});

describe('voices, languages and audio', () => {
  const script = mustCompile(`
vars: { lang: "", name: "<Ann & Bob>" }
voice: { language: en-GB }
languages:
  en: { voice: { language: en-US, gender: female } }
  zh: { voice: { language: zh-HK, gender: male } }
  ms: {}
language: "{{lang}}"
steps:
  hello:
    play: { en: "Hello {{name}}", zh: "你好", ms: "Selamat datang" }
    next: music
  music:
    play: { url: "https://cdn.example.com/hold.mp3?a=1&b=2" }
    next: menu
  menu:
    gather: { prompt: { en: { url: "https://cdn.example.com/en/menu.mp3" }, zh: "按1", ms: "Tekan 1" }, max_digits: 1 }
    branches: { "1": own }
    voice: { language: en-AU }
  own:
    play: '<speech language="fr-FR">Bonjour</speech>'
    next: bye
  bye:
    hangup: "Bye"
    voice: { gender: male }
`);
  const run = (lang: string): string[] => {
    const c = Call.inbound(script, {}, { vars: { lang } });
    c.done();
    c.done();
    c.press('1');
    c.done();
    return c.said();
  };

  it('picks each message\'s text by the current language, as parts in that language\'s voice', () => {
    expect(run('en')).toEqual([
      '[en-US female] Hello <Ann & Bob>',
      '[audio https://cdn.example.com/hold.mp3?a=1&b=2]',
      '[audio https://cdn.example.com/en/menu.mp3]',
      '[fr-FR] Bonjour',
      '[male] Bye',
    ]);
    expect(run('zh')[0]).toBe('[zh-HK male] 你好');
    expect(run('zh')[2]).toBe('[en-AU] 按1');
  });

  it('blocks carry structured parts, never provider markup; Hoiio\'s renderer escapes them into its own', () => {
    const c = Call.inbound(script, {}, { vars: { lang: 'en' } });
    const first = c.transitions[0]?.actions[0];
    expect(first?.type === 'send' ? first.block : undefined).toEqual({
      kind: 'play',
      message: [{ type: 'say', text: 'Hello <Ann & Bob>', voice: { language: 'en-US', gender: 'female' } }],
    });
    c.done();
    c.done();
    c.press('1');
    c.done();
    const wire = c.transitions.flatMap((t) => t.actions.flatMap((a) => (a.type === 'send' && 'message' in a.block && a.block.message !== undefined ? [renderHoiioMessage(a.block.message)] : [])));
    expect(wire).toEqual([
      '<speech language="en-US" gender="female">Hello &lt;Ann &amp; Bob&gt;</speech>',
      '<url>https://cdn.example.com/hold.mp3?a=1&amp;b=2</url>',
      '<speech language="fr-FR">Bonjour</speech>',
      '<speech gender="male">Bye</speech>',
    ]);
  });

  it('a language with no voice of its own uses the script\'s; an unknown or empty key means the first language', () => {
    expect(run('ms')[0]).toBe('[en-GB] Selamat datang');
    expect(run('')[0]).toBe('[en-US female] Hello <Ann & Bob>');
    expect(run('fr')[0]).toMatch(/^\[en-US/);
  });

  it('a script without voices sends messages exactly as before', () => {
    const plain = mustCompile('steps:\n  a:\n    hangup: "Tom & <Jerry>"\n');
    expect(Call.inbound(plain).said()).toEqual(['Tom & <Jerry>']);
    const block = Call.inbound(plain).transitions[0]?.actions[0];
    expect(block?.type === 'send' && block.block.kind === 'hangup' ? renderHoiioMessage(block.block.message ?? []) : '').toBe('Tom & <Jerry>');
  });

  it('a parts message says texts in their own voices (or a declared language\'s), audio and pauses, in order', () => {
    const parts = mustCompile(`
languages:
  en: { voice: { language: en-US, gender: female } }
  zh: { voice: { language: zh-HK, gender: female } }
steps:
  a:
    play:
      parts:
        - "Welcome."
        - { say: "中文服务请按2。", language: zh }
        - { pause: 1.5 }
        - { url: "https://cdn.example.com/beep.wav" }
        - { say: "Bye", voice: { gender: male } }
    next: b
  b: { hangup: "" }
`);
    const c = Call.inbound(parts);
    const first = c.transitions[0]?.actions[0];
    expect(first?.type === 'send' ? first.block : undefined).toEqual({
      kind: 'play',
      message: [
        { type: 'say', text: 'Welcome.', voice: { language: 'en-US', gender: 'female' } },
        { type: 'say', text: '中文服务请按2。', voice: { language: 'zh-HK', gender: 'female' } },
        { type: 'pause', seconds: 1.5 },
        { type: 'play', url: 'https://cdn.example.com/beep.wav' },
        { type: 'say', text: 'Bye', voice: { gender: 'male' } },
      ],
    });
    expect(c.said()[0]).toBe('[en-US female] Welcome. [zh-HK female] 中文服务请按2。 [pause 1.5s] [audio https://cdn.example.com/beep.wav] [male] Bye');
  });

  it('Hoiio markup written inline is read into parts at load: the engine never sees it', () => {
    const inline = mustCompile(`
vars: { who: "Ann & Bob" }
steps:
  a:
    play: '<speech language="en-US" gender="female">Hi {{who}} &amp; co.</speech><speech language="zh-HK">你好</speech> <url>https://a.example/b.mp3?x=1&amp;y=2</url>'
    next: b
  b: { hangup: "" }
`);
    const first = Call.inbound(inline).transitions[0]?.actions[0];
    const block = first?.type === 'send' ? first.block : undefined;
    expect(block).toEqual({
      kind: 'play',
      message: [
        { type: 'say', text: 'Hi Ann & Bob & co.', voice: { language: 'en-US', gender: 'female' } },
        { type: 'say', text: '你好', voice: { language: 'zh-HK' } },
        { type: 'play', url: 'https://a.example/b.mp3?x=1&y=2' },
      ],
    });
    expect(block?.kind === 'play' ? renderHoiioMessage(block.message) : '').toBe(
      '<speech language="en-US" gender="female">Hi Ann &amp; Bob &amp; co.</speech> <speech language="zh-HK">你好</speech> <url>https://a.example/b.mp3?x=1&amp;y=2</url>',
    );
  });

  it('the provider\'s limit applies to the message as it counts it (Hoiio: with its markup): too long is a runtime failure', () => {
    const long = mustCompile(`
vars: { x: "" }
voice: { language: en-US }
on_error: sorry
steps:
  a: { play: "{{x}}", next: b }
  b: { hangup: b }
  sorry: { hangup: sorry }
`);
    const hoiio = { limits: messageLimits(HOIIO_CAPABILITIES) };
    const markup = '<speech language="en-US"></speech>'.length;
    const fits = Call.inbound(long, hoiio, { vars: { x: 'a'.repeat(1000 - markup) } });
    const sent = fits.transitions[0]?.actions[0];
    expect(sent?.type === 'send' && sent.block.kind === 'play' ? renderHoiioMessage(sent.block.message) : '').toHaveLength(1000);
    const over = Call.inbound(long, hoiio, { vars: { x: 'a'.repeat(1000 - markup + 1) } });
    expect(over.said()).toEqual(['[en-US] sorry']);
    expect(over.notes()).toContainEqual(expect.objectContaining({ type: 'render.failed', field: 'play', error: expect.stringMatching(/1001 characters/) }));
    // Without a provider's limits (the pure engine on its own), only the engine's bounds apply.
    expect(Call.inbound(long, {}, { vars: { x: 'a'.repeat(1000) } }).said()[0]).toHaveLength('[en-US] '.length + 1000);
  });
});

describe('on_error', () => {
  const script = mustCompile(`
vars: { x: "" }
on_error: apology
steps:
  first:
    play: "{{#each x}}{{/each}}Hello"
    next: second
    on_error: step_error
  step_error:
    play: "Step error"
    next: second
  second:
    play: "Second"
    next: bye
  apology:
    play: "Apology"
    next: bye
  bye:
    hangup: "Bye"
`);

  it('a provider error on a block goes to the step\'s on_error, else the script\'s', () => {
    const c = Call.inbound(script);
    c.apply({ type: 'send.failed', seq: c.state.seq, code: 'error_msg_invalid_xml', message: 'bad', sessionGone: false });
    expect(c.said().at(-1)).toBe('Step error');
    c.done();
    expect(c.said().at(-1)).toBe('Second');
    c.apply({ type: 'send.failed', seq: c.state.seq, code: 'error_x', message: 'bad', sessionGone: false });
    expect(c.said().at(-1)).toBe('Apology');
    expect(c.state.errors).toBe(2);
  });

  it('a template that fails at runtime goes to the step\'s on_error, else the script\'s', () => {
    const rendering = mustCompile(`
vars: { x: "" }
on_error: apology
steps:
  first:
    play: "{{x}}"
    next: second
    on_error: step_error
  step_error:
    play: "Step error"
    next: second
  second:
    play: "Again {{x}}"
    next: bye
  apology:
    hangup: "Apology"
  bye:
    hangup: "Bye"
`);
    const c = Call.inbound(rendering, { limits: messageLimits(HOIIO_CAPABILITIES) }, { vars: { x: 'a'.repeat(1001) } });
    expect(c.said()).toEqual(['Step error']);
    expect(c.notes()).toContainEqual(expect.objectContaining({ type: 'render.failed', step: 'first', field: 'play' }));
    c.done();
    expect(c.said()).toEqual(['Step error', 'Apology']);
    expect(c.notes()).toContainEqual(expect.objectContaining({ type: 'render.failed', step: 'second', field: 'play' }));
    expect(c.state.errors).toBe(2);
  });

  it('a failure in the step the error went to ends the call politely', () => {
    const c = Call.inbound(script);
    c.apply({ type: 'send.failed', seq: c.state.seq, code: 'e', message: 'bad', sessionGone: false });
    c.apply({ type: 'send.failed', seq: c.state.seq, code: 'e', message: 'bad', sessionGone: false });
    expect(c.last()).toEqual({ kind: 'hangup', message: POLITE_HANGUP.error });
  });

  it(`after ${MAX_ERROR_JUMPS} errors the next one ends the call`, () => {
    const retrying = mustCompile(`
on_error: recover
steps:
  a: { play: A, next: b }
  b: { play: B, next: c }
  c: { hangup: C }
  recover: { play: Recovering, next: b }
`);
    const c = Call.inbound(retrying);
    const fail = (): Transition => c.apply({ type: 'send.failed', seq: c.state.seq, code: 'e', message: 'bad', sessionGone: false });
    fail();
    for (let i = 1; i < MAX_ERROR_JUMPS; i++) {
      c.done();
      expect(c.said().at(-1)).toBe('B');
      fail();
      expect(c.said().at(-1)).toBe('Recovering');
    }
    expect(c.state.errors).toBe(MAX_ERROR_JUMPS);
    c.done();
    fail();
    expect(c.last()).toEqual({ kind: 'hangup', message: POLITE_HANGUP.error });
  });

  it('a session that is gone ends the call without an error path', () => {
    const c = Call.inbound(script);
    const t = c.apply({ type: 'send.failed', seq: c.state.seq, code: 'error_session_not_found', message: 'gone', sessionGone: true });
    expect(t.state.status).toBe('ended');
    expect(t.actions).toEqual([{ type: 'end', outcome: 'caller-hangup' }]);
  });

  it('a failure inside a called script unwinds to the calling script\'s on_error', () => {
    const main = mustCompile('name: main\non_error: sorry\nsteps:\n  go: { call: sub, next: done }\n  done: { hangup: done }\n  sorry: { hangup: sorry }\n', 'main.yaml');
    const sub = mustCompile('name: sub\nsteps:\n  ask: { http: { url: "http://h/x" }, next: back }\n  back: { return: }\n', 'sub.yaml');
    const c = Call.inbound(main, { scripts: resolverOf(main, sub) });
    expect(c.state.frames).toHaveLength(1);
    c.http({ status: 500 });
    expect(c.said()).toEqual(['sorry']);
    expect(c.state.frames).toBeUndefined();
  });
});

describe('call summaries and cost', () => {
  it('a script with events_url keeps the keys pressed and the recordings; others keep nothing extra', () => {
    const source = `
steps:
  menu: { gather: "Press 1.", branches: { "1": rec } }
  rec: { record: "Speak.", next: bye }
  bye: { hangup: bye }
`;
    const withEvents = mustCompile(`events_url: /dev/events\n${source}`);
    const c = Call.inbound(withEvents);
    c.press('1');
    c.done({ recordUrl: 'http://rec/1.mp3' });
    expect(c.state.inputs).toEqual([{ step: 'menu', digits: '1' }]);
    expect(c.state.recordings).toEqual(['http://rec/1.mp3']);

    const plain = Call.inbound(mustCompile(source));
    plain.press('1');
    plain.done({ recordUrl: 'http://rec/1.mp3' });
    expect(Object.keys(plain.state).sort()).toEqual(
      [
        'digits',
        'direction',
        'ending',
        'from',
        'id',
        'lastResort',
        'outcome',
        'path',
        'pending',
        'recordUrl',
        'retries',
        'script',
        'seq',
        'session',
        'startedAt',
        'status',
        'step',
        'steps',
        'to',
        'token',
        'transferStatus',
        'providerRef',
        'updatedAt',
        'vars',
        'version',
      ].sort(),
    );
  });
});
