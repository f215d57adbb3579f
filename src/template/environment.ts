/**
 * The one Handlebars environment callscript templates run in: isolated from
 * the global `Handlebars` instance so nothing else can register helpers or
 * partials into it.
 */
import Handlebars from 'handlebars';
import { defaultTo, lower, scalarText, spell, upper } from './helpers.js';

/** The helper URL templates wrap values in; a name no script can write (`$` is not a path character). */
export const URL_ENCODE_HELPER = 'cs$urlencode';

export const handlebars: typeof Handlebars = Handlebars.create();

handlebars.registerHelper('spell', (value: unknown) => spell(value));
handlebars.registerHelper('default', (value: unknown, fallback: unknown) => defaultTo(value, fallback));
handlebars.registerHelper('upper', (value: unknown) => upper(value));
handlebars.registerHelper('lower', (value: unknown) => lower(value));
// Wrapped around every `{{x}}` of a URL template (see url-template.ts); not offered to scripts by name.
handlebars.registerHelper(URL_ENCODE_HELPER, (value: unknown) => encodeURIComponent(scalarText(value)));
// Not part of the template language we document; removing them also keeps
// `lookup` from becoming a way around the property-access rules.
handlebars.unregisterHelper('log');
handlebars.unregisterHelper('lookup');

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

export interface ParserErrorHash {
  readonly token?: string | null;
  readonly text?: string;
  readonly line?: number;
  readonly loc?: { readonly first_line: number; readonly first_column: number };
  readonly expected?: readonly string[];
}

/** A jison parse error carrying the location hash that Handlebars' parser normally discards. */
export class HandlebarsParseError extends Error {
  constructor(
    message: string,
    readonly hash: ParserErrorHash,
  ) {
    super(message);
    this.name = 'HandlebarsParseError';
  }
}

interface JisonParser {
  parseError: (message: string, hash: ParserErrorHash) => never;
}

function hasParser(value: object): value is { Parser: JisonParser } {
  return 'Parser' in value && typeof value.Parser === 'object' && value.Parser !== null;
}

// Handlebars' generated parser throws a bare Error with the position only in
// a prose message; newer jison keeps the hash on the error. Same message and
// Error type as before, so other users of the (shared) parser see no change.
if (hasParser(handlebars)) {
  handlebars.Parser.parseError = (message: string, hash: ParserErrorHash): never => {
    throw new HandlebarsParseError(message, hash);
  };
}
