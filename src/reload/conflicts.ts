/**
 * Script names and numbers are unique across a folder. When a reload finds two
 * files claiming the same name or number, the file that held it keeps it (and
 * keeps serving); the other file gets a validation error naming both files and
 * falls back to its own last good version, if that one fits.
 */
import type { Diagnostic } from '../script/diagnostic.js';
import type { Script } from '../script/model.js';
import { toPointer } from '../script/paths.js';
import type { PositionIndex } from '../script/positions.js';

export interface Candidate {
  readonly file: string;
  /** What the file offers: its new version when it compiles, else its last good one. */
  readonly script: Script;
  /** Positions of `script` in the file on disk (absent for a last good version: the disk now holds other text). */
  readonly index?: PositionIndex;
  /** True when `script` is already the last good version (the text on disk does not compile). */
  readonly lastGood?: boolean;
  /** The version the file served before this reload, tried when `script` loses a claim. */
  readonly fallback?: Script;
}

/** Who held each name and number before the reload (file paths). */
export interface Holders {
  readonly names: ReadonlyMap<string, string>;
  readonly numbers: ReadonlyMap<string, string>;
}

export interface Resolution {
  /** The version each file serves after the reload; files that lost everything are absent. */
  readonly serving: Map<string, Script>;
  /** Conflict diagnostics, per file. */
  readonly conflicts: Map<string, Diagnostic[]>;
}

interface Choice {
  readonly script: Script;
  readonly index?: PositionIndex;
  readonly isFallback: boolean;
}

function at(choice: Choice, file: string, pointer: string, path: string, code: string, message: string): Diagnostic {
  const position = choice.index?.exact(pointer) ? choice.index.position(pointer, 'value') : { line: 1, column: 1 };
  const note = choice.isFallback ? ' (its last good version, which cannot keep serving)' : '';
  return { code, severity: 'error', message: `${message}${note}`, file, line: position.line, column: position.column, path };
}

/** `candidates` in file order. */
export function resolveConflicts(candidates: readonly Candidate[], holders: Holders): Resolution {
  const order = new Map(candidates.map((c, i) => [c.file, i]));
  const byFile = new Map(candidates.map((c) => [c.file, c]));
  const choice = new Map<string, Choice>(
    candidates.map((c) => [c.file, { script: c.script, ...(c.index !== undefined ? { index: c.index } : {}), isFallback: c.lastGood === true }]),
  );
  const conflicts = new Map<string, Diagnostic[]>();
  const report = (file: string, d: Diagnostic): void => {
    const list = conflicts.get(file) ?? [];
    if (!list.some((x) => x.message === d.message && x.line === d.line && x.column === d.column)) list.push(d);
    conflicts.set(file, list);
  };

  // Each round moves at least one file from its new version to its fallback, or to nothing: it ends.
  for (;;) {
    const names = new Map<string, string[]>();
    const numbers = new Map<string, string[]>();
    for (const [file, c] of choice) {
      names.set(c.script.name, [...(names.get(c.script.name) ?? []), file]);
      for (const n of c.script.numbers) numbers.set(n, [...(numbers.get(n) ?? []), file]);
    }
    const losers = new Set<string>();
    const winner = (claimants: readonly string[], holder: string | undefined): string =>
      holder !== undefined && claimants.includes(holder)
        ? holder
        : [...claimants].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))[0] ?? '';

    for (const [name, files] of names) {
      if (files.length < 2) continue;
      const keeper = winner(files, holders.names.get(name));
      for (const file of files) {
        if (file === keeper) continue;
        losers.add(file);
        const c = choice.get(file);
        if (c === undefined) continue;
        report(
          file,
          at(c, file, '/name', 'name', 'CS_DUPLICATE_NAME', `script name \`${name}\` is already used by ${keeper}: give one of them another \`name:\``),
        );
      }
    }
    for (const [number, files] of numbers) {
      if (files.length < 2) continue;
      const keeper = winner(files, holders.numbers.get(number));
      const keeperName = choice.get(keeper)?.script.name ?? '';
      for (const file of files) {
        if (file === keeper) continue;
        losers.add(file);
        const c = choice.get(file);
        if (c === undefined) continue;
        const i = c.script.numbers.indexOf(number);
        report(
          file,
          at(
            c,
            file,
            toPointer(['numbers', i]),
            `numbers[${i}]`,
            'CS_DUPLICATE_SCRIPT_NUMBER',
            `number "${number}" is already routed to script \`${keeperName}\` (${keeper}): a number belongs to one script`,
          ),
        );
      }
    }
    if (losers.size === 0) break;
    for (const file of losers) {
      const c = choice.get(file);
      const fallback = byFile.get(file)?.fallback;
      if (c !== undefined && !c.isFallback && fallback !== undefined && fallback.version !== c.script.version) {
        choice.set(file, { script: fallback, isFallback: true });
      } else {
        choice.delete(file);
      }
    }
  }
  return { serving: new Map([...choice].map(([file, c]) => [file, c.script])), conflicts };
}
