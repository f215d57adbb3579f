/** Pure parts: msg markup, parameters, billing, forms, PRNG, MP3 bytes, action parsing. */
import { describe, expect, it } from 'vitest';
import { checkMsg, createPrng, parseCallerAction, silentMp3, spokenText } from '../../src/simulator/index.js';
import type { MessagePart } from '../../src/engine/parts.js';
import { formatParts } from '../../src/engine/parts.js';
import { renderHoiioMessage } from '../../src/provider/hoiio/render.js';
import { heardParts } from '../../src/simulator/markup.js';
import { billedMinutes, hoiioDate, money } from '../../src/simulator/billing.js';
import { checkBlockParams, collectDigits, gatherSettings } from '../../src/simulator/params.js';
import { parseForm } from '../../src/simulator/server.js';

describe('checkMsg', () => {
  it.each([
    ['plain text', undefined],
    ['Tom & Jerry > Spike', undefined],
    ['<speech language="zh-CN">你好</speech>', undefined],
    ["<speech gender='male' language='en-US'>Hi</speech> and <url>http://a.b/c.wav</url>", undefined],
    ['<speech>open', 'error_msg_invalid_xml'],
    ['</speech>', 'error_msg_invalid_xml'],
    ['<speech><url>http://a/b.mp3</url></speech>', 'error_msg_invalid_xml'],
    ['<speech voice="x">a</speech>', 'error_msg_invalid_xml'],
    ['<speech gender="male" gender="male">a</speech>', 'error_msg_invalid_xml'],
    ['<speech gender="other">a</speech>', 'error_msg_invalid_gender'],
    ['<speech language="12">a</speech>', 'error_msg_invalid_language'],
    ['<url>not a url</url>', 'error_msg_invalid_url'],
    ['a'.repeat(1001), 'error_msg_invalid_length'],
  ])('%s → %s', (msg, expected) => {
    expect(checkMsg(msg)).toBe(expected);
  });

  it('heardParts reads back what the Hoiio adapter renders, voices and audio included, and plain text as written', () => {
    const parts: MessagePart[] = [
      { type: 'say', text: 'Welcome & hello' },
      { type: 'say', text: '你好', voice: { language: 'zh-HK', gender: 'female' } },
      { type: 'play', url: 'https://a.example/b.mp3?x=1&y=2' },
      { type: 'say', text: 'Bye', voice: { gender: 'male' } },
    ];
    expect(heardParts(renderHoiioMessage(parts))).toEqual(parts);
    expect(formatParts(heardParts(renderHoiioMessage(parts)))).toBe('Welcome & hello [zh-HK female] 你好 [audio https://a.example/b.mp3?x=1&y=2] [male] Bye');
    expect(heardParts('a < b, {{#if x}}')).toEqual([{ type: 'say', text: 'a < b, {{#if x}}' }]);
    expect(heardParts('  ')).toEqual([]);
  });

  it('spokenText strips markup', () => {
    expect(spokenText('<speech language="en">Hi</speech> <url>http://a/b.mp3</url>')).toBe('Hi [audio http://a/b.mp3]');
  });
});

describe('params', () => {
  it('treats empty values as absent', () => {
    expect(checkBlockParams('gather', { notify_url: 'http://a/b', max_digits: '', timeout: '' })).toBeUndefined();
    expect(checkBlockParams('gather', { notify_url: '' })).toBe('error_notify_url_param_missing');
  });

  it('gather defaults follow the PHP SDK (timeout 15, attempts 1, max_digits 0)', () => {
    expect(gatherSettings({})).toEqual({ maxDigits: 0, timeout: 15, attempts: 1 });
  });

  it('collectDigits stops at # and caps at max_digits', () => {
    expect(collectDigits('123#45', 0)).toBe('123');
    expect(collectDigits('12345', 2)).toBe('12');
    expect(collectDigits('#', 0)).toBe('');
    expect(collectDigits('*9', 0)).toBe('*9');
  });
});

describe('billing', () => {
  it('formats dates in GMT+8', () => {
    expect(hoiioDate(Date.UTC(2012, 5, 6, 3, 10, 36))).toBe('2012-06-06 11:10:36');
  });

  it('bills whole minutes, at least one once answered', () => {
    expect(billedMinutes(undefined, 1000, 0)).toBe(0);
    expect(billedMinutes(0, 10, 0)).toBe(1);
    expect(billedMinutes(0, 61_000, 0)).toBe(2);
    expect(billedMinutes(0, 0, 125)).toBe(3);
    expect(money(0.05 * 3)).toBe('0.15');
    expect(money(0)).toBe('0');
  });
});

describe('parseForm', () => {
  it('decodes + and %2B, keeps UTF-8, rejects broken escapes', () => {
    expect(parseForm('a=1+2&b=%2B65&c=%E4%BD%A0&d')).toEqual({ a: '1 2', b: '+65', c: '你', d: '' });
    expect(parseForm('a=%E4%BD')).toBeUndefined();
    expect(parseForm('a=%zz')).toBeUndefined();
  });
});

describe('prng and mp3', () => {
  it('repeats for a seed', () => {
    const a = createPrng('x');
    const b = createPrng('x');
    expect([a.next(), a.next(), a.int(1, 6)]).toEqual([b.next(), b.next(), b.int(1, 6)]);
    for (let i = 0; i < 100; i++) {
      const n = a.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
  });

  it('makes MPEG frames of silence sized by duration', () => {
    const one = silentMp3(1);
    const ten = silentMp3(10);
    expect(one.subarray(0, 4)).toEqual(Buffer.from([0xff, 0xfb, 0x18, 0xc0]));
    expect(one.length % 144).toBe(0);
    expect(ten.length).toBeGreaterThan(one.length * 9);
    expect(silentMp3(0).length).toBe(144);
  });
});

describe('parseCallerAction', () => {
  it('accepts the documented shapes', () => {
    expect(parseCallerAction({ type: 'press', digits: '12#' })).toEqual({ type: 'press', digits: '12#' });
    expect(parseCallerAction({ type: 'outcome', outcome: 'busy', seconds: 3 })).toEqual({ type: 'outcome', outcome: 'busy', seconds: 3 });
    expect(parseCallerAction({ type: 'record' })).toEqual({ type: 'record' });
    expect(parseCallerAction({ type: 'continue', extra: 1 })).toEqual({ type: 'continue' });
  });

  it.each([null, [], { type: 1 }, { type: 'press' }, { type: 'press', digits: 'x' }, { type: 'record', seconds: -1 }, { type: 'fly' }])(
    'rejects %j',
    (v) => {
      expect(() => parseCallerAction(v)).toThrow(expect.objectContaining({ code: 'invalid_action' }));
    },
  );
});
