/** Collects a compile's diagnostics, positioned through the YAML index. */
import type { Diagnostic, Severity } from './diagnostic.js';
import { dotPath, type DataPath } from './paths.js';
import type { Position, PositionIndex } from './positions.js';

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly index: PositionIndex,
  ) {}

  /** A diagnostic on the node at `pointer` (its key or its value). */
  at(pointer: string, on: 'key' | 'value', code: string, message: string, severity: Severity = 'error'): void {
    this.atPosition(this.index.position(pointer, on), this.index.path(pointer), code, message, severity);
  }

  atPosition(position: Position, path: DataPath, code: string, message: string, severity: Severity = 'error'): void {
    this.diagnostics.push({
      code,
      severity,
      message,
      file: this.file,
      line: position.line,
      column: position.column,
      path: dotPath(path),
    });
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }
}

/** Within one file: by position, then code, with exact repeats removed (one clear diagnostic per problem). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of diagnostics) {
    const id = `${d.file}\u0000${d.line}\u0000${d.column}\u0000${d.code}\u0000${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push(d);
  }
  return unique.sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}
