/**
 * Static analysis of a parsed template: which top-level names it reads, and
 * whether every helper call is one callscript provides (with the right shape).
 * Done on the AST because `knownHelpersOnly` alone would let `{{foo}}` through
 * as a variable and only fail `{{foo bar}}` lazily, at first render.
 */
import { TemplateSyntaxError, UnknownHelperError } from './errors.js';
import { CONTEXT_CHANGING_HELPERS, HELPER_NAMES, helperSpec } from './helpers.js';

/** A variable read at the template's top level, e.g. `call.from` → `["call", "from"]`. */
export interface TemplateReference {
  readonly path: readonly string[];
  /** 1-based, within the template. */
  readonly line: number;
  /** 1-based, within the template. */
  readonly column: number;
}

type Node = hbs.AST.Node;

function position(node: Node): { line: number; column: number } {
  const start = node.loc?.start;
  return start ? { line: start.line, column: start.column + 1 } : { line: 1, column: 1 };
}

function syntaxError(message: string, node: Node): TemplateSyntaxError {
  const { line, column } = position(node);
  return new TemplateSyntaxError(message, line, column);
}

function unknownHelper(name: string, node: Node): UnknownHelperError {
  const { line, column } = position(node);
  return new UnknownHelperError(
    name,
    `\`${name}\` is not a template helper; available: ${HELPER_NAMES.join(', ')}`,
    line,
    column,
  );
}

function isPath(node: Node): node is hbs.AST.PathExpression {
  return node.type === 'PathExpression';
}

/** A bare name like `spell` (not `this.spell`, `../spell`, `@spell` or `a.b`), the only form that can call a helper. */
function simpleName(path: hbs.AST.PathExpression): string | undefined {
  if (path.data || path.depth !== 0 || path.parts.length !== 1) return undefined;
  return path.original === path.parts[0] ? path.parts[0] : undefined;
}

function hashPairs(node: { hash?: hbs.AST.Hash | undefined }): readonly hbs.AST.HashPair[] {
  return node.hash?.pairs ?? [];
}

class Analyzer {
  readonly references: TemplateReference[] = [];

  program(program: hbs.AST.Program | undefined, scope: number): void {
    if (!program) return;
    for (const statement of program.body) this.statement(statement, scope);
  }

  private statement(node: hbs.AST.Statement, scope: number): void {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        this.mustache(node as hbs.AST.MustacheStatement, scope);
        return;
      case 'BlockStatement':
        this.block(node as hbs.AST.BlockStatement, scope);
        return;
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw syntaxError('partials ({{> name}}) are not supported in callscript templates', node);
      case 'Decorator':
      case 'DecoratorBlock':
        throw syntaxError('decorators ({{* name}}) are not supported in callscript templates', node);
      default:
        throw syntaxError(`unsupported template construct ${node.type}`, node);
    }
  }

  private mustache(node: hbs.AST.MustacheStatement, scope: number): void {
    const hasArgs = node.params.length > 0 || hashPairs(node).length > 0;
    if (!isPath(node.path)) {
      if (hasArgs) throw syntaxError('a helper name must be a plain name, not a literal', node);
      return; // `{{"text"}}` / `{{1}}`: a literal, reads nothing.
    }
    const name = simpleName(node.path);
    const spec = name === undefined ? undefined : helperSpec(name);
    if (name !== undefined && spec) {
      if (spec.block) throw syntaxError(`\`${name}\` is a block helper: write {{#${name} …}}…{{/${name}}}`, node);
      this.call(name, node, scope);
      return;
    }
    if (hasArgs) throw unknownHelper(node.path.original, node);
    this.path(node.path, scope);
  }

  private block(node: hbs.AST.BlockStatement, scope: number): void {
    const name = simpleName(node.path);
    const spec = name === undefined ? undefined : helperSpec(name);
    if (name === undefined || !spec) throw unknownHelper(node.path.original, node);
    if (!spec.block) throw syntaxError(`\`${name}\` is not a block helper: write {{${name} …}}`, node);
    this.arguments(name, node, scope);
    this.program(node.program, CONTEXT_CHANGING_HELPERS.has(name) ? scope + 1 : scope);
    // `{{else}}` of each/with runs in the outer context.
    this.program(node.inverse, scope);
  }

  private call(name: string, node: hbs.AST.MustacheStatement | hbs.AST.SubExpression, scope: number): void {
    if (hashPairs(node).length > 0) throw syntaxError(`\`${name}\` takes no key=value options`, node);
    this.arguments(name, node, scope);
  }

  private arguments(name: string, node: { params: hbs.AST.Expression[]; hash?: hbs.AST.Hash } & Node, scope: number): void {
    const spec = helperSpec(name);
    if (spec && node.params.length !== spec.arity) {
      const args = spec.arity === 1 ? '1 argument' : `${spec.arity} arguments`;
      throw syntaxError(`\`${name}\` takes ${args}, got ${node.params.length}: ${spec.summary}`, node);
    }
    for (const param of node.params) this.expression(param, scope);
    for (const pair of hashPairs(node)) this.expression(pair.value, scope);
  }

  private expression(node: hbs.AST.Expression, scope: number): void {
    if (isPath(node)) {
      this.path(node, scope);
      return;
    }
    if (node.type === 'SubExpression') {
      const sub = node as hbs.AST.SubExpression;
      const name = simpleName(sub.path);
      const spec = name === undefined ? undefined : helperSpec(name);
      if (name === undefined || !spec) throw unknownHelper(sub.path.original, sub);
      if (spec.block) throw syntaxError(`\`${name}\` is a block helper and cannot be used in (…)`, sub);
      this.call(name, sub, scope);
    }
    // Literals read nothing.
  }

  private path(path: hbs.AST.PathExpression, scope: number): void {
    let parts: readonly string[] = path.parts;
    if (path.data) {
      // `@root.x` is the top-level `x`; other data variables (`@index`, `@key`) are loop state.
      if (parts[0] !== 'root') return;
      parts = parts.slice(1);
    } else if (scope > 0 && path.depth < scope) {
      return; // Inside each/with: relative to the block's context, not ours.
    }
    if (parts.length === 0) return; // `this`, `.`
    const { line, column } = position(path);
    this.references.push({ path: parts, line, column });
  }
}

/** Walks the AST; throws TemplateSyntaxError / UnknownHelperError on constructs callscript does not allow. */
export function analyzeTemplate(program: hbs.AST.Program): readonly TemplateReference[] {
  const analyzer = new Analyzer();
  analyzer.program(program, 0);
  return analyzer.references;
}
