/**
 * Errors raised while compiling a message template. Positions are 1-based and
 * relative to the template text (not to the YAML file): the script compiler maps
 * them into the file when it can.
 */
export type TemplateErrorCode = 'CS_TEMPLATE_SYNTAX' | 'CS_TEMPLATE_UNKNOWN_HELPER';

export class TemplateSyntaxError extends Error {
  readonly code: TemplateErrorCode = 'CS_TEMPLATE_SYNTAX';
  constructor(
    message: string,
    /** 1-based line within the template. */
    readonly line: number,
    /** 1-based column within the template. */
    readonly column: number,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

/** A helper call (`{{foo bar}}`, `{{#foo}}`) naming a helper callscript does not provide. */
export class UnknownHelperError extends TemplateSyntaxError {
  override readonly code: TemplateErrorCode = 'CS_TEMPLATE_UNKNOWN_HELPER';
  constructor(
    readonly helper: string,
    message: string,
    line: number,
    column: number,
  ) {
    super(message, line, column);
    this.name = 'UnknownHelperError';
  }
}
