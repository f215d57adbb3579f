/**
 * The AST rewrite behind URL templates: `{{x}}` becomes `{{cs$urlencode x}}`
 * and `{{helper a b}}` becomes `{{cs$urlencode (helper a b)}}`, everywhere in
 * the template (block bodies included). Triple-stash `{{{x}}}` is left alone:
 * it is how an author inserts a value unencoded. Runs after the analyzer, so
 * the references and errors reported are those of the text as written.
 */
import { URL_ENCODE_HELPER } from './environment.js';

type Node = hbs.AST.Node;

function encoderPath(loc: hbs.AST.SourceLocation): hbs.AST.PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [URL_ENCODE_HELPER], original: URL_ENCODE_HELPER, loc } as hbs.AST.PathExpression;
}

function encodeMustache(node: hbs.AST.MustacheStatement): hbs.AST.MustacheStatement {
  if (!node.escaped) return node;
  const hasArgs = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
  const inner: hbs.AST.Expression = hasArgs
    ? ({ type: 'SubExpression', path: node.path, params: node.params, hash: node.hash, loc: node.loc } as unknown as hbs.AST.SubExpression)
    : (node.path as hbs.AST.Expression);
  return { ...node, path: encoderPath(node.loc), params: [inner], hash: undefined as unknown as hbs.AST.Hash };
}

function program(p: hbs.AST.Program | undefined): hbs.AST.Program | undefined {
  if (p === undefined || p === null) return p;
  return { ...p, body: p.body.map(statement) };
}

function statement(node: hbs.AST.Statement): hbs.AST.Statement {
  const n = node as Node;
  if (n.type === 'MustacheStatement') return encodeMustache(node as hbs.AST.MustacheStatement);
  if (n.type === 'BlockStatement') {
    const block = node as hbs.AST.BlockStatement;
    const rewritten: hbs.AST.BlockStatement = { ...block, program: program(block.program) as hbs.AST.Program, inverse: program(block.inverse) as hbs.AST.Program };
    return rewritten as unknown as hbs.AST.Statement;
  }
  return node;
}

export function encodeMustaches(ast: hbs.AST.Program): hbs.AST.Program {
  return program(ast) as hbs.AST.Program;
}
