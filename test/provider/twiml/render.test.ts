/**
 * Blocks as TwiML, for each dialect: parsed by a real XML parser, compared in
 * canonical form with what the `twilio` package's VoiceResponse builds for the
 * same verbs, every continuation URL absolute under the public URL, and the
 * dialects' differences (Telnyx: no `method`, attempts as repeated gathers).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Block } from '../../../src/engine/blocks.js';
import type { MessagePart } from '../../../src/engine/parts.js';
import { SIGNALWIRE, TELNYX, TWILIO, type TwimlDialect } from '../../../src/provider/twiml/dialect.js';
import { TwimlRenderer, hangupReply } from '../../../src/provider/twiml/render.js';
import { continuationUrl, stepUrl, uriComponent } from '../../../src/provider/twiml/urls.js';
import { attribute, elements, newResponse, oracleParts, parseTwiml, text } from './xml-oracle.js';

const PUBLIC = 'https://ivr.example.com';
const STEP = stepUrl(PUBLIC, 'twilio', 'cAbC_12-xyz', 4, 'tok-EN_123');

const prompt: MessagePart[] = [
  { type: 'say', text: 'Press 1 for sales & 2 for <support>.', voice: { language: 'en-GB', gender: 'male' } },
  { type: 'pause', seconds: 2 },
  { type: 'play', url: 'https://cdn.example.com/jingle.mp3?a=1&b=2' },
  { type: 'say', text: '"Quoted" text' },
];

/** What VoiceResponse builds for each block, written out by hand from the block: the oracle. */
function oracle(d: TwimlDialect, block: Block, fromAttempt = 1): string {
  const vr = newResponse();
  const method = d.methodAttribute ? { method: 'POST' as const } : {};
  const redirect = (k: 'next' | 'none' | 'record'): void => void vr.redirect({ ...method }, continuationUrl(STEP, k));
  switch (block.kind) {
    case 'play':
      oracleParts(vr, block.message);
      redirect('next');
      break;
    case 'monitor':
      oracleParts(vr, block.message);
      redirect('next');
      break;
    case 'gather': {
      const attempts = block.attempts ?? 1;
      const last = d.actionOnEmptyResult ? fromAttempt : attempts;
      for (let a = fromAttempt; a <= last; a++) {
        const g = vr.gather({
          action: continuationUrl(STEP, 'gather', a),
          ...method,
          input: ['dtmf'],
          numDigits: block.maxDigits ?? 128,
          timeout: block.timeout ?? 15,
          finishOnKey: '#',
          ...(d.actionOnEmptyResult ? { actionOnEmptyResult: true } : {}),
        });
        oracleParts(g, block.prompt);
      }
      redirect('none');
      break;
    }
    case 'record': {
      oracleParts(vr, block.prompt);
      const maxLength = block.maxDuration ?? 120;
      vr.record({
        action: continuationUrl(STEP, 'record'),
        ...method,
        maxLength,
        timeout: d === TELNYX ? 0 : maxLength,
        finishOnKey: '#',
        playBeep: true,
        trim: 'do-not-trim',
      });
      redirect('record');
      break;
    }
    case 'transfer': {
      oracleParts(vr, block.message);
      vr.dial({
        action: continuationUrl(STEP, block.onFailure === 'continue' ? 'dial' : 'dial-end'),
        ...method,
        timeout: 30,
        timeLimit: 14400,
        ...(block.callerId !== undefined ? { callerId: block.callerId } : {}),
      }).number(block.to);
      break;
    }
    case 'hangup':
      oracleParts(vr, block.message);
      vr.hangup();
      break;
    case 'dial':
      vr.hangup();
      break;
  }
  return vr.toString();
}

const BLOCKS: ReadonlyArray<readonly [string, Block]> = [
  ['play', { kind: 'play', message: prompt }],
  ['monitor', { kind: 'monitor', message: [{ type: 'say', text: 'This call may be recorded.' }] }],
  ['gather, one attempt, bounded', { kind: 'gather', prompt, maxDigits: 1, timeout: 10 }],
  ['gather, three attempts, defaults', { kind: 'gather', prompt: [{ type: 'say', text: 'Enter your number.' }], attempts: 3 }],
  ['gather with no prompt', { kind: 'gather', maxDigits: 4, timeout: 5, attempts: 2 }],
  ['record', { kind: 'record', prompt: [{ type: 'say', text: 'After the tone.' }], maxDuration: 60 }],
  ['record with defaults', { kind: 'record' }],
  ['transfer', { kind: 'transfer', to: '+6562223333', callerId: '+6591234567', message: [{ type: 'say', text: 'Connecting you.' }], onFailure: 'continue' }],
  ['transfer without caller id', { kind: 'transfer', to: '+6562224444', onFailure: 'hangup' }],
  ['hangup', { kind: 'hangup', message: [{ type: 'say', text: 'Goodbye & thanks.' }] }],
  ['forced hangup', { kind: 'hangup', force: true }],
];

