/**
 * Provider capability checks at load: each rule against a made-up provider
 * that lacks everything, and Hoiio's own table (its 1000-character limit
 * counts its markup; it has no pauses).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ProviderCapabilities } from '../../src/engine/capabilities.js';
import { HOIIO_CAPABILITIES } from '../../src/provider/hoiio/capabilities.js';
import { PROVIDER_NAMES, UnknownProviderError, capabilitiesOf } from '../../src/provider/registry.js';
import { compile } from '../../src/script/compile.js';
import type { Diagnostic } from '../../src/script/diagnostic.js';
import { yaml } from './helpers.js';

/** A provider with none of the optional features, one gender, two languages and small limits. */
const TINY: ProviderCapabilities = {
  name: 'tiny',
  delivery: 'reply',
  maxMessageLength: 40,
  maxTagLength: 10,
  maxDigits: 4,
  record: false,
  monitor: false,
  pause: false,
  audio: false,
  forcedHangup: false,
  gatherAttempts: 'emulated',
  genders: ['female'],
  languages: ['en-US', 'zh-HK'],
};

/** Every diagnostic of compiling `source` for `provider` (null: for no provider). */
function diagnostics(source: string, provider: ProviderCapabilities | null = TINY): Diagnostic[] {
  const result = compile(source, { file: 'test.yaml', ...(provider !== null ? { provider } : {}) });
  return result.ok ? result.warnings : result.diagnostics;
}

function only(source: string, code: string, provider: ProviderCapabilities = TINY): Diagnostic {
  const all = diagnostics(source, provider);
  const matching = all.filter((d) => d.code === code);
  expect(matching, JSON.stringify(all, null, 2)).toHaveLength(1);
  return matching[0] as Diagnostic;
}

