/**
 * The one Handlebars environment callscript templates run in: isolated from
 * the global `Handlebars` instance so nothing else can register helpers or
 * partials into it. Made the first time a template needs Handlebars' runtime:
 * most render without it (fast-render.ts), and compiling a script only parses
 * (parser.ts), so `validate` never loads it.
 */
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import { defaultTo, lower, scalarText, spell, upper } from './helpers.js';
import { handlebarsParser } from './parser.js';

/** The helper URL templates wrap values in; a name no script can write (`$` is not a path character). */
export const URL_ENCODE_HELPER = 'cs$urlencode';

export const COMPILE_OPTIONS: CompileOptions = {
  noEscape: true,
  knownHelpersOnly: true,
  knownHelpers: { spell: true, default: true, upper: true, lower: true, [URL_ENCODE_HELPER]: true, log: false, lookup: false },
  strict: false,
};

export const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
};

/**
 * Names a bare `{{name}}` calls as a helper in the environment: Handlebars'
 * built-ins (`log` and `lookup` removed but still known, as false), ours and
 * the URL encoder. Written out so it is known without loading Handlebars;
 * test/template/fast-render.test.ts checks it against the environment.
 */
export const HELPER_CALL_NAMES: ReadonlySet<string> = new Set([
  'blockHelperMissing',
  'each',
  'helperMissing',
  'if',
  'unless',
  'with',
  ...Object.keys(COMPILE_OPTIONS.knownHelpers ?? {}),
]);

let environment: typeof Handlebars | undefined;

export function handlebarsEnvironment(): typeof Handlebars {
  if (environment !== undefined) return environment;
  // The environment's parser is the shared one: set up first, so its errors carry their position.
  handlebarsParser();
  // Synchronous, because a render is: Handlebars is CommonJS.
  const handlebars = (createRequire(import.meta.url)('handlebars') as typeof Handlebars).create();
  handlebars.registerHelper('spell', (value: unknown) => spell(value));
  handlebars.registerHelper('default', (value: unknown, fallback: unknown) => defaultTo(value, fallback));
  handlebars.registerHelper('upper', (value: unknown) => upper(value));
  handlebars.registerHelper('lower', (value: unknown) => lower(value));
  // Wrapped around every `{{x}}` of a URL template (see url-encode.ts); not offered to scripts by name.
  handlebars.registerHelper(URL_ENCODE_HELPER, (value: unknown) => encodeURIComponent(scalarText(value)));
  // Not part of the template language we document; removing them also keeps
  // `lookup` from becoming a way around the property-access rules.
  handlebars.unregisterHelper('log');
  handlebars.unregisterHelper('lookup');
  environment = handlebars;
  return handlebars;
}
