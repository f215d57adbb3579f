/** The pure pieces behind the scripting features: opening hours, JSON paths, regex safety. */
import { describe, expect, it } from 'vitest';
import { isOpen, localTime } from '../../src/engine/hours.js';
import { extractPath, extractValues, MAX_SAVED_VALUE } from '../../src/engine/json-path.js';
import { compilePattern } from '../../src/script/pattern.js';
import { parseHours, parseDays } from '../../src/script/hours-spec.js';
import { parseJsonPath } from '../../src/script/json-path.js';
import type { OpeningHours } from '../../src/script/model.js';

function hours(block: unknown): OpeningHours {
  const { hours: parsed, problems } = parseHours(block, ['hours']);
  if (parsed === undefined) throw new Error(JSON.stringify(problems));
  return parsed;
}

describe('opening hours', () => {
  it('reads weekday keys: single days, ranges (also across the week end), lists', () => {
    expect(parseDays('mon')).toEqual([0]);
    expect(parseDays('mon-fri')).toEqual([0, 1, 2, 3, 4]);
    expect(parseDays('fri-mon')).toEqual([4, 5, 6, 0]);
    expect(parseDays('sat, sun')).toEqual([5, 6]);
    expect(parseDays('mon-wed,fri')).toEqual([0, 1, 2, 4]);
    expect(parseDays('monday')).toBeUndefined();
    expect(parseDays('mon-')).toBeUndefined();
  });

  it('reads the local date, weekday and minute in the zone', () => {
    // 21:59 UTC on Friday 12 June 2026 is 22:59 in London (summer time) and 05:59 on Saturday in Singapore.
    const at = Date.parse('2026-06-12T21:59:00Z');
    expect(localTime('Europe/London', at)).toEqual({ date: '2026-06-12', weekday: 4, minutes: 22 * 60 + 59 });
    expect(localTime('Asia/Singapore', at)).toEqual({ date: '2026-06-13', weekday: 5, minutes: 5 * 60 + 59 });
    expect(localTime('UTC', Date.parse('2026-06-14T00:00:00Z'))).toEqual({ date: '2026-06-14', weekday: 6, minutes: 0 });
  });

  it('a range ending before it starts runs on past midnight, even into a day closed by an exception', () => {
    const bar = hours({ timezone: 'Asia/Singapore', weekly: { fri: '22:00-02:00' }, exceptions: { '2026-12-19': closed() } });
    const sg = (t: string): boolean => isOpen(bar, Date.parse(`${t}+08:00`));
    expect(sg('2026-12-18T21:59:00')).toBe(false);
    expect(sg('2026-12-18T22:00:00')).toBe(true);
    expect(sg('2026-12-18T23:59:59')).toBe(true);
    // Saturday is closed by exception, but the Friday range still runs on until 02:00.
    expect(sg('2026-12-19T01:59:00')).toBe(true);
    expect(sg('2026-12-19T02:00:00')).toBe(false);
    expect(sg('2026-12-20T01:00:00')).toBe(false);
  });

  it('follows daylight-saving changes (wall-clock time)', () => {
    const shop = hours({ timezone: 'Europe/London', weekly: { 'mon-sun': '09:00-17:00' } });
    // 08:30 UTC is 08:30 in winter (closed) and 09:30 in summer (open).
    expect(isOpen(shop, Date.parse('2026-01-15T08:30:00Z'))).toBe(false);
    expect(isOpen(shop, Date.parse('2026-07-15T08:30:00Z'))).toBe(true);
    expect(isOpen(shop, Date.parse('2026-03-29T08:30:00Z'))).toBe(true); // the first summer-time day
  });

  it('open, closed, lists and 24:00', () => {
    const h = hours({ timezone: 'UTC', weekly: { mon: 'open', tue: ['08:00-10:00', '12:00-24:00'], wed: 'closed' } });
    expect(isOpen(h, Date.parse('2026-12-21T03:00:00Z'))).toBe(true);
    expect(isOpen(h, Date.parse('2026-12-22T11:00:00Z'))).toBe(false);
    expect(isOpen(h, Date.parse('2026-12-22T23:59:00Z'))).toBe(true);
    expect(isOpen(h, Date.parse('2026-12-23T12:00:00Z'))).toBe(false);
    expect(isOpen(h, Date.parse('2026-12-24T12:00:00Z'))).toBe(false); // not named: closed
  });

  it('reports what does not parse, with where', () => {
    const { problems } = parseHours(
      { timezone: 'Asia/Singpore', weekly: { mon: '9-18', tue: ['09:00-12:00', 'closed'], 'mon-fri': '09:00-18:00', sunday: 'open' }, exceptions: { '2026-02-30': 'closed' } },
      ['h'],
    );
    expect(problems.map((p) => [p.path.join('.'), p.code])).toEqual([
      ['h.timezone', 'CS_TIMEZONE'],
      ['h.weekly.mon', 'CS_HOURS'],
      ['h.weekly.tue.1', 'CS_HOURS'],
      ['h.weekly.mon-fri', 'CS_HOURS'],
      ['h.weekly.mon-fri', 'CS_HOURS'],
      ['h.weekly.sunday', 'CS_HOURS'],
      ['h.exceptions.2026-02-30', 'CS_HOURS'],
    ]);
    expect(problems[0]?.message).toContain('did you mean `Asia/Singapore`?');
  });
});

