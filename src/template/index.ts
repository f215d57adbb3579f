export type { CallInfo, Template, TemplateContext } from './template.js';
export { CompiledTemplate, compileTemplate, compileUrlTemplate } from './compile.js';
export type { TemplateReference } from './analyze.js';
export { TemplateSyntaxError, UnknownHelperError, type TemplateErrorCode } from './errors.js';
export { CALLSCRIPT_HELPERS, HELPER_NAMES, spell } from './helpers.js';
