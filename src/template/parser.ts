/**
 * Handlebars' parser alone, without its compiler, runtime and source maps,
 * loaded the first time a template needs it: loading a script parses the
 * templates that are more than text and names (simple-template.ts reads the
 * others) but compiles none, so `validate` never loads the rest of
 * Handlebars. The parser is the one every Handlebars environment shares
 * (environment.ts).
 */
import { createRequire } from 'node:module';

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

/** handlebars/dist/cjs/handlebars/compiler/base.js: what `Handlebars.parse` is. */
export interface ParserModule {
  readonly parse: (source: string) => hbs.AST.Program;
  readonly parser: JisonParser;
}

let base: ParserModule | undefined;

/** The shared parser, loaded (synchronously: Handlebars is CommonJS) and set up on first use. */
export function handlebarsParser(): ParserModule {
  if (base !== undefined) return base;
  base = createRequire(import.meta.url)('handlebars/dist/cjs/handlebars/compiler/base.js') as ParserModule;
  // Handlebars' generated parser throws a bare Error with the position only in
  // a prose message; newer jison keeps the hash on the error. Same message and
  // Error type as before, so other users of the (shared) parser see no change.
  base.parser.parseError = (message: string, hash: ParserErrorHash): never => {
    throw new HandlebarsParseError(message, hash);
  };
  return base;
}

/** The template's AST, whitespace control applied, as `Handlebars.parse` gives it. Throws HandlebarsParseError. */
export function parseTemplate(source: string): hbs.AST.Program {
  return handlebarsParser().parse(source);
}
