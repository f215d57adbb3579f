/**
 * Where a mapping may be a message. Only a block of a kind that may be written
 * as its message (play, gather, record, monitor, hangup) is told apart as a
 * message or a block, by the rule "all keys are language keys, or `url` /
 * `parts`"; every other mapping — `set`, `vars`, an http step's `save`,
 * `headers`, `json` and `form`, `branches` — is names to values whatever its
 * keys look like. The schema and the compiler must agree on both the places
 * and the rule, and a reading that cannot be right is refused with its fixes.
 */
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startInbound } from '../../src/engine/interpreter.js';
import { compile } from '../../src/script/compile.js';
import { STEP_KINDS } from '../../src/script/limits.js';
import { SHORTHAND_MESSAGE_KINDS, isMessageShape } from '../../src/script/messages.js';
import type { HttpStep, Script, SetStep } from '../../src/script/model.js';
import { schema, type SchemaNode } from '../../src/script/schema.js';
import { readable } from '../helpers/readable-blocks.js';
import { yaml } from './helpers.js';

const CALL = { id: 'c1', token: 't', session: 'S1', providerRef: 'T1', from: '+6591234567', to: '+6560000001' };

function mustCompile(source: string): Script {
  const result = compile(source, { file: 'positions.yaml' });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message} [${d.code}]`).join('\n'));
  return result.script;
}

/** What the caller hears from a script that sets values and hangs up saying them. */
function hangupText(script: Script): string {
  const t = startInbound(script, CALL, { now: 0 });
  const send = t.actions.find((a) => a.type === 'send');
  const block = send?.type === 'send' ? readable(send.block) : undefined;
  return block !== undefined && 'message' in block ? (block.message ?? '') : '';
}

describe('set assigns every name, however short', () => {
  it.each([
    ['who'],
    ['to'],
    ['ab'],
    ['zip'],
    ['url'],
    ['en'],
    ['zh'],
    ['pt'],
  ])('set: { %s: … } alone', (name) => {
    const script = mustCompile(yaml('numbers: ["+6560000001"]', 'steps:', '  first:', `    set: { ${name}: Ann }`, '    next: say', '  say:', `    hangup: "${name}=[{{${name}}}]"`));
    const first = script.steps.first as SetStep;
    expect(first.assign.map(([n]) => n)).toEqual([name]);
    expect(hangupText(script)).toBe(`${name}=[Ann]`);
  });

  it('several short names, language codes among them, each assigned in order', () => {
    const script = mustCompile(
      yaml(
        'steps:',
        '  first:',
        '    set: { to: x, ab: "{{to}}y", zip: "018956", url: "https://a/{{zip}}", en: Hello, zh: 你好 }',
        '    next: say',
        '  say:',
        '    hangup: "{{to}} {{ab}} {{zip}} {{url}} {{en}} {{zh}}"',
      ),
    );
    expect(hangupText(script)).toBe('x xy 018956 https://a/018956 Hello 你好');
  });
});

/** `#/definitions/playBlock` …: the block definition a step kind refers to. */
function blockDefinition(kind: string): SchemaNode & { readonly if?: unknown } {
  const ref = (schema.definitions.step?.properties?.[kind] as { $ref?: string } | undefined)?.$ref;
  const name = ref?.replace('#/definitions/', '') ?? '';
  const found = schema.definitions[name];
  if (found === undefined) throw new Error(`no block definition for ${kind}`);
  return found;
}

describe('the schema and the compiler agree on where a message may be a mapping', () => {
  it('only play, gather, record, monitor and hangup blocks start with `if: messageShape`', () => {
    for (const kind of STEP_KINDS) {
      const readsMessage = JSON.stringify(blockDefinition(kind).if ?? null).includes('"#/definitions/messageShape"');
      expect([kind, readsMessage]).toEqual([kind, SHORTHAND_MESSAGE_KINDS.has(kind)]);
    }
  });

  it('the schema\'s messageShape and isMessageShape accept the same mappings', () => {
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    ajv.addSchema(schema as object);
    const messageShape = ajv.getSchema(`${String((schema as { $id?: string }).$id)}#/definitions/messageShape`);
    if (messageShape === undefined) throw new Error('no messageShape');
    const key = fc.oneof(
      fc.constantFrom('url', 'parts', 'tag', 'message', 'prompt', 'en', 'zh', 'pt-BR', 'zh-Hant', 'who', 'to', 'zip', 'env', 'a', 'EN', 'x_y', 'abcd'),
      fc.stringMatching(/^[a-z]{1,4}(?:-[A-Za-z0-9]{1,9})?$/),
    );
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ maxLength: 3 }), { maxKeys: 4 }), (mapping) => {
        expect(isMessageShape(mapping)).toBe(messageShape(mapping));
      }),
      { numRuns: 500 },
    );
  });
});

