/**
 * Diagnostics of the scripting features: one test per problem, with its code,
 * severity, exact position and path; the static checks that know the new step
 * kinds (loops without input, unreachable steps, prompts and keys); cross-file
 * `call:` checks; `fmt` key order.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compile } from '../../src/script/compile.js';
import { formatScript } from '../../src/script/format/index.js';
import { loadScripts } from '../../src/script-files/load.js';
import { diagnosticsOf, only, yaml } from '../script/helpers.js';

describe('schema of the new fields', () => {
  test('a valid script using every feature compiles with no diagnostics', () => {
    const result = compile(
      yaml(
        'vars: { lang: en, base: "http://127.0.0.1:1" }',
        'voice: { language: en-US }',
        'languages: { en: { voice: { gender: female } }, zh: {} }',
        'language: "{{lang}}"',
        'keys: { "0": bye, "*": repeat }',
        'on_error: bye',
        'events: { url: "https://hooks.example.com/calls", secret_env: HOOK_SECRET }',
        'steps:',
        '  a: { set: { n: "1" }, next: b }',
        '  b:',
        '    switch:',
        '      - if: { var: n, equals: 1 }',
        '        goto: c',
        '    default: c',
        '  c:',
        '    http: { url: "{{{base}}}/x", method: POST, json: { n: "{{n}}" }, headers: { X-Key: { env: KEY } }, save: { m: a.b } }',
        '    next: d',
        '    on_status: { "404": d }',
        '  d:',
        '    hours: { timezone: UTC, weekly: { mon-fri: "09:00-17:00" } }',
        '    open: e',
        '    closed: e',
        '  e:',
        '    gather: { prompt: [{ en: "Press 1 {{m}}", zh: "按1" }, { url: "https://a/b.mp3" }] }',
        '    branches: { "1": f }',
        '    keys: { "0": null }',
        '  f: { call: other, next: bye, on_error: bye }',
        '  bye: { play: { en: "Bye", zh: "再见" }, next: end, voice: { gender: male } }',
        '  end: { return: }',
      ),
      { file: 'all.yaml' },
    );
    expect(result.ok ? result.warnings : result.diagnostics).toEqual([]);
  });

  test('CS_REQUIRED: a switch without default, an hours step without closed', () => {
    const all = diagnosticsOf(yaml('steps:', '  s:', '    switch:', '      - if: { var: digits, equals: "1" }', '        goto: s', '  h: { hours: { timezone: UTC }, open: s }'));
    expect(all.filter((d) => d.code === 'CS_REQUIRED').map((d) => [d.line, d.column, d.path, d.message])).toEqual([
      [2, 3, 'steps.s', 'switch step `s` needs `default`: where to go when no case holds'],
      [6, 3, 'steps.h', 'hours step `h` needs `closed`: where to go when closed'],
    ]);
  });

  test('CS_NO_NEXT: set, http and call steps need next', () => {
    const all = diagnosticsOf(yaml('steps:', '  a: { set: { x: "1" } }', '  b: { http: { url: "http://h/x" } }', '  c: { call: other }'));
    expect(all.filter((d) => d.code === 'CS_NO_NEXT').map((d) => [d.line, d.column])).toEqual([
      [2, 3],
      [3, 3],
      [4, 3],
    ]);
  });

  test('CS_UNKNOWN_KEY: a modifier on a kind that does not take it', () => {
    const d = only(yaml('steps:', '  a: { hours: { timezone: UTC }, open: a, closed: a, on_error: a }'), 'CS_UNKNOWN_KEY');
    expect(d).toMatchObject({ line: 2, column: 54, path: 'steps.a.on_error' });
    expect(d.message).toBe('`on_error` is not allowed in a hours step; allowed: hours, open, closed, description');
  });

  test('CS_RESERVED_NAME: http_status is set by callscript', () => {
    const d = only(yaml('steps:', '  a: { set: { http_status: "1" }, next: a }'), 'CS_RESERVED_NAME');
    expect(d).toMatchObject({ line: 2, column: 15, path: 'steps.a.set.http_status' });
  });

  test('CS_VALUE: a language key `url`, an on_status key that is not a status, a bad voice', () => {
    const lang = only(yaml('languages: { url: {} }', 'steps:', '  a: { hangup: x }'), 'CS_VALUE');
    expect(lang).toMatchObject({ line: 1, column: 14, path: 'languages.url' });
    const status = only(yaml('steps:', '  a: { http: { url: "http://h/" }, next: a, on_status: { "200s": a } }'), 'CS_VALUE');
    expect(status).toMatchObject({ line: 2, column: 58, path: 'steps.a.on_status["200s"]' });
    const voice = only(yaml('voice: { language: english }', 'steps:', '  a: { hangup: x }'), 'CS_VALUE');
    expect(voice).toMatchObject({ line: 1, column: 20, path: 'voice.language' });
    expect(voice.message).toContain('a language tag such as en-US');
  });

  test('CS_VALUE: events_url and events together', () => {
    const d = only(yaml('events_url: /dev/events', 'events: { url: /dev/events }', 'steps:', '  a: { hangup: x }'), 'CS_VALUE');
    expect(d).toMatchObject({ line: 2, column: 1, path: 'events' });
  });

  test('CS_VALUE: an events_url that is neither an http(s) URL nor a path, a secret_env that is not a variable name', () => {
    const url = only(yaml('events_url: "ftp://hooks.example.com/x"', 'steps:', '  a: { hangup: x }'), 'CS_VALUE');
    expect(url).toMatchObject({ line: 1, column: 13, path: 'events_url' });
    expect(url.message).toBe('`events_url`: expected an http(s) URL, or a path on this server starting with / (like /dev/events), got "ftp://hooks.example.com/x"');
    const secret = only(yaml('events: { url: /dev/events, secret_env: "my secret" }', 'steps:', '  a: { hangup: x }'), 'CS_VALUE');
    expect(secret).toMatchObject({ line: 1, column: 41, path: 'events.secret_env' });
  });

  test('CS_VALUE: an http timeout over the maximum', () => {
    const t = only(yaml('steps:', '  a: { http: { url: "http://h/", timeout: 11 }, next: b }', '  b: { hangup: x }'), 'CS_VALUE');
    expect(t).toMatchObject({ line: 2, column: 43, path: 'steps.a.http.timeout' });
    expect(t.message).toBe('`timeout`: expected a number greater than 0 and at most 10, got 11');
  });

  test('CS_TYPE: a list of prompts where only a gather takes one', () => {
    const t = only(yaml('steps:', '  a: { play: ["One.", "Two."], next: b }', '  b: { hangup: x }'), 'CS_TYPE');
    expect(t).toMatchObject({ line: 2, column: 14, path: 'steps.a.play' });
    expect(t.message).toBe('`play`: expected a string or a mapping, got a list');
  });
});

describe('semantic checks', () => {
  test('CS_UNKNOWN_STEP: switch cases and default, http outcomes, hours, keys, on_error', () => {
    const all = diagnosticsOf(
      yaml(
        'keys: { "0": opertor }',
        'on_error: sory',
        'steps:',
        '  s:',
        '    switch:',
        '      - if: { var: digits, equals: "1" }',
        '        goto: nowhere',
        '    default: h',
        '  h:',
        '    http: { url: "http://h/" }',
        '    next: t',
        '    on_status: { "5xx": busy }',
        '    on_timeout: slow',
        '    on_error: broken',
        '  t: { hours: { timezone: UTC }, open: op, closed: h2 }',
        '  h2: { hangup: x }',
      ),
    ).filter((d) => d.code === 'CS_UNKNOWN_STEP');
    expect(all.map((d) => [d.line, d.column, d.path])).toEqual([
      [1, 14, 'keys["0"]'],
      [2, 11, 'on_error'],
      [7, 15, 'steps.s.switch[0].goto'],
      [12, 25, 'steps.h.on_status["5xx"]'],
      [13, 17, 'steps.h.on_timeout'],
      [14, 15, 'steps.h.on_error'],
      [15, 40, 'steps.t.open'],
    ]);
    expect(all[0]?.message).toBe('key "0" names step `opertor`, which does not exist; steps: s, h, t, h2');
  });

  test('CS_NOT_A_STRING: an unquoted key under keys', () => {
    const d = only(yaml('keys: { 0123: a }', 'steps:', '  a: { hangup: x }'), 'CS_NOT_A_STRING');
    expect(d).toMatchObject({ line: 1, column: 9, path: 'keys["123"]' });
  });

  test('CS_CONDITION: a condition with no comparison, two comparisons, or a combinator beside a comparison', () => {
    const all = diagnosticsOf(
      yaml(
        'steps:',
        '  s:',
        '    switch:',
        '      - if: { var: digits }',
        '        goto: s',
        '      - if: { var: digits, equals: "1", in: ["2"] }',
        '        goto: s',
        '      - if: { all: [{ var: digits, empty: true }], var: digits }',
        '        goto: s',
        '      - if: { equals: "1" }',
        '        goto: s',
        '    default: b',
        '  b: { gather: "Press 1.", branches: { "1": s } }',
      ),
    ).filter((d) => d.code === 'CS_CONDITION');
    expect(all.map((d) => [d.line, d.column, d.path])).toEqual([
      [4, 15, 'steps.s.switch[0].if.var'],
      [6, 41, 'steps.s.switch[1].if.in'],
      [8, 52, 'steps.s.switch[2].if.var'],
      [10, 13, 'steps.s.switch[3].if'],
    ]);
    expect(all[1]?.message).toBe('a condition makes one comparison, this one has equals and in: combine conditions with all: [...] or any: [...]');
  });

  test('CS_TEMPLATE_UNKNOWN_VAR: a condition reads a name nothing defines', () => {
    const d = only(
      yaml('vars: { tier: "" }', 'steps:', '  s:', '    switch:', '      - if: { var: teir, equals: gold }', '        goto: s', '    default: b', '  b: { hangup: x }'),
      'CS_TEMPLATE_UNKNOWN_VAR',
    );
    expect(d).toMatchObject({ line: 5, column: 20, path: 'steps.s.switch[0].if.var' });
    expect(d.message).toBe('`teir` is not defined: not in vars, not a save_as, set or http save, not a call field; did you mean `tier`?');
  });

  test('set targets and http saves are defined names for templates', () => {
    const result = compile(yaml('steps:', '  a: { set: { x: "1" }, next: b }', '  b: { http: { url: "http://h/{{x}}", save: { y: a } }, next: c }', '  c: { hangup: "{{x}} {{y}} {{http_status}}" }'));
    expect(result.ok).toBe(true);
  });

  test('CS_REGEX: an invalid pattern, and a backreference the linear-time engine cannot run', () => {
    const all = diagnosticsOf(
      yaml(
        'steps:',
        '  s:',
        '    switch:',
        '      - if: { var: digits, matches: "(" }',
        '        goto: s',
        '      - if: { var: digits, matches: "^(\\\\d)\\\\1$" }',
        '        goto: s',
        '    default: b',
        '  b: { hangup: x }',
      ),
    ).filter((d) => d.code === 'CS_REGEX');
    expect(all.map((d) => [d.line, d.column])).toEqual([
      [4, 37],
      [6, 37],
    ]);
    expect(all[0]?.message).toMatch(/^not a valid regular expression: /);
    expect(all[1]?.message).toContain('uses the backreference \\1 at character 6, which the linear-time pattern engine (RE2) cannot run');
  });

  test('CS_TIMEZONE and CS_HOURS, on the value or the key', () => {
    const all = diagnosticsOf(
      yaml(
        'steps:',
        '  h:',
        '    hours:',
        '      timezone: Asia/Singpore',
        '      weekly: { mon-fri: "9am-5pm", mon: closed, funday: open }',
        '      exceptions: { "2026-02-30": closed }',
        '    open: b',
        '    closed: b',
        '  b: { hangup: x }',
      ),
    ).filter((d) => d.code === 'CS_TIMEZONE' || d.code === 'CS_HOURS');
    expect(all.map((d) => [d.code, d.line, d.column, d.path])).toEqual([
      ['CS_TIMEZONE', 4, 17, 'steps.h.hours.timezone'],
      ['CS_HOURS', 5, 26, 'steps.h.hours.weekly["mon-fri"]'],
      ['CS_HOURS', 5, 37, 'steps.h.hours.weekly.mon'],
      ['CS_HOURS', 5, 50, 'steps.h.hours.weekly.funday'],
      ['CS_HOURS', 6, 21, 'steps.h.hours.exceptions["2026-02-30"]'],
    ]);
    expect(all[0]?.message).toBe('unknown time zone "Asia/Singpore": use an IANA name like Asia/Singapore or Europe/London; did you mean `Asia/Singapore`?');
    expect(all[2]?.message).toBe('mon is already given by `mon-fri`: name each day once');
  });

  test('CS_HTTP: two bodies, a GET with a body, a URL that is not http(s), a base URL in {{ }}, a bad save path', () => {
    const all = diagnosticsOf(
      yaml(
        'vars: { base: "" }',
        'steps:',
        '  a: { http: { url: "http://h/", json: {}, form: { a: "1" } }, next: b }',
        '  b: { http: { url: "http://h/", method: GET, json: { a: 1 } }, next: c }',
        '  c: { http: { url: "ftp://h/" }, next: d }',
        '  d: { http: { url: "{{base}}/x" }, next: e }',
        '  e: { http: { url: "http://h/", save: { v: "a..b" } }, next: f }',
        '  f: { hangup: x }',
      ),
    ).filter((d) => d.code === 'CS_HTTP');
    expect(all.map((d) => [d.line, d.column, d.path])).toEqual([
      [3, 44, 'steps.a.http.form'],
      [4, 42, 'steps.b.http.method'],
      [5, 21, 'steps.c.http.url'],
      [6, 21, 'steps.d.http.url'],
      [7, 45, 'steps.e.http.save.v'],
    ]);
    expect(all[3]?.message).toContain('{{{…}}}');
  });

  test('CS_PROMPT_ATTEMPTS: a prompt per attempt and attempts together', () => {
    const d = only(yaml('steps:', '  g:', '    gather: { prompt: ["One.", "Two."], attempts: 3 }', '    next: g2', '  g2: { hangup: x }'), 'CS_PROMPT_ATTEMPTS');
    expect(d).toMatchObject({ line: 3, column: 41, path: 'steps.g.gather.attempts' });
  });

  test('CS_LANGUAGE: a map without declared languages, an unknown language, a missing one, `language` without languages', () => {
    const none = only(yaml('steps:', '  a: { hangup: { message: { en: Bye, zh: 再见 } } }'), 'CS_LANGUAGE');
    expect(none).toMatchObject({ line: 2, column: 27, path: 'steps.a.hangup.message' });
    const all = diagnosticsOf(
      yaml('languages: { en: {}, zh: {} }', 'steps:', '  a: { play: { en: Hi, zn: 你好 }, next: b }', '  b: { hangup: { message: { en: Bye } } }'),
    ).filter((d) => d.code === 'CS_LANGUAGE');
    expect(all.map((d) => [d.line, d.column, d.path, d.message])).toEqual([
      [3, 14, 'steps.a.play', 'this message has no text for `zh`: every message with languages gives all of en, zh'],
      [3, 24, 'steps.a.play.zn', '`zn` is not one of the script\'s languages (en, zh); did you mean `en`?'],
      [4, 27, 'steps.b.hangup.message', 'this message has no text for `zh`: every message with languages gives all of en, zh'],
    ]);
    const lang = only(yaml('language: "{{x}}"', 'vars: { x: en }', 'steps:', '  a: { hangup: x }'), 'CS_LANGUAGE');
    expect(lang).toMatchObject({ line: 1, column: 1, path: 'language' });
  });

  test('templates inside language maps, prompt lists and audio URLs are checked with positions', () => {
    const all = diagnosticsOf(yaml('languages: { en: {}, zh: {} }', 'steps:', '  a:', '    gather: [{ en: "Hi {{nmae}}", zh: 你好 }, { url: "https://a/{{x}}.mp3" }]', '    next: a'));
    expect(all.filter((d) => d.code === 'CS_TEMPLATE_UNKNOWN_VAR').map((d) => [d.line, d.column, d.path])).toEqual([
      [4, 26, 'steps.a.gather[0].en'],
      [4, 65, 'steps.a.gather[1].url'],
    ]);
  });
});

describe('menu checks know the new kinds', () => {
  test('CS_LOOP_WITHOUT_INPUT through set, switch and hours', () => {
    const d = only(
      yaml(
        'vars: { n: "" }',
        'steps:',
        '  a:',
        '    set: { n: "1" }',
        '    next: b',
        '  b:',
        '    switch:',
        '      - if: { var: n, equals: "2" }',
        '        goto: done',
        '    default: c',
        '  c:',
        '    hours: { timezone: UTC }',
        '    open: a',
        '    closed: done',
        '  done: { hangup: x }',
      ),
      'CS_LOOP_WITHOUT_INPUT',
    );
    expect(d).toMatchObject({ line: 5, column: 11, path: 'steps.a.next' });
    expect(d.message).toContain('steps `a` → `b` → `c` → `a` can repeat forever without any caller input (set `next`, switch `default`, hours `open`)');
  });

  test('CS_LOOP_WITHOUT_INPUT through an http status, but not through on_error or on_timeout', () => {
    const loop = only(
      yaml('steps:', '  a:', '    http: { url: "http://h/" }', '    next: done', '    on_status: { "503": wait }', '  wait: { play: Please wait., next: a }', '  done: { hangup: x }'),
      'CS_LOOP_WITHOUT_INPUT',
    );
    expect(loop).toMatchObject({ line: 5, column: 25 });
    expect(loop.message).toContain('(http `on_status "503"`, play `next`)');
    const bounded = diagnosticsOf(
      yaml('steps:', '  a:', '    http: { url: "http://h/" }', '    next: done', '    on_timeout: wait', '    on_error: wait', '  wait: { play: Please wait., next: a }', '  done: { hangup: x }'),
    );
    expect(bounded.filter((d) => d.code === 'CS_LOOP_WITHOUT_INPUT')).toEqual([]);
  });

  test('a loop through a gather\'s global key needs the caller: no error', () => {
    const result = compile(yaml('keys: { "9": a }', 'steps:', '  a: { play: Hi, next: b }', '  b: { gather: "Press 1.", branches: { "1": a }, no_input: c }', '  c: { hangup: x }'));
    expect(result.ok).toBe(true);
  });

  test('CS_UNREACHABLE counts the targets of on_error and global keys as reachable', () => {
    const all = diagnosticsOf(yaml('keys: { "0": op }', 'on_error: sorry', 'steps:', '  a: { gather: "Press 1.", branches: { "1": a } }', '  op: { hangup: op }', '  sorry: { hangup: sorry }', '  lost: { hangup: lost }'));
    expect(all.filter((d) => d.code === 'CS_UNREACHABLE').map((d) => d.path)).toEqual(['steps.lost']);
  });

  test('a prompt offering a global key is fine; offering a key turned off here is not', () => {
    const all = diagnosticsOf(
      yaml(
        'keys: { "0": op }',
        'steps:',
        '  a: { gather: "Press 1 for sales. Press 0 for the operator.", branches: { "1": b } }',
        '  b: { gather: "Press 1 to confirm. Press 0 for the operator.", branches: { "1": op }, keys: { "0": null } }',
        '  op: { hangup: op }',
      ),
    ).filter((d) => d.code === 'CS_KEY_WITHOUT_BRANCH');
    expect(all.map((d) => [d.line, d.path])).toEqual([[4, 'steps.b.gather']]);
  });

  test('every language\'s prompt and every attempt\'s prompt offers keys', () => {
    const all = diagnosticsOf(
      yaml('languages: { en: {}, zh: {} }', 'steps:', '  a:', '    gather: [{ en: "Press 1.", zh: "按1" }, { en: "Press 2.", zh: "按2" }]', '    branches: { "1": a, "2": a }'),
    );
    expect(all.filter((d) => d.code === 'CS_BRANCH_NOT_OFFERED' || d.code === 'CS_KEY_WITHOUT_BRANCH')).toEqual([]);
  });
});

describe('across files: call', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-calls-'));
    await writeFile(join(dir, 'a.yaml'), yaml('name: a', 'steps:', '  go: { call: b, next: bye }', '  bye: { hangup: x }'));
    await writeFile(join(dir, 'b.yaml'), yaml('name: b', 'steps:', '  go: { call: c, next: back }', '  back: { return: }'));
    await writeFile(join(dir, 'c.yaml'), yaml('name: c', 'steps:', '  go: { call: a, next: back }', '  back: { return: }'));
    await writeFile(join(dir, 'd.yaml'), yaml('name: d', 'steps:', '  go: { call: billing, next: bye }', '  bye: { hangup: x }'));
    await writeFile(join(dir, 'e.yaml'), yaml('name: e', 'steps:', '  go: { call: e, next: bye }', '  bye: { hangup: x }'));
    await writeFile(join(dir, 'f.yaml'), yaml('name: f', 'steps:', '  go: { call: b, next: bye }', '  bye: { hangup: x }'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  test('CS_UNKNOWN_SCRIPT and CS_CALL_CYCLE, on the call value; those scripts are not loaded, nor those that call them', async () => {
    const { scripts, diagnostics } = await loadScripts([dir]);
    expect(diagnostics.map((d) => [d.file.split('/').pop(), d.code, d.line, d.column, d.path])).toEqual([
      ['a.yaml', 'CS_CALL_CYCLE', 3, 15, 'steps.go.call'],
      ['b.yaml', 'CS_CALL_CYCLE', 3, 15, 'steps.go.call'],
      ['c.yaml', 'CS_CALL_CYCLE', 3, 15, 'steps.go.call'],
      ['d.yaml', 'CS_UNKNOWN_SCRIPT', 3, 15, 'steps.go.call'],
      ['e.yaml', 'CS_CALL_CYCLE', 3, 15, 'steps.go.call'],
      ['f.yaml', 'CS_UNKNOWN_SCRIPT', 3, 15, 'steps.go.call'],
    ]);
    expect(diagnostics[0]?.message).toBe(
      'calls between scripts go round (`a` → `b` → `c` → `a`): a script cannot call itself, directly or through others; return to the caller instead',
    );
    expect(diagnostics[3]?.message).toMatch(/^call names script `billing`, which is not loaded \(loaded: /);
    // f's own flow is fine, but the b it calls is not loaded: it would fail at run time.
    expect(diagnostics[5]?.message).toBe('call names script `b`, which is not loaded (no other script is)');
    expect(scripts.map((s) => s.name)).toEqual([]);
  });
});

describe('fmt', () => {
  test('puts the new keys in their canonical order', () => {
    const result = formatScript(
      yaml(
        'steps:',
        '  a:',
        '    on_error: b',
        '    next: b',
        '    http: { save: { x: y }, timeout: 2, url: "http://h/", method: GET }',
        '  b:',
        '    closed: c',
        '    open: c',
        '    hours: { weekly: {}, timezone: UTC }',
        '  c:',
        '    default: d',
        '    switch:',
        '      - goto: d',
        '        if: { var: digits, equals: "1" }',
        '  d: { voice: { gender: male, language: en-US }, hangup: x }',
        'on_error: d',
        'keys: { "0": d }',
        'language: "{{lang}}"',
        'vars: { lang: en }',
      ),
    );
    expect(result.ok && result.text).toBe(
      yaml(
        'vars: { lang: en }',
        'language: "{{lang}}"',
        'keys: { "0": d }',
        'on_error: d',
        'steps:',
        '  a:',
        '    http: { method: GET, url: "http://h/", timeout: 2, save: { x: y } }',
        '    next: b',
        '    on_error: b',
        '  b:',
        '    hours: { timezone: UTC, weekly: {} }',
        '    open: c',
        '    closed: c',
        '  c:',
        '    switch:',
        '      - if: { var: digits, equals: "1" }',
        '        goto: d',
        '    default: d',
        '  d: { hangup: x, voice: { language: en-US, gender: male } }',
      ),
    );
  });
});
