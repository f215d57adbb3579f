/**
 * Checks of the scripting features the schema cannot express: languages of
 * messages, escalating prompts, global keys, switch conditions, http requests,
 * opening hours and call summaries. Like the other semantic checks they read
 * the raw data defensively and report everything in one pass, positioned.
 */
import { isHttpUrl } from '../util/http-url.js';
import { parseCondition, type ConditionProblem, type ConditionRef } from './condition-spec.js';
import { parseHours } from './hours-spec.js';
import { parseJsonPath } from './json-path.js';
import { declaredLanguages, isLanguageMap, messageFields } from './messages.js';
import { toPointer, type DataPath } from './paths.js';
import { isRecord, kindsOf, own, ownRecord, type RawRecord } from './raw.js';
import type { Reporter } from './report.js';
import { stepsOf } from './semantic-checks.js';
import { schema, type SchemaNode } from './schema.js';
import { didYouMean, suggest } from './suggest.js';
import { unknownVarMessage } from './template-checks.js';

function report(reporter: Reporter, problems: readonly ConditionProblem[]): void {
  for (const p of problems) reporter.at(toPointer(p.path), p.on, p.code, p.message);
}

/** The keys of a kind's block mapping (`message`, `tag`…), as the schema lists them. */
function blockKeys(kind: string): string[] {
  const block = schema.definitions[`${kind}Block`] as (SchemaNode & { readonly else?: SchemaNode }) | undefined;
  return Object.keys(block?.else?.properties ?? block?.properties ?? {});
}

/** `` `en`, `zh` `` */
function quoted(keys: readonly string[]): string {
  return keys.map((k) => `\`${k}\``).join(', ');
}

/**
 * A mapping in a message position whose keys all look like language codes is
 * read as one text per language. In a script without `languages:` that reading
 * cannot be right, and neither can the block reading (block keys are never
 * language-shaped), so it is refused with both fixes, never guessed.
 */
function noLanguagesMessage(keys: readonly string[], shorthandOf: string | undefined): string {
  const declare = `declare \`languages: { ${keys.map((k) => `${k}: {}`).join(', ')} }\` at the top of the script`;
  const reading = `one text per language (${quoted(keys)}), since every key looks like a language code, but the script declares no \`languages\``;
  if (shorthandOf === undefined) return `this message is read as ${reading}: ${declare}, or give one text`;
  const own = blockKeys(shorthandOf);
  const meant = keys.map((k) => suggest(k, own)).find((k) => k !== undefined);
  return meant !== undefined
    ? `\`${shorthandOf}\` is read as a message with ${reading}: did you mean \`${meant}\` (a ${shorthandOf} block's keys are ${own.join(', ')})? If these are languages, ${declare}`
    : `\`${shorthandOf}\` is read as a message with ${reading}: ${declare}, or write the block with its own keys (${own.join(', ')})`;
}

function checkLanguages(data: RawRecord, reporter: Reporter): void {
  const declared = declaredLanguages(data);
  if (own(data, 'language') !== undefined && declared.length === 0) {
    reporter.at('/language', 'key', 'CS_LANGUAGE', '`language` picks one of the script\'s `languages`, but it declares none: add `languages: { en: {}, … }`');
  }
  const checkMap = (path: DataPath, value: RawRecord, shorthandOf: string | undefined): void => {
    const keys = Object.keys(value);
    if (keys.includes('url')) {
      reporter.at(toPointer([...path, 'url']), 'key', 'CS_VALUE', 'a message is either audio (`url:` alone) or one text per language, not both');
      return;
    }
    if (declared.length === 0) {
      reporter.at(toPointer(path), 'value', 'CS_LANGUAGE', noLanguagesMessage(keys, shorthandOf));
      return;
    }
    for (const key of keys) {
      if (declared.includes(key)) continue;
      const meant = shorthandOf !== undefined ? suggest(key, blockKeys(shorthandOf)) : undefined;
      reporter.at(
        toPointer([...path, key]),
        'key',
        'CS_LANGUAGE',
        meant !== undefined
          ? `\`${key}\` is not one of the script's languages (${declared.join(', ')}) nor a key of a ${shorthandOf ?? ''} block; did you mean \`${meant}\`?`
          : `\`${key}\` is not one of the script's languages (${declared.join(', ')})${didYouMean(key, declared)}`,
      );
    }
    const missing = declared.filter((lang) => !keys.includes(lang));
    if (missing.length > 0) {
      reporter.at(toPointer(path), 'value', 'CS_LANGUAGE', `this message has no text for ${missing.map((m) => `\`${m}\``).join(', ')}: every message with languages gives all of ${declared.join(', ')}`);
    }
  };
  for (const field of messageFields(data)) {
    if (Array.isArray(field.value)) {
      field.value.forEach((v: unknown, i) => {
        if (isLanguageMap(v)) checkMap([...field.path, i], v, undefined);
      });
    } else if (isLanguageMap(field.value)) {
      checkMap(field.path, field.value, field.shorthandOf);
    }
  }
}

function checkEvents(data: RawRecord, reporter: Reporter): void {
  if (own(data, 'events_url') !== undefined && own(data, 'events') !== undefined) {
    reporter.at('/events', 'key', 'CS_VALUE', 'give call summaries one way: `events_url: URL` or `events: { url, secret_env }`, not both');
  }
}

function checkGather(id: string, step: RawRecord, reporter: Reporter): void {
  const gather = own(step, 'gather');
  if (!isRecord(gather)) return;
  const prompt = own(gather, 'prompt');
  if (Array.isArray(prompt) && own(gather, 'attempts') !== undefined) {
    reporter.at(
      toPointer(['steps', id, 'gather', 'attempts']),
      'key',
      'CS_PROMPT_ATTEMPTS',
      `gather \`${id}\` has one prompt per attempt (${prompt.length}), so it cannot also set \`attempts\`: remove it, or give a single prompt`,
    );
  }
}

