/**
 * Turns template text into a `Template`. Parsing and checks happen here, once;
 * Handlebars' own code generation is deferred by Handlebars to the first render
 * (and cached), because doing it eagerly costs ~0.3 ms per template and would
 * dominate loading large scripts. Every error that code generation could raise
 * (unknown helpers, partials, decorators) is rejected here by the analyzer.
 */
import type { Template, TemplateContext } from './template.js';
import { analyzeTemplate, type TemplateReference } from './analyze.js';
import { COMPILE_OPTIONS, HELPER_CALL_NAMES, RUNTIME_OPTIONS, handlebarsEnvironment } from './environment.js';
import { HandlebarsParseError, parseTemplate, type ParserErrorHash } from './parser.js';
import { readSimpleTemplate } from './simple-template.js';
import { encodeMustaches } from './url-encode.js';
import { TemplateSyntaxError } from './errors.js';
import { fastRenderer, partsRenderer, type FastRenderer } from './fast-render.js';

export class CompiledTemplate implements Template {
  readonly refs: readonly string[];

  constructor(
    readonly source: string,
    /** Every top-level variable read, with its full dotted path and position (for static checks). */
    readonly references: readonly TemplateReference[],
    private readonly renderer: ((context: TemplateContext) => string) | undefined,
    /** Renders plain-path templates without Handlebars' runtime; `undefined` → Handlebars. */
    private readonly fast?: FastRenderer,
  ) {
    this.refs = [...new Set(references.map((r) => r.path[0] ?? ''))].filter((name) => name !== '');
  }

  /** No mustaches: rendering is returning the text. */
  get constant(): boolean {
    return this.renderer === undefined;
  }

  render(context: TemplateContext): string {
    if (this.renderer === undefined) return this.source;
    return this.fast?.(context) ?? this.renderer(context);
  }
}

const TOKEN_NAMES: Readonly<Record<string, string>> = {
  EOF: 'end of text',
  INVALID: 'character',
  OPEN: '"{{"',
  CLOSE: '"}}"',
  OPEN_ENDBLOCK: '"{{/"',
  OPEN_BLOCK: '"{{#"',
  OPEN_INVERSE: '"{{^"',
  INVERSE: '"{{else}}"',
  OPEN_UNESCAPED: '"{{{"',
  CLOSE_UNESCAPED: '"}}}"',
  OPEN_SEXPR: '"("',
  CLOSE_SEXPR: '")"',
  ID: 'a name',
  SEP: '"." or "/"',
  EQUALS: '"="',
  CONTENT: 'text',
};

function tokenName(token: string | null | undefined, text: string | undefined): string {
  if (token && Object.hasOwn(TOKEN_NAMES, token)) {
    const known = TOKEN_NAMES[token] ?? token;
    return token === 'INVALID' && text ? `${known} "${text}"` : known;
  }
  return text ? `"${text}"` : (token ?? 'input');
}

function parseErrorMessage(hash: ParserErrorHash): string {
  const got = tokenName(hash.token, hash.text);
  if (hash.token === 'EOF') return `template syntax error: unexpected ${got} (a "}}" or a closing {{/…}} is missing)`;
  if (hash.token === null || hash.token === undefined) return 'template syntax error: unrecognized text';
  if (hash.token === 'INVALID') return `template syntax error: unexpected ${got} (is a "}}" missing?)`;
  return `template syntax error: unexpected ${got}`;
}

function toSyntaxError(err: unknown): TemplateSyntaxError {
  if (err instanceof HandlebarsParseError) {
    const { hash } = err;
    if (hash.loc) return new TemplateSyntaxError(parseErrorMessage(hash), hash.loc.first_line, hash.loc.first_column + 1);
    return new TemplateSyntaxError(parseErrorMessage(hash), (hash.line ?? 0) + 1, 1);
  }
  if (err instanceof Error) {
    // Handlebars.Exception (e.g. "if doesn't match each - 1:5") carries the node's position.
    const located = err as Error & { lineNumber?: unknown; column?: unknown };
    const line = typeof located.lineNumber === 'number' ? located.lineNumber : 1;
    const column = typeof located.column === 'number' ? located.column + 1 : 1;
    const message = err.message.replace(/ - \d+:\d+$/, '');
    return new TemplateSyntaxError(`template syntax error: ${message}`, line, column);
  }
  return new TemplateSyntaxError(`template syntax error: ${String(err)}`, 1, 1);
}

