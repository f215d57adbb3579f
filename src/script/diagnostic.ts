/**
 * A problem found in a script, positioned like a compiler error.
 *
 * `path` is the place in the script's data (e.g. `steps.menu.gather.max_digits`),
 * `line`/`column` are 1-based positions in the file.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable machine-readable code, e.g. `CS_UNKNOWN_KEY`; never reworded. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

/** `file:line:col: severity: message [code]`, the format editors and CI parse. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Thrown where a script must be valid to go on (e.g. `serve` at start-up). */
export class ScriptError extends Error {
  readonly code = 'CS_INVALID_SCRIPT';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ScriptError';
  }
}