/** Identifiers of two or three lower-case letters, and the real language codes and `url` among them. */
const shortName = fc.oneof(fc.stringMatching(/^[a-z]{2,3}$/), fc.constantFrom('url', 'en', 'zh', 'pt', 'to', 'who', 'zip', 'env'));
const names = fc.uniqueArray(shortName, { minLength: 1, maxLength: 5 });
const digitKeys = fc.uniqueArray(fc.stringMatching(/^[0-9*#]{1,3}$/), { minLength: 1, maxLength: 4 });

describe('mappings of names are never messages (property)', () => {
  it('set, vars, http save, headers, json and form bodies, branches and keys keep every short key', () => {
    fc.assert(
      fc.property(names, names, names, names, names, digitKeys, (setNames, varNames, saveNames, headerNames, bodyNames, branchKeys) => {
        const scriptData = {
          numbers: ['+6560000001'],
          vars: Object.fromEntries(varNames.map((n) => [n, `v-${n}`])),
          keys: Object.fromEntries(branchKeys.map((k) => [k, 'bye'])),
          steps: {
            first: { set: Object.fromEntries(setNames.map((n) => [n, `s-${n}`])), next: 'fetch' },
            fetch: {
              http: {
                url: 'https://crm.example.com/a',
                headers: Object.fromEntries(headerNames.map((n, i) => [n, i === 0 ? { env: 'TOKEN' } : `h-${n}`])),
                json: Object.fromEntries(bodyNames.map((n) => [n, { [n]: `j-${n}` }])),
                save: Object.fromEntries(saveNames.map((n) => [n, `${n}.x`])),
              },
              next: 'post',
            },
            post: { http: { url: 'https://crm.example.com/b', form: Object.fromEntries(bodyNames.map((n) => [n, `f-${n}`])) }, next: 'menu' },
            menu: { gather: 'Choose.', branches: Object.fromEntries(branchKeys.map((k) => [k, 'bye'])) },
            bye: { hangup: 'Bye.' },
          },
        };
        // JSON is YAML: the generated script is compiled as a file would be.
        const script = mustCompile(JSON.stringify(scriptData));
        expect(Object.keys(script.vars)).toEqual(varNames);
        const first = script.steps.first as SetStep;
        expect(first.assign.map(([n]) => n)).toEqual(setNames);
        const fetch = script.steps.fetch as HttpStep;
        expect(fetch.headers.map((h) => h.name)).toEqual(headerNames);
        expect(fetch.save.map((s) => s.name)).toEqual(saveNames);
        expect(fetch.body?.type === 'json' && fetch.body.value.t === 'object' ? fetch.body.value.entries.map(([k, v]) => [k, v.t]) : []).toEqual(
          bodyNames.map((n) => [n, 'object']),
        );
        const post = script.steps.post as HttpStep;
        expect(post.body?.type === 'form' ? post.body.fields.map(([k]) => k) : []).toEqual(bodyNames);
        const menu = script.steps.menu;
        // Integer-like keys ("1") come first in any JavaScript object: compare as sets.
        expect(menu?.kind === 'gather' ? Object.keys(menu.branches ?? {}).sort() : []).toEqual([...branchKeys].sort());
        // Run: the set step's values are what the call holds.
        const t = startInbound(script, CALL, { now: 0 });
        expect(t.state.vars).toEqual(Object.fromEntries(setNames.map((n) => [n, `s-${n}`])));
      }),
      { numRuns: 60 },
    );
  });
});

describe('a mapping in a message position that looks like languages, in a script without languages', () => {
  const diagnostics = (source: string): Array<[number, number, string, string]> => {
    const result = compile(source, { file: 'm.yaml' });
    return result.ok ? [] : result.diagnostics.map((d) => [d.line, d.column, d.code, d.message]);
  };

  it('is refused at its position, saying which reading it took and how to fix either', () => {
    expect(diagnostics(yaml('steps:', '  a:', '    play: { msg: Hi }', '    next: b', '  b:', '    hangup: { message: { en: Bye } }'))).toEqual([
      [
        3,
        11,
        'CS_LANGUAGE',
        '`play` is read as a message with one text per language (`msg`), since every key looks like a language code, but the script declares no `languages`: declare `languages: { msg: {} }` at the top of the script, or write the block with its own keys (message, tag)',
      ],
      [
        6,
        24,
        'CS_LANGUAGE',
        'this message is read as one text per language (`en`), since every key looks like a language code, but the script declares no `languages`: declare `languages: { en: {} }` at the top of the script, or give one text',
      ],
    ]);
  });

  it('names the block key a misspelt one was probably meant to be', () => {
    expect(diagnostics(yaml('steps:', '  a:', '    hangup: { tg: x }'))[0]?.[3]).toBe(
      '`hangup` is read as a message with one text per language (`tg`), since every key looks like a language code, but the script declares no `languages`: did you mean `tag` (a hangup block\'s keys are message, tag)? If these are languages, declare `languages: { tg: {} }` at the top of the script',
    );
    expect(diagnostics(yaml('languages: { en: {} }', 'steps:', '  a:', '    hangup: { tg: x }'))).toContainEqual([
      4,
      15,
      'CS_LANGUAGE',
      '`tg` is not one of the script\'s languages (en) nor a key of a hangup block; did you mean `tag`?',
    ]);
  });
});