describe('capability checks against a provider lacking features', () => {
  test('a record step', () => {
    const d = only(yaml('steps:', '  vm:', '    record: Leave a message.', '    next: bye', '  bye: { hangup: Bye. }'), 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ severity: 'error', file: 'test.yaml', line: 3, column: 5, path: 'steps.vm.record' });
    expect(d.message).toBe(
      'step `vm` records the caller, but the `tiny` provider cannot record: take messages another way (e.g. a transfer to a voicemail number) or run this script on a provider that records',
    );
  });

  test('a monitor step', () => {
    const d = only(yaml('steps:', '  watch:', '    monitor: {}', '    next: bye', '  bye: { hangup: Bye. }'), 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ line: 3, column: 5, path: 'steps.watch.monitor' });
    expect(d.message).toContain('the `tiny` provider cannot record a call in the background');
    expect(d.message).toContain('remove the monitor step');
  });

  test('a pause part, on its `pause` key', () => {
    const d = only(yaml('steps:', '  hi:', '    hangup: { parts: [Hello., { pause: 2 }, Bye.] }'), 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ line: 3, column: 33, path: 'steps.hi.hangup.parts[1].pause' });
    expect(d.message).toContain('a pause of 2s, but the `tiny` provider cannot pause inside a message: remove `{ pause: 2 }`');
  });

  test('recorded audio as a message, on its `url` key', () => {
    const d = only(yaml('steps:', '  hi:', '    hangup: { url: "https://example.com/bye.mp3" }'), 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ line: 3, column: 15, path: 'steps.hi.hangup.url' });
    expect(d.message).toBe('recorded audio (`{ url }`), but the `tiny` provider cannot play audio files: say the words as text instead');
  });

  test('recorded audio inside parts, per language and in a prompt list', () => {
    const source = yaml(
      'languages: { en: {}, zh: {} }',
      'steps:',
      '  menu:',
      '    gather:',
      '      - Press 1.',
      '      - { en: { parts: [Again., { url: "https://example.com/en.mp3" }] }, zh: 再按一 }',
      '    branches: { "1": bye }',
      '  bye: { hangup: Bye. }',
    );
    const d = only(source, 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ line: 6, column: 35, path: 'steps.menu.gather[1].en.parts[1].url' });
  });

  test('audio written as Hoiio inline markup', () => {
    const d = only(yaml('steps:', '  hi:', '    hangup: "Bye. <url>https://example.com/bye.mp3</url>"'), 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ line: 3, column: 13, path: 'steps.hi.hangup' });
    expect(d.message).toContain('inline `<url>` markup');
  });

  test('gather max_digits over the limit, on a step and in defaults', () => {
    const source = yaml(
      'defaults: { gather: { max_digits: 6 } }',
      'steps:',
      '  pin:',
      '    gather: { prompt: Enter your PIN., max_digits: 8 }',
      '    next: bye',
      '  bye: { hangup: Bye. }',
    );
    const found = diagnostics(source).filter((d) => d.code === 'CS_PROVIDER_LIMIT');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({ severity: 'error', line: 1, column: 35, path: 'defaults.gather.max_digits' });
    expect(found[0]?.message).toBe('gathers collect up to 6 keys by default; the `tiny` provider collects at most 4: lower `max_digits` to 4 or less');
    expect(found[1]).toMatchObject({ line: 4, column: 52, path: 'steps.pin.gather.max_digits' });
    expect(found[1]?.message).toBe('gather `pin` collects up to 8 keys; the `tiny` provider collects at most 4: lower `max_digits` to 4 or less');
  });

  test('a constant message over the limit; a template is left to the run time', () => {
    const long = 'x'.repeat(41);
    const d = only(yaml('vars: { name: Bob }', 'steps:', '  bye:', `    hangup: ${long}`), 'CS_MESSAGE_TOO_LONG');
    expect(d).toMatchObject({ severity: 'error', line: 4, column: 13, path: 'steps.bye.hangup' });
    expect(d.message).toBe('message is 41 characters; the `tiny` provider allows at most 40: shorten it or split it over steps');
    expect(diagnostics(yaml('vars: { name: Bob }', 'steps:', '  bye:', `    hangup: "${long} {{name}}"`))).toEqual([]);
    expect(diagnostics(yaml('steps:', '  bye:', `    hangup: ${'x'.repeat(40)}`))).toEqual([]);
  });

  test('a parts message is measured whole', () => {
    const d = only(yaml('steps:', '  bye:', `    hangup: { parts: [${'a'.repeat(20)}, ${'b'.repeat(21)}] }`), 'CS_MESSAGE_TOO_LONG');
    expect(d).toMatchObject({ line: 3, column: 22, path: 'steps.bye.hangup.parts' });
    expect(d.message).toContain('message is 41 characters');
  });

  test('a constant tag over the limit', () => {
    const d = only(yaml('steps:', '  bye:', '    hangup: { message: Bye., tag: abcdefghijk }'), 'CS_MESSAGE_TOO_LONG');
    expect(d).toMatchObject({ line: 3, column: 35, path: 'steps.bye.hangup.tag' });
    expect(d.message).toBe('tag is 11 characters; the `tiny` provider allows at most 10: shorten it');
  });

  test('a voice gender the provider lacks, wherever a voice is written', () => {
    const source = yaml(
      'voice: { gender: male }',
      'languages:',
      '  en: { voice: { language: en-US, gender: male } }',
      'steps:',
      '  hi:',
      '    hangup: { parts: [{ say: Bye., voice: { gender: male } }] }',
      '    voice: { gender: male }',
    );
    const found = diagnostics(source).filter((d) => d.code === 'CS_PROVIDER_UNSUPPORTED');
    expect(found.map((d) => [d.line, d.column, d.path])).toEqual([
      [1, 18, 'voice.gender'],
      [3, 43, 'languages.en.voice.gender'],
      [6, 53, 'steps.hi.hangup.parts[0].voice.gender'],
      [7, 22, 'steps.hi.voice.gender'],
    ]);
    expect(found[0]?.message).toBe('voice gender `male` is not available on the `tiny` provider (it has `female`): use gender: female or leave `gender` out');
  });

  test('a gender on a provider that cannot choose one is a warning', () => {
    const d = only(yaml('voice: { gender: male }', 'steps:', '  bye: { hangup: Bye. }'), 'CS_PROVIDER_UNSUPPORTED', { ...TINY, genders: [] });
    expect(d).toMatchObject({ severity: 'warning', line: 1, column: 18 });
    expect(d.message).toContain('is ignored by the `tiny` provider');
  });

  test('a voice language the provider lacks; tags match whatever their case', () => {
    const d = only(yaml('voice: { language: fr-FR }', 'steps:', '  bye: { hangup: Bye., voice: { language: en-us } }'), 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ severity: 'error', line: 1, column: 20, path: 'voice.language' });
    expect(d.message).toBe("voice language `fr-FR` is not one of the `tiny` provider's languages (en-US, zh-HK): use one of those");
  });

  test('a voice in inline <speech> markup', () => {
    const d = only(yaml('steps:', '  bye:', '    hangup: \'<speech language="ms" gender="female">Selamat tinggal</speech>\''), 'CS_PROVIDER_UNSUPPORTED');
    expect(d).toMatchObject({ line: 3, column: 13, path: 'steps.bye.hangup' });
    expect(d.message).toContain('inline `<speech>` voice language `ms`');
  });

  test('without a provider, nothing provider-specific is checked', () => {
    const source = yaml(
      'steps:',
      '  vm: { record: Leave a message., next: pin }',
      '  pin: { gather: { prompt: PIN, max_digits: 200 }, next: bye, voice: { language: fr-FR, gender: male } }',
      `  bye: { hangup: { message: { parts: [{ say: ${'x'.repeat(900)} }, { pause: 1 }, { url: "https://example.com/a.mp3" }] }, tag: ${'t'.repeat(300)} } }`,
    );
    expect(diagnostics(source, null)).toEqual([]);
    expect(new Set(diagnostics(source).map((d) => d.code))).toEqual(new Set(['CS_PROVIDER_UNSUPPORTED', 'CS_PROVIDER_LIMIT', 'CS_MESSAGE_TOO_LONG']));
  });
});