function closed(): string {
  return 'closed';
}

describe('JSON paths of http saves', () => {
  it('parses keys and list items', () => {
    expect(parseJsonPath('customer.tier')).toEqual(['customer', 'tier']);
    expect(parseJsonPath('items[0].id')).toEqual(['items', 0, 'id']);
    expect(parseJsonPath('[1][2]')).toEqual([1, 2]);
    expect(parseJsonPath('a-b.c_d')).toEqual(['a-b', 'c_d']);
    for (const bad of ['', '.a', 'a.', 'a..b', 'a[x]', 'a[0]b', 'a]']) expect(parseJsonPath(bad)).toBeUndefined();
  });

  it('extracts text: missing is empty, numbers and booleans as text, objects as JSON, long values cut', () => {
    const json = { customer: { name: 'Ann', age: 41, vip: true, tags: ['a'], none: null }, items: [{ id: 'x' }] };
    expect(extractValues(json, [
      { name: 'n', path: ['customer', 'name'] },
      { name: 'a', path: ['customer', 'age'] },
      { name: 'v', path: ['customer', 'vip'] },
      { name: 't', path: ['customer', 'tags'] },
      { name: 'z', path: ['customer', 'none'] },
      { name: 'i', path: ['items', 0, 'id'] },
      { name: 'm', path: ['items', 5, 'id'] },
      { name: 'p', path: ['customer', 'name', 'first'] },
      { name: 'q', path: ['toString'] },
    ])).toEqual({ n: 'Ann', a: '41', v: 'true', t: '["a"]', z: '', i: 'x', m: '', p: '', q: '' });
    expect(extractPath({ big: 'x'.repeat(MAX_SAVED_VALUE + 10) }, ['big'])).toHaveLength(MAX_SAVED_VALUE);
  });
});

describe('regular expressions in conditions', () => {
  const run = (source: string, text: string): boolean => {
    const compiled = compilePattern(source);
    if (!compiled.ok) throw new Error(compiled.message);
    return compiled.pattern.test(text);
  };

  it('match as JavaScript would (u flag, unanchored), nested quantifiers included', () => {
    const cases: Array<[string, string, boolean]> = [
      ['^\\+65', '+6591234567', true],
      ['^\\d{4}$', '1234', true],
      ['^\\d{4}$', '12345', false],
      ['(ab)+', 'xxababyy', true],
      ['^(gold|silver)$', 'silver', true],
      ['^(a+)+$', 'aaaa', true],
      ['^(\\d+)*x', '123x', true],
      ['\\u00e9t\\u00e9', 'été', true],
      ['^(?<area>\\d{3})-\\d{4}$', '555-1234', true],
      ['^\\p{L}+$', 'Zoë', true],
      ['[^]', '\n', true],
      ['x$', 'x\n', false],
    ];
    for (const [source, text, expected] of cases) {
      expect(run(source, text), `${source} on ${JSON.stringify(text)}`).toBe(expected);
      expect(new RegExp(source, 'u').test(text), `JavaScript: ${source}`).toBe(expected);
    }
  });

  it('refuse what the linear-time engine cannot run, saying where and what to do', () => {
    const refused = (source: string): string => {
      const compiled = compilePattern(source);
      return compiled.ok ? '' : compiled.message;
    };
    expect(refused('(')).toMatch(/^not a valid regular expression: /);
    expect(refused('^(\\d)\\1$')).toBe(
      '"^(\\\\d)\\\\1$" uses the backreference \\1 at character 6, which the linear-time pattern engine (RE2) cannot run: spell out what the group matched, or compare with equals / in',
    );
    expect(refused('(?<x>a)\\k<x>')).toContain('the backreference \\k<x> at character 8');
    expect(refused('^(?!0)\\d+$')).toContain('the lookahead (?!…) at character 2');
    expect(refused('(?<=\\+)65')).toContain('the lookbehind (?<=…) at character 1');
    expect(refused('[(?=]a(?=b)')).toContain('the lookahead (?=…) at character 7');
    expect(refused('\\d{1,999}')).toMatch(/compiles to \d+ instructions, more than 100/);
  });
});
