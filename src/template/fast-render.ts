/**
 * A renderer for the templates most messages are: text and plain `{{name}}` /
 * `{{a.b}}` insertions, nothing else. It concatenates instead of going through
 * Handlebars' runtime, which sets up a container, proto-access rules and helper
 * tables on every call (most of a render's cost, and a render runs on every
 * step). It gives up — returns `undefined`, and the caller renders with
 * Handlebars — whenever a value is not a string or not an own property of a
 * plain object, so the output and its edge cases (numbers, arrays, lambdas,
 * prototype access refused with a warning) are always Handlebars' own.
 */
import type { TemplateContext } from './template.js';

/** Text, or a path whose value is inserted (`["call", "from"]`). */
export type Part = string | readonly string[];

export type FastRenderer = (context: TemplateContext) => string | undefined;

/**
 * The fast renderer for a parsed template, or `undefined` when the template uses
 * anything beyond text and plain paths (helpers, blocks, `this`, `../`, `@data`,
 * comments, partials). `helpers`: names that a bare `{{name}}` would call.
 */
export function fastRenderer(ast: hbs.AST.Program, helpers: ReadonlySet<string>): FastRenderer | undefined {
  const parts = partsOf(ast, helpers);
  return parts === undefined ? undefined : partsRenderer(parts);
}

function partsOf(ast: hbs.AST.Program, helpers: ReadonlySet<string>): Part[] | undefined {
  const parts: Part[] = [];
  for (const statement of ast.body) {
    if (statement.type === 'ContentStatement') {
      // `value` has whitespace control (`{{~x}}`) applied already; `original` does not.
      const text = (statement as hbs.AST.ContentStatement).value;
      if (text !== '') parts.push(text);
      continue;
    }
    if (statement.type !== 'MustacheStatement') return undefined;
    const m = statement as hbs.AST.MustacheStatement;
    if (m.params.length > 0 || m.hash !== undefined || m.path.type !== 'PathExpression') return undefined;
    const path = m.path as hbs.AST.PathExpression;
    if (path.data || path.depth !== 0 || path.parts.length === 0 || path.original !== path.parts.join('.')) return undefined;
    const first = path.parts[0] ?? '';
    if (path.parts.length === 1 && helpers.has(first)) return undefined;
    parts.push([...path.parts]);
  }
  return parts;
}

/** Renders text and plain paths by concatenation (see the module comment for when it gives up). */
export function partsRenderer(parts: readonly Part[]): FastRenderer {
  return (context) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      let value: unknown = context;
      for (const name of part) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          // Handlebars yields '' past a missing value; anything else (a string's `length`…) is its call.
          if (value === undefined || value === null) break;
          return undefined;
        }
        if (!Object.hasOwn(value, name)) {
          // A name nobody set renders as ''; one the prototype has goes to Handlebars (it refuses it, with a warning).
          if (name in value) return undefined;
          value = undefined;
          break;
        }
        value = (value as Record<string, unknown>)[name];
      }
      if (typeof value === 'string') out += value;
      else if (value !== undefined && value !== null) return undefined;
    }
    return out;
  };
}