describe("Hoiio's table", () => {
  test('a constant message of 1001 characters is refused with its position; 1000 pass', () => {
    const d = only(yaml('steps:', '  bye:', `    hangup: ${'a'.repeat(1001)}`), 'CS_MESSAGE_TOO_LONG', HOIIO_CAPABILITIES);
    expect(d).toMatchObject({ severity: 'error', file: 'test.yaml', line: 3, column: 13, path: 'steps.bye.hangup' });
    expect(d.message).toBe('message is 1001 characters as the provider counts them; the `hoiio` provider allows at most 1000: shorten it or split it over steps');
    expect(diagnostics(yaml('steps:', '  bye:', `    hangup: ${'a'.repeat(1000)}`), HOIIO_CAPABILITIES)).toEqual([]);
  });

  test('its `<speech>` markup counts: 990 characters in a voice are too many', () => {
    const source = yaml('voice: { language: en-US, gender: female }', 'steps:', '  bye:', `    hangup: ${'a'.repeat(990)}`);
    const d = only(source, 'CS_MESSAGE_TOO_LONG', HOIIO_CAPABILITIES);
    // `<speech language="en-US" gender="female">` + `</speech>` is 50 characters.
    expect(d.message).toContain('message is 1040 characters');
  });

  test('a message whose voice depends on the language is measured in the shortest', () => {
    const source = yaml(
      'languages: { en: { voice: { language: en-US } }, zh: {} }',
      'steps:',
      '  bye:',
      `    hangup: ${'a'.repeat(990)}`,
    );
    expect(diagnostics(source, HOIIO_CAPABILITIES)).toEqual([]);
  });

  test('a constant tag of 257 characters', () => {
    const d = only(yaml('steps:', '  bye:', `    hangup: { message: Bye., tag: ${'t'.repeat(257)} }`), 'CS_MESSAGE_TOO_LONG', HOIIO_CAPABILITIES);
    expect(d).toMatchObject({ line: 3, column: 35, path: 'steps.bye.hangup.tag' });
    expect(d.message).toContain('256');
  });

  test('pauses are refused, record and monitor are fine', () => {
    const source = yaml(
      'steps:',
      '  vm: { record: Leave a message., next: watch }',
      '  watch: { monitor: {}, next: bye }',
      '  bye: { hangup: { parts: [Bye., { pause: 1 }] } }',
    );
    const d = only(source, 'CS_PROVIDER_UNSUPPORTED', HOIIO_CAPABILITIES);
    expect(d).toMatchObject({ line: 4, column: 36, path: 'steps.bye.hangup.parts[1].pause' });
    expect(d.message).toContain('the `hoiio` provider cannot pause inside a message');
  });

  const EXAMPLES = 'examples';
  const files = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f));
  test.each(files)('the bundled example %s passes', (name) => {
    const file = join(EXAMPLES, name);
    expect(diagnostics(readFileSync(file, 'utf8'), HOIIO_CAPABILITIES)).toEqual([]);
  });
});

describe('the registry', () => {
  test('knows hoiio', () => {
    expect(PROVIDER_NAMES).toContain('hoiio');
    expect(capabilitiesOf('hoiio')).toBe(HOIIO_CAPABILITIES);
  });

  test('an unknown name is a typed error listing the known ones', () => {
    expect(() => capabilitiesOf('nosuch')).toThrow(UnknownProviderError);
    try {
      capabilitiesOf('nosuch');
    } catch (err) {
      expect(err).toMatchObject({ code: 'CS_UNKNOWN_PROVIDER', provider: 'nosuch' });
      expect((err as Error).message).toBe('unknown provider "nosuch": the known providers are hoiio, twilio, telnyx, signalwire, jambonz');
    }
  });
});