describe.each([
  ['twilio', TWILIO],
  ['telnyx', TELNYX],
  ['signalwire', SIGNALWIRE],
] as const)('%s replies', (_name, dialect) => {
  const renderer = new TwimlRenderer(dialect);

  it.each(BLOCKS)('%s: well formed, and the same verbs and attributes as VoiceResponse builds', (_label, block) => {
    const ours = renderer.block(block, STEP);
    expect(ours.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true);
    expect(parseTwiml(ours)).toEqual(parseTwiml(oracle(dialect, block)));
  });

  it('a public URL with characters XML escapes comes back byte for byte in every continuation (the URL is escaped once per reply)', () => {
    const step = stepUrl(`https://ivr.example.com/a&b<c>"d"`, 'twilio', 'c1', 2, 'tok');
    for (const [, block] of BLOCKS) {
      const root = parseTwiml(renderer.block(block, step));
      for (const verb of ['Gather', 'Record', 'Dial']) {
        for (const e of elements(root, verb)) expect(attribute(e, 'action')?.startsWith(`${step}&k=`)).toBe(true);
      }
      for (const e of elements(root, 'Redirect')) expect(text(e)?.startsWith(`${step}&k=`)).toBe(true);
    }
    const gather = parseTwiml(renderer.block({ kind: 'gather', prompt, attempts: 2, maxDigits: 1, timeout: 5 }, step));
    expect(attribute(elements(gather, 'Gather')[0], 'action')).toBe(continuationUrl(step, 'gather', 1));
    expect(text(elements(gather, 'Redirect')[0])).toBe(continuationUrl(step, 'none'));
    expect(text(elements(parseTwiml(renderer.hold(step)), 'Redirect')[0])).toBe(continuationUrl(step, 'hold'));
  });

  it('every continuation URL is absolute, under the public URL, names the call, block and token, and is XML-escaped', () => {
    for (const [, block] of BLOCKS) {
      const xml = renderer.block(block, STEP);
      const root = parseTwiml(xml);
      const urls = [
        ...['Gather', 'Record', 'Dial'].flatMap((verb) => elements(root, verb).map((e) => attribute(e, 'action') ?? '')),
        ...elements(root, 'Redirect').map((e) => text(e)),
      ];
      for (const url of urls) {
        expect(url.startsWith(`${PUBLIC}/twilio/step/cAbC_12-xyz/4?t=tok-EN_123&k=`)).toBe(true);
        // In the document itself the `&` is escaped.
        expect(xml).not.toContain(`${url}<`);
      }
      expect(xml).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
    }
  });

  it('writes `method` only where the dialect has it, and the no-input path explicitly', () => {
    const root = parseTwiml(renderer.block({ kind: 'gather', prompt, attempts: 3, maxDigits: 1, timeout: 5 }, STEP));
    const gathers = elements(root, 'Gather');
    expect(gathers.every((g) => attribute(g, 'method') === (dialect.methodAttribute ? 'POST' : undefined))).toBe(true);
    // Attempts are emulated: all of them in one reply where an empty gather falls through, else one reporting its emptiness.
    expect(gathers.map((g) => attribute(g, 'action')?.replace(/^.*&k=/, ''))).toEqual(dialect.actionOnEmptyResult ? ['gather&a=1'] : ['gather&a=1', 'gather&a=2', 'gather&a=3']);
    expect(gathers.every((g) => attribute(g, 'actionOnEmptyResult') === (dialect.actionOnEmptyResult ? 'true' : undefined))).toBe(true);
    const last = root.children.at(-1);
    expect(typeof last !== 'string' && last?.name).toBe('Redirect');
    expect(text(typeof last === 'string' ? undefined : last)).toBe(continuationUrl(STEP, 'none'));
  });

  it('asks again from a later attempt', () => {
    const block: Block = { kind: 'gather', prompt, attempts: 3, maxDigits: 1, timeout: 5 };
    const xml = renderer.block(block, STEP, 3);
    expect(parseTwiml(xml)).toEqual(parseTwiml(oracle(dialect, block, 3)));
    expect(elements(parseTwiml(xml), 'Gather').map((g) => attribute(g, 'action')?.replace(/^.*&a=/, ''))).toEqual(['3']);
  });

  it('a hold is a pause and a redirect to the same block; a hangup reply is well formed', () => {
    const vr = newResponse();
    vr.pause({ length: 2 });
    vr.redirect(dialect.methodAttribute ? { method: 'POST' } : {}, continuationUrl(STEP, 'hold'));
    expect(parseTwiml(renderer.hold(STEP))).toEqual(parseTwiml(vr.toString()));
    const bye = newResponse();
    bye.hangup();
    expect(parseTwiml(hangupReply())).toEqual(parseTwiml(bye.toString()));
  });
});

describe('voices', () => {
  it('names a Polly voice with its language on every <Say>, en-US female by default', () => {
    const root = parseTwiml(new TwimlRenderer(TWILIO).block({ kind: 'play', message: prompt }, STEP));
    expect(elements(root, 'Say').map((s) => [attribute(s, 'voice'), attribute(s, 'language')])).toEqual([
      ['Polly.Brian', 'en-GB'],
      ['Polly.Joanna', 'en-US'],
    ]);
    expect(text(elements(root, 'Say')[0])).toBe('Press 1 for sales & 2 for <support>.');
    expect(text(elements(root, 'Play')[0])).toBe('https://cdn.example.com/jingle.mp3?a=1&b=2');
  });
});

describe('any text', () => {
  it('gives a well-formed reply whose <Say> reads back as the text, less what XML cannot carry', () => {
    const renderer = new TwimlRenderer(TELNYX);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 20 }), (said, to) => {
        const xml = renderer.block({ kind: 'transfer', to, message: [{ type: 'say', text: said }], onFailure: 'continue' }, STEP);
        const root = parseTwiml(xml);
        const expected = said.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
        if (expected.trim() !== '') expect(text(elements(root, 'Say')[0]).replace(/\r\n?/g, '\n')).toBe(expected.replace(/\r\n?/g, '\n'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('uriComponent', () => {
  it('is encodeURIComponent for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        expect(uriComponent(s)).toBe(encodeURIComponent(s));
      }),
    );
    expect(uriComponent('cAbC_12-xyz')).toBe('cAbC_12-xyz');
    expect(uriComponent('a/b?c&d')).toBe('a%2Fb%3Fc%26d');
  });
});
