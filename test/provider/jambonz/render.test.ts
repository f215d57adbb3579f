/**
 * Blocks as jambonz verb arrays, each one checked with
 * @jambonz/verb-specifications (what the feature server runs): texts with
 * voices as `say` with a `synthesizer`, audio, pauses, gathers with their
 * prompt nested, transfers as `dial`, hangups, holds; every hook absolute.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Block } from '../../../src/engine/blocks.js';
import type { MessagePart } from '../../../src/engine/parts.js';
import { JambonzRenderer, renderParts, type Verb } from '../../../src/provider/jambonz/render.js';
import { JAMBONZ_LANGUAGES, synthesizerFor } from '../../../src/provider/jambonz/voices.js';
import { assertValidVerbs, refusal } from './verb-oracle.js';

const STEP = 'https://ivr.example.com/base/jambonz/step/c1/4?t=tok';
const r = new JambonzRenderer('aws');
const render = (block: Block, attempt?: number): Verb[] => {
  const verbs = r.block(block, STEP, attempt);
  assertValidVerbs(verbs);
  return verbs;
};

describe('jambonz verbs', () => {
  it('says texts with the application voice, or a synthesizer where the script names a voice; audio as play; pauses in whole seconds', () => {
    const parts: MessagePart[] = [
      { type: 'say', text: 'Hello.' },
      { type: 'say', text: 'Welcome.' },
      { type: 'say', text: '你好', voice: { language: 'zh-CN', gender: 'female' } },
      { type: 'pause', seconds: 0.4 },
      { type: 'play', url: ' https://cdn.example/tone.wav ' },
      { type: 'say', text: 'Bye', voice: { language: 'fr-FR', gender: 'male' } },
      { type: 'say', text: '   ' },
    ];
    expect(render({ kind: 'play', message: parts })).toEqual([
      { verb: 'say', text: 'Hello. Welcome.' },
      { verb: 'say', text: '你好', synthesizer: { vendor: 'aws', language: 'cmn-CN', voice: 'Zhiyu', engine: 'neural' } },
      { verb: 'pause', length: 1 },
      { verb: 'play', url: 'https://cdn.example/tone.wav' },
      { verb: 'say', text: 'Bye', synthesizer: { vendor: 'aws', language: 'fr-FR', voice: 'Mathieu', engine: 'standard' } },
      { verb: 'redirect', actionHook: { url: `${STEP}&k=next`, method: 'POST' } },
    ]);
    // The validator the feature server runs refuses a language on `say` itself: that is why voices go in a synthesizer.
    expect(refusal([{ verb: 'say', text: 'x', language: 'en-US' }])).toMatch(/say: unknown property language/);
  });

  it('names every language the capability table offers with a voice of each gender; another vendor gets the language and gender', () => {
    for (const language of JAMBONZ_LANGUAGES) {
      for (const gender of ['male', 'female'] as const) {
        const s = synthesizerFor({ language, gender }, 'aws');
        expect(s?.voice).toMatch(/^[A-Z][a-z]+$/);
        assertValidVerbs([{ verb: 'say', text: 'x', synthesizer: s }]);
      }
    }
    expect(synthesizerFor(undefined, 'aws')).toBeUndefined();
    expect(synthesizerFor({ language: 'de-DE', gender: 'male' }, 'google')).toEqual({ vendor: 'google', language: 'de-DE', gender: 'MALE' });
  });

  it('a gather is one attempt: digits only, numDigits, timeout, # and its prompt nested; a prompt of several parts says the rest first', () => {
    expect(render({ kind: 'gather', prompt: [{ type: 'say', text: 'Press 1.' }], maxDigits: 1, timeout: 10, attempts: 2 })).toEqual([
      {
        verb: 'gather',
        actionHook: { url: `${STEP}&k=gather&a=1`, method: 'POST' },
        input: ['digits'],
        numDigits: 1,
        timeout: 10,
        finishOnKey: '#',
        say: { text: 'Press 1.' },
      },
    ]);
    const second = render({ kind: 'gather', prompt: [{ type: 'play', url: 'https://cdn.example/menu.wav' }], attempts: 3 }, 2);
    expect(second).toEqual([expect.objectContaining({ verb: 'gather', numDigits: 128, timeout: 15, play: { url: 'https://cdn.example/menu.wav' }, actionHook: { url: `${STEP}&k=gather&a=2`, method: 'POST' } })]);
    const mixed = render({
      kind: 'gather',
      prompt: [{ type: 'say', text: 'Menu.' }, { type: 'pause', seconds: 1 }, { type: 'say', text: 'Vite.', voice: { language: 'fr-FR' } }],
      maxDigits: 4,
    });
    expect(mixed.map((v) => v.verb)).toEqual(['say', 'pause', 'gather']);
    expect(mixed[2]).toMatchObject({ say: { text: 'Vite.', synthesizer: { vendor: 'aws', language: 'fr-FR', voice: 'Celine' } } });
    const endsInPause = render({ kind: 'gather', prompt: [{ type: 'say', text: 'Menu.' }, { type: 'pause', seconds: 2 }] });
    expect(endsInPause.map((v) => v.verb)).toEqual(['say', 'pause', 'gather']);
    expect(endsInPause[2]).not.toHaveProperty('say');
  });

  it('a transfer is a dial to a phone target with callerId, timeout and an actionHook saying whether a failure comes back', () => {
    expect(render({ kind: 'transfer', to: '+6562223333', callerId: '+6591234567', message: [{ type: 'say', text: 'Connecting.' }], onFailure: 'continue' })).toEqual([
      { verb: 'say', text: 'Connecting.' },
      {
        verb: 'dial',
        actionHook: { url: `${STEP}&k=dial`, method: 'POST' },
        target: [{ type: 'phone', number: '+6562223333' }],
        timeout: 30,
        timeLimit: 14400,
        callerId: '+6591234567',
      },
    ]);
    expect(render({ kind: 'transfer', to: '+6562224444', onFailure: 'hangup' })).toEqual([expect.objectContaining({ verb: 'dial', actionHook: { url: `${STEP}&k=dial-end`, method: 'POST' } })]);
  });

  it('a record block is its prompt, then a listen streaming the caller to our WebSocket, ending on # or at its maximum', () => {
    expect(render({ kind: 'record', prompt: [{ type: 'say', text: 'After the tone.' }], maxDuration: 60 })).toEqual([
      { verb: 'say', text: 'After the tone.' },
      {
        verb: 'listen',
        url: 'wss://ivr.example.com/base/jambonz/listen/c1/4?t=tok',
        actionHook: { url: `${STEP}&k=record`, method: 'POST' },
        maxLength: 60,
        finishOnKey: '#',
        playBeep: true,
        mixType: 'mono',
        sampleRate: 8000,
      },
    ]);
    expect(render({ kind: 'record' }).at(-1)).toMatchObject({ verb: 'listen', maxLength: 120 });
    expect(new JambonzRenderer('aws').block({ kind: 'record' }, 'http://localhost:3000/jambonz/step/c%2F2/1?t=x').at(-1)).toMatchObject({ url: 'ws://localhost:3000/jambonz/listen/c%2F2/1?t=x' });
  });

  it('hangups, forced hangups, holds, and a dial that never belongs in a reply', () => {
    expect(render({ kind: 'hangup', message: [{ type: 'say', text: 'Goodbye.' }] })).toEqual([{ verb: 'say', text: 'Goodbye.' }, { verb: 'hangup' }]);
    expect(render({ kind: 'hangup', force: true, message: [{ type: 'say', text: 'x' }] })).toEqual([{ verb: 'hangup' }]);
    expect(r.hold(STEP)).toEqual([{ verb: 'pause', length: 2 }, { verb: 'redirect', actionHook: { url: `${STEP}&k=hold`, method: 'POST' } }]);
    assertValidVerbs(r.hold(STEP));
    expect(render({ kind: 'dial', to: '+6590000000' })).toEqual([{ verb: 'hangup' }]);
  });

  it('any message of any block passes the validator, and every list is non-empty', () => {
    const voice = fc.option(fc.record({ language: fc.constantFrom(...JAMBONZ_LANGUAGES), gender: fc.constantFrom('male' as const, 'female' as const) }), { nil: undefined });
    const part: fc.Arbitrary<MessagePart> = fc.oneof(
      fc.record({ type: fc.constant('say' as const), text: fc.string({ maxLength: 30 }), voice }).map((p) => (p.voice === undefined ? { type: p.type, text: p.text } : p)),
      fc.record({ type: fc.constant('play' as const), url: fc.webUrl() }),
      fc.record({ type: fc.constant('pause' as const), seconds: fc.double({ min: 0.1, max: 10, noNaN: true }) }),
    );
    const message = fc.array(part, { maxLength: 5 });
    const block: fc.Arbitrary<Block> = fc.oneof(
      message.map((m): Block => ({ kind: 'play', message: m })),
      fc.record({ m: message, d: fc.integer({ min: 0, max: 128 }), t: fc.integer({ min: 1, max: 60 }), a: fc.integer({ min: 1, max: 5 }) }).map((g): Block => ({ kind: 'gather', prompt: g.m, maxDigits: g.d, timeout: g.t, attempts: g.a })),
      fc.record({ m: message, to: fc.stringMatching(/^\+[1-9]\d{6,14}$/) }).map((t): Block => ({ kind: 'transfer', to: t.to, message: t.m, onFailure: 'continue' })),
      message.map((m): Block => ({ kind: 'hangup', message: m })),
      fc.record({ m: message, d: fc.integer({ min: 1, max: 3600 }) }).map((x): Block => ({ kind: 'record', prompt: x.m, maxDuration: x.d })),
    );
    fc.assert(
      fc.property(block, (b) => {
        const verbs = render(b);
        expect(verbs.length).toBeGreaterThan(0);
        for (const v of verbs) if ('actionHook' in v) expect(v.actionHook.url.startsWith('https://')).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(renderParts([], 'aws')).toEqual([]);
  });
});