function checkConditions(id: string, step: RawRecord, reporter: Reporter, known: ReadonlySet<string>, callFields: readonly string[]): void {
  const cases = own(step, 'switch');
  if (!Array.isArray(cases)) return;
  const problems: ConditionProblem[] = [];
  const refs: ConditionRef[] = [];
  cases.forEach((c: unknown, i) => {
    if (isRecord(c)) parseCondition(own(c, 'if'), ['steps', id, 'switch', i, 'if'], problems, refs);
  });
  report(reporter, problems);
  for (const ref of refs) {
    const message = unknownVarMessage(ref.ref, known, callFields);
    if (message !== undefined) reporter.at(toPointer(ref.path), 'value', 'CS_TEMPLATE_UNKNOWN_VAR', message.replace(/`\{\{([^}]*)\}\}`/, '`$1`'));
  }
}

function checkHttp(id: string, step: RawRecord, reporter: Reporter): void {
  const http = own(step, 'http');
  if (!isRecord(http)) return;
  const at = (...rest: Array<string | number>): string => toPointer(['steps', id, 'http', ...rest]);
  const hasJson = own(http, 'json') !== undefined;
  const hasForm = own(http, 'form') !== undefined;
  if (hasJson && hasForm) reporter.at(at('form'), 'key', 'CS_HTTP', 'a request has one body: `json` or `form`, not both');
  const method = own(http, 'method');
  if (method === 'GET' && (hasJson || hasForm)) reporter.at(at('method'), 'value', 'CS_HTTP', 'a GET request has no body: use POST (the default with a body), or drop the body');
  const url = own(http, 'url');
  if (typeof url === 'string') {
    if (!url.includes('{{')) {
      if (!isHttpUrl(url)) reporter.at(at('url'), 'value', 'CS_HTTP', `expected an absolute http or https URL, got ${JSON.stringify(url)}`);
    } else if (/^\s*\{\{(?!\{)/.test(url)) {
      reporter.at(
        at('url'),
        'value',
        'CS_HTTP',
        'the URL starts with {{…}}, whose value is percent-encoded (its "://" and "/" too): write the base URL as {{{…}}} to insert it as it is',
      );
    } else if (!/^\s*(?:https?:\/\/|\{\{\{)/i.test(url)) {
      reporter.at(at('url'), 'value', 'CS_HTTP', 'the URL must start with http:// or https:// (or a {{{base_url}}} var)');
    }
  }
  const save = ownRecord(http, 'save');
  if (save) {
    for (const [name, path] of Object.entries(save)) {
      if (typeof path === 'string' && parseJsonPath(path) === undefined) {
        reporter.at(at('save', name), 'value', 'CS_HTTP', `${JSON.stringify(path)} is not a path into the JSON answer: keys joined by dots, list items as [n] (like customer.tier or items[0].id)`);
      }
    }
  }
}

function checkHoursStep(id: string, step: RawRecord, reporter: Reporter): void {
  const block = own(step, 'hours');
  if (!isRecord(block)) return;
  report(reporter, parseHours(block, ['steps', id, 'hours']).problems);
}

export function checkFeatures(data: unknown, reporter: Reporter, known: ReadonlySet<string>, callFields: readonly string[]): void {
  if (!isRecord(data)) return;
  checkLanguages(data, reporter);
  checkEvents(data, reporter);
  for (const [id, step] of Object.entries(stepsOf(data))) {
    if (!isRecord(step)) continue;
    const kinds = kindsOf(step);
    if (kinds.length !== 1) continue;
    switch (kinds[0]) {
      case 'gather':
        checkGather(id, step, reporter);
        break;
      case 'switch':
        checkConditions(id, step, reporter, known, callFields);
        break;
      case 'http':
        checkHttp(id, step, reporter);
        break;
      case 'hours':
        checkHoursStep(id, step, reporter);
        break;
      default:
        break;
    }
  }
}
