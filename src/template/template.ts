/**
 * A message template, compiled once at load.
 *
 * Rendering is pure: the same context gives the same text, with no HTML
 * escaping, no prototype access and only callscript's registered helpers.
 */
/** The call's fields in templates: neutral ones, plus those the provider adds (`txn_ref` on Hoiio). */
export interface CallInfo {
  readonly [field: string]: string;
  readonly from: string;
  readonly to: string;
  /** The provider's handle for the call (Hoiio's session, Twilio's CallSid). */
  readonly session: string;
  readonly direction: string;
}

/** What a template sees: script vars, outbound vars and `save_as` values, plus the call fields. */
export interface TemplateContext {
  readonly [name: string]: unknown;
  readonly call: CallInfo;
}

export interface Template {
  /** The text as written in the script. */
  readonly source: string;
  /** Top-level variable names the template reads (for static checks). */
  readonly refs: readonly string[];
  /** No mustaches: `render` returns `source` whatever the context (so callers need not build one). */
  readonly constant: boolean;
  render(context: TemplateContext): string;
}
