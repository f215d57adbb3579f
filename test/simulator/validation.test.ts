/** Hoiio's request validation: each error status, recorded as a violation, the block not run. */
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, block, harness, ringAndWait, type Harness } from './helpers.js';

let h: Harness;
let s: string;
beforeEach(async () => {
  h = await harness();
  s = await ringAndWait(h);
  await block(h, s, 'ivr/middle/play', { msg: 'Hi', notify_url: h.engine.notifyUrl('p') });
});
afterEach(async () => h?.close());

const N = 'http://127.0.0.1:9/n';
const long = (n: number): string => 'x'.repeat(n);

interface Case {
  readonly name: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly status: string;
  readonly kind: string;
}

const cases: Case[] = [
  { name: 'session missing', path: 'ivr/middle/play', params: { msg: 'x' }, status: 'error_session_param_missing', kind: 'invalid-session' },
  { name: 'notify_url missing on gather', path: 'ivr/middle/gather', params: { msg: 'x' }, status: 'error_notify_url_param_missing', kind: 'invalid-params' },
  { name: 'notify_url missing on record', path: 'ivr/middle/record', params: {}, status: 'error_notify_url_param_missing', kind: 'invalid-params' },
  { name: 'notify_url missing on monitor', path: 'ivr/middle/monitor', params: {}, status: 'error_notify_url_param_missing', kind: 'invalid-params' },
  { name: 'notify_url not http(s)', path: 'ivr/middle/play', params: { notify_url: 'ftp://x/y' }, status: 'error_invalid_notify_url', kind: 'invalid-params' },
  { name: 'notify_url not a URL', path: 'ivr/middle/play', params: { notify_url: 'hoiio/notify' }, status: 'error_invalid_notify_url', kind: 'invalid-params' },
  { name: 'notify_url > 4000', path: 'ivr/middle/play', params: { notify_url: `http://a.b/${long(4000)}` }, status: 'error_invalid_notify_url', kind: 'invalid-params' },
  { name: 'monitor_notify_url bad', path: 'ivr/middle/monitor', params: { notify_url: N, monitor_notify_url: 'x' }, status: 'error_invalid_notify_url', kind: 'invalid-params' },
  { name: 'tag > 256', path: 'ivr/middle/play', params: { tag: long(257) }, status: 'error_tag_invalid_length', kind: 'invalid-params' },
  { name: 'msg > 1000', path: 'ivr/middle/play', params: { msg: long(1001) }, status: 'error_msg_invalid_length', kind: 'invalid-params' },
  { name: 'msg unclosed <speech>', path: 'ivr/middle/play', params: { msg: '<speech language="en">Hi' }, status: 'error_msg_invalid_xml', kind: 'invalid-params' },
  { name: 'msg unknown tag', path: 'ivr/middle/play', params: { msg: '<b>Hi</b>' }, status: 'error_msg_invalid_xml', kind: 'invalid-params' },
  { name: 'msg bare <', path: 'ivr/middle/play', params: { msg: 'if a < b' }, status: 'error_msg_invalid_xml', kind: 'invalid-params' },
  { name: 'msg bad gender', path: 'ivr/middle/play', params: { msg: '<speech gender="robot">Hi</speech>' }, status: 'error_msg_invalid_gender', kind: 'invalid-params' },
  { name: 'msg bad language', path: 'ivr/middle/play', params: { msg: '<speech language="english!">Hi</speech>' }, status: 'error_msg_invalid_language', kind: 'invalid-params' },
  { name: 'msg bad audio url', path: 'ivr/middle/play', params: { msg: '<url>file:///etc/passwd</url>' }, status: 'error_msg_invalid_url', kind: 'invalid-params' },
  { name: 'max_digits 256', path: 'ivr/middle/gather', params: { notify_url: N, max_digits: '256' }, status: 'error_invalid_max_digits', kind: 'invalid-params' },
  { name: 'max_digits -1', path: 'ivr/middle/gather', params: { notify_url: N, max_digits: '-1' }, status: 'error_invalid_max_digits', kind: 'invalid-params' },
  { name: 'max_digits abc', path: 'ivr/middle/gather', params: { notify_url: N, max_digits: 'abc' }, status: 'error_invalid_max_digits', kind: 'invalid-params' },
  { name: 'timeout 0', path: 'ivr/middle/gather', params: { notify_url: N, timeout: '0' }, status: 'error_invalid_timeout', kind: 'invalid-params' },
  { name: 'timeout 1.5', path: 'ivr/middle/gather', params: { notify_url: N, timeout: '1.5' }, status: 'error_invalid_timeout', kind: 'invalid-params' },
  { name: 'attempts 0', path: 'ivr/middle/gather', params: { notify_url: N, attempts: '0' }, status: 'error_invalid_attempts', kind: 'invalid-params' },
  { name: 'record max_duration 0', path: 'ivr/middle/record', params: { notify_url: N, max_duration: '0' }, status: 'error_invalid_max_duration', kind: 'invalid-params' },
  { name: 'on_failure retry', path: 'ivr/end/transfer', params: { dest: '+6581234567', on_failure: 'retry' }, status: 'error_on_failure_invalid', kind: 'invalid-params' },
  { name: 'transfer dest missing', path: 'ivr/end/transfer', params: {}, status: 'error_dest_param_missing', kind: 'invalid-params' },
  { name: 'transfer dest without +', path: 'ivr/end/transfer', params: { dest: '6581234567' }, status: 'error_dest_invalid', kind: 'invalid-params' },
  { name: 'transfer bad room id', path: 'ivr/end/transfer', params: { dest: 'room:no spaces' }, status: 'error_invalid_room', kind: 'invalid-params' },
  { name: 'transfer bad caller_id', path: 'ivr/end/transfer', params: { dest: '+6581234567', caller_id: 'acme' }, status: 'error_caller_id_invalid', kind: 'invalid-params' },
  { name: 'hangup force with msg', path: 'ivr/end/hangup', params: { force: 'enabled', msg: 'Bye' }, status: 'error_msg_not_allowed_with_force', kind: 'invalid-params' },
  { name: 'hangup force=yes', path: 'ivr/end/hangup', params: { force: 'yes' }, status: 'error_invalid_force', kind: 'invalid-params' },
  { name: 'unhold when not held', path: 'ivr/middle/unhold', params: {}, status: 'error_session_not_on_hold', kind: 'not-on-hold' },
];

