/**
 * Handlebars' parser alone, without its compiler, runtime and source maps:
 * loading a script parses templates (for their syntax and the names they read)
 * but compiles none, so `validate` never loads the rest of Handlebars. The
 * parser is the one every Handlebars environment shares (environment.ts).
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
interface ParserModule {
  readonly parse: (source: string) => hbs.AST.Program;
  readonly parser: JisonParser;
}

const base = createRequire(import.meta.url)('handlebars/dist/cjs/handlebars/compiler/base.js') as ParserModule;

// Handlebars' generated parser throws a bare Error with the position only in
// a prose message; newer jison keeps the hash on the error. Same message and
// Error type as before, so other users of the (shared) parser see no change.
base.parser.parseError = (message: string, hash: ParserErrorHash): never => {
  throw new HandlebarsParseError(message, hash);
};

/** The template's AST, whitespace control applied, as `Handlebars.parse` gives it. Throws HandlebarsParseError. */
export function parseTemplate(source: string): hbs.AST.Program {
  return base.parse(source);
}
