/**
 * Messages as parts at load: the `parts:` form in the schema and the builder,
 * Hoiio's inline `<speech>` / `<url>` markup read into parts with a warning that
 * shows the structured form, and `language:` items checked against `languages`.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/script/compile.js';
import { formatDiagnostic } from '../../src/script/diagnostic.js';
import { hasInlineMarkup, parseInlineMarkup, partsSuggestion } from '../../src/markup/hoiio-inline.js';
import type { PlayStep } from '../../src/script/model.js';
import { formatParts } from '../../src/engine/parts.js';
import type { MessagePart } from '../../src/engine/parts.js';
import { renderHoiioMessage } from '../../src/provider/hoiio/render.js';

function diagnostics(source: string): string[] {
  const result = compile(source, { file: 'm.yaml' });
  return (result.ok ? result.warnings : result.diagnostics).map(formatDiagnostic);
}

describe('inline Hoiio markup', () => {
  it('splits speech and url tags into texts with voices and audio, decoding XML escapes', () => {
    expect(parseInlineMarkup('Hi <speech language="en-US" gender="male">A &amp; B</speech> <url> https://a/b.mp3?x=1&amp;y=2 </url> bye')).toEqual([
      { kind: 'text', source: 'Hi' },
      { kind: 'text', source: 'A & B', language: 'en-US', gender: 'male' },
      { kind: 'url', source: 'https://a/b.mp3?x=1&y=2' },
      { kind: 'text', source: 'bye' },
    ]);
    expect(hasInlineMarkup('a < b')).toBe(false);
  });

  it('leaves what it cannot split safely as one text: unbalanced or unknown tags, other attributes, Handlebars blocks', () => {
    for (const source of ['<speech>open', '<speech language="en">a</speech> <b>x</b>', '<speech voice="x">a</speech>', '{{#if a}}<speech>x</speech>{{/if}}', '<url>a<b</url>']) {
      expect(parseInlineMarkup(source), source).toBeUndefined();
    }
  });

  it('suggests the parts form, and Hoiio renders the parts back to the same markup', () => {
    const segments = parseInlineMarkup('<speech language="zh-HK" gender="female">你好</speech><url>https://a/b.mp3</url>') ?? [];
    expect(partsSuggestion(segments)).toBe('{ parts: [{ say: "你好", voice: { language: zh-HK, gender: female } }, { url: "https://a/b.mp3" }] }');
    const parts: MessagePart[] = [
      { type: 'say', text: '你好 & 再见', voice: { language: 'zh-HK', gender: 'female' } },
      { type: 'play', url: 'https://a/b.mp3' },
    ];
    expect(renderHoiioMessage(parts)).toBe('<speech language="zh-HK" gender="female">你好 &amp; 再见</speech> <url>https://a/b.mp3</url>');
    expect(formatParts(parts)).toBe('[zh-HK female] 你好 & 再见 [audio https://a/b.mp3]');
  });

  it('validate warns with the position and the structured form to write instead; the script still compiles', () => {
    const source = `steps:
  a:
    play: '<speech language="en-US">Hello</speech>'
    next: b
  b:
    hangup: '{{#if call.from}}<speech language="en-US">Bye</speech>{{/if}}'
`;
    expect(diagnostics(source)).toEqual([
      'm.yaml:3:11: warning: Hoiio-only markup (`<speech>` / `<url>`): it is read into parts at load, but write it as { parts: [{ say: "Hello", voice: { language: en-US } }] } [CS_HOIIO_MARKUP]',
      'm.yaml:6:13: warning: Hoiio-only markup (`<speech>` / `<url>`) that cannot be read into parts: it is sent as written, which only Hoiio understands. Write the message as `{ parts: [...] }` (texts with `voice:` or `language:`, `{ url: … }` for audio) [CS_HOIIO_MARKUP]',
    ]);
    const result = compile(source);
    expect(result.ok).toBe(true);
    const play = result.ok ? (result.script.steps.a as PlayStep) : undefined;
    expect(play?.message).toMatchObject({ kind: 'parts', items: [{ kind: 'say', voice: { language: 'en-US' } }] });
  });
});

describe('parts: messages', () => {
  it('accepts texts, texts in a voice or a declared language, audio and pauses, in every message position', () => {
    const source = `languages:
  en: {}
  zh: { voice: { language: zh-HK } }
steps:
  a:
    gather:
      prompt:
        - parts: ["Press 1.", { say: "按一", language: zh }, { pause: 0.5 }, { url: "https://a/b.mp3" }]
        - { en: { parts: [{ say: "Two", voice: { gender: male } }] }, zh: "二" }
    branches: { "1": b }
    invalid: { message: { parts: ["No."] } }
  b:
    hangup: { parts: ["Bye"] }
`;
    expect(diagnostics(source)).toEqual([]);
  });

  it('refuses malformed items with positions: two kinds at once, an unknown key, a pause out of range, an undeclared language, voice and language together', () => {
    const source = `languages:
  en: {}
steps:
  a:
    play:
      parts:
        - { say: "x", url: "https://a/b.mp3" }
        - { sey: "typo" }
        - { pause: 120 }
        - { say: "y", language: fr }
        - { say: "z", language: en, voice: { gender: male } }
    next: b
  b: { hangup: { parts: ["Bye"], en: "x" } }
`;
    const out = diagnostics(source);
    expect(out.some((d) => d.startsWith('m.yaml:7:'))).toBe(true);
    expect(out.some((d) => d.startsWith('m.yaml:8:'))).toBe(true);
    expect(out.some((d) => d.startsWith('m.yaml:9:'))).toBe(true);
    expect(out).toContain('m.yaml:10:33: error: `fr` is not one of the script\'s languages (en) [CS_LANGUAGE]');
    expect(out).toContain('m.yaml:11:23: error: give this text one voice: `voice:` or `language:`, not both [CS_VALUE]');
    expect(out.some((d) => d.startsWith('m.yaml:13:'))).toBe(true);
  });
});