/**
 * Compiled templates are immutable and render purely, so one per distinct text
 * can be shared by every script and every reload: recompiling an edited script
 * (the dev server does on each save) only parses the templates that changed,
 * and Handlebars' lazy code generation happens once per text per process.
 * Bounded so a long-lived process editing scripts cannot grow it without end.
 */
const CACHE_LIMIT = 10_000;
const cache = new Map<string, CompiledTemplate>();

/**
 * Compiles a callscript message template.
 * @throws TemplateSyntaxError on bad syntax, UnknownHelperError (a subclass) on an unknown helper.
 */
export function compileTemplate(source: string): CompiledTemplate {
  if (!source.includes('{{')) return new CompiledTemplate(source, [], undefined);
  const cached = cache.get(source);
  if (cached) return cached;
  const template = compileDynamic(source);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, template);
  return template;
}

/**
 * Handlebars' renderer for a program, made at its first render: values the fast
 * renderer leaves to Handlebars (numbers, lists, prototype members) are rare, so
 * most templates never load Handlebars' runtime at all.
 */
function handlebarsRenderer(program: () => hbs.AST.Program): (context: TemplateContext) => string {
  let delegate: HandlebarsTemplateDelegate<TemplateContext> | undefined;
  return (context) => {
    delegate ??= handlebarsEnvironment().compile<TemplateContext>(program(), COMPILE_OPTIONS);
    return delegate(context, RUNTIME_OPTIONS);
  };
}

function compileDynamic(source: string, rewrite?: (ast: hbs.AST.Program) => hbs.AST.Program): CompiledTemplate {
  // Text, plain paths and our helpers' calls (most messages and URLs): no parser needed; the AST is made if Handlebars ever renders it.
  const simple = readSimpleTemplate(source, HELPER_CALL_NAMES);
  if (simple !== undefined) {
    const program = (): hbs.AST.Program => (rewrite !== undefined ? rewrite(parseTemplate(source)) : parseTemplate(source));
    // A URL's `{{x}}` is encoded by a helper the rewrite adds: Handlebars renders those.
    const fast = rewrite === undefined && simple.parts !== undefined ? partsRenderer(simple.parts) : undefined;
    return new CompiledTemplate(source, simple.references, handlebarsRenderer(program), fast);
  }
  let ast: hbs.AST.Program;
  try {
    ast = parseTemplate(source);
  } catch (err) {
    throw toSyntaxError(err);
  }
  const references = analyzeTemplate(ast);
  const program = rewrite !== undefined ? rewrite(ast) : ast;
  return new CompiledTemplate(source, references, handlebarsRenderer(() => program), fastRenderer(program, HELPER_CALL_NAMES));
}

const urlCache = new Map<string, CompiledTemplate>();

/**
 * Compiles a URL template (an `http` step's `url`): every `{{x}}` is inserted
 * percent-encoded (`encodeURIComponent`), so a caller's number or digits cannot
 * change the URL's shape; `{{{x}}}` inserts the value as it is (for a base URL
 * held in a var). Same checks and errors as `compileTemplate`.
 */
export function compileUrlTemplate(source: string): CompiledTemplate {
  if (!source.includes('{{')) return new CompiledTemplate(source, [], undefined);
  const cached = urlCache.get(source);
  if (cached) return cached;
  const template = compileDynamic(source, encodeMustaches);
  if (urlCache.size >= CACHE_LIMIT) urlCache.clear();
  urlCache.set(source, template);
  return template;
}