describe('block parameter errors', () => {
  it.each(cases)('$name → $status', async (c) => {
    const params = c.name === 'session missing' ? c.params : { session: s, ...c.params };
    const answer = await api(h.sim, c.path, params);
    expect(answer.httpStatus).toBe(200);
    expect(answer.body).toEqual({ status: c.status });
    expect(h.sim.violations).toHaveLength(1);
    expect(h.sim.violations[0]).toMatchObject({ kind: c.kind, status: c.status });
    // The block did not run.
    const call = h.sim.calls.get(s)!;
    expect(call.state).toBe('ready');
    if (c.name !== 'session missing') {
      expect(call.transcript.at(-1)).toMatchObject({ kind: 'block', response: c.status });
    }
  });

  it('accepts well-formed markup mixing text, speech and url', async () => {
    const msg = 'Hello <speech language="zh-HK" gender="female">你好</speech> & <url>https://x.example/a.mp3</url>';
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, msg, notify_url: N });
    expect(answer.status).toBe('success_ok');
  });

  it('accepts a msg of exactly 1000 characters (CJK counted as characters)', async () => {
    const answer = await api(h.sim, 'ivr/middle/play', { session: s, msg: '你'.repeat(1000), notify_url: N });
    expect(answer.status).toBe('success_ok');
  });
});

describe('dial parameter errors', () => {
  it.each([
    [{}, 'error_dest_param_missing'],
    [{ dest: '6598765432' }, 'error_dest_invalid'],
    [{ dest: 'room:abc' }, 'error_dest_invalid'],
    [{ dest: '+6598765432', caller_id: '123' }, 'error_caller_id_invalid'],
    [{ dest: '+6598765432', max_duration: 'ten' }, 'error_invalid_max_duration'],
    [{ dest: '+6598765432', msg: '<speech>' }, 'error_msg_invalid_xml'],
  ] as const)('%j → %s', async (params, status) => {
    const before = h.sim.calls.size;
    const answer = await api(h.sim, 'ivr/start/dial', params);
    expect(answer.body).toEqual({ status });
    expect(h.sim.calls.size).toBe(before);
    expect(h.sim.violations.at(-1)).toMatchObject({ kind: 'invalid-params', status });
  });
});

describe('credentials and session', () => {
  it.each([
    [{ access_token: 'tok-secret' }, 'error_app_id_param_missing'],
    [{ app_id: 'AP-TEST' }, 'error_access_token_param_missing'],
    [{ app_id: 'AP-OTHER', access_token: 'tok-secret' }, 'error_invalid_app_id'],
    [{ app_id: 'AP-TEST', access_token: 'wrong' }, 'error_invalid_access_token'],
  ] as const)('%j → %s', async (creds, status) => {
    const answer = await api(h.sim, 'ivr/middle/play', { ...creds, session: s, msg: 'x' }, { credentials: false });
    expect(answer.body).toEqual({ status });
    expect(h.sim.violations.at(-1)).toMatchObject({ kind: 'auth', status, session: s });
  });

  it('unknown session → error_invalid_session', async () => {
    const answer = await api(h.sim, 'ivr/middle/play', { session: 'S999', msg: 'x' });
    expect(answer.status).toBe('error_invalid_session');
    expect(h.sim.violations.at(-1)).toMatchObject({ kind: 'invalid-session', session: 'S999' });
  });

  it('a JSON body is not read as parameters (→ app_id missing)', async () => {
    const res = await request(`${h.sim.url}ivr/middle/play`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: 'AP-TEST', access_token: 'tok-secret', session: s }),
    });
    expect(await res.body.json()).toEqual({ status: 'error_app_id_param_missing' });
  });

  it('broken percent-escapes → error_malformed_params', async () => {
    const res = await request(`${h.sim.url}ivr/middle/play`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `app_id=AP-TEST&access_token=tok-secret&session=${s}&msg=%E4%BD`,
    });
    expect(await res.body.json()).toEqual({ status: 'error_malformed_params' });
  });

  it('methods other than GET/POST → error_invalid_http_method', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const answer = await api(h.sim, 'ivr/middle/play', { session: s }, { method });
      expect(answer.body).toEqual({ status: 'error_invalid_http_method' });
    }
    expect(h.sim.violations.map((v) => v.kind)).toEqual(['http-method', 'http-method']);
  });

  it('an unknown path → 404 with a JSON status', async () => {
    const answer = await api(h.sim, 'ivr/middle/sing', { session: s });
    expect(answer.httpStatus).toBe(404);
    expect(answer.body).toEqual({ status: 'error_not_found' });
    expect(h.sim.violations.at(-1)).toMatchObject({ kind: 'unknown-path' });
  });

  it('every request is in the request log without credentials', async () => {
    await api(h.sim, 'ivr/middle/play', { session: 'S999' });
    const last = h.sim.requests.at(-1);
    expect(last).toMatchObject({ method: 'POST', path: 'ivr/middle/play', response: 'error_invalid_session', httpStatus: 200 });
    expect(last?.params).toEqual({ session: 'S999' });
  });
});
