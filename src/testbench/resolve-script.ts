/**
 * Finds the script a command names: a path to a script file, a script name in a folder,
 * or (for calls) a number one of the folder's scripts lists.
 */
import { stat } from 'node:fs/promises';
import { formatDiagnostic, type Diagnostic } from '../script/diagnostic.js';
import { loadScripts } from '../script-files/load.js';
import type { Script } from '../script/model.js';
import { suggest } from '../script/suggest.js';
import { capabilitiesOf } from '../provider/capability-tables.js';
import { isE164 } from '../util/e164.js';

/** A script that cannot be found or does not compile; the CLI prints it and exits 2. */
export class ScriptLookupError extends Error {
  constructor(
    readonly code: 'CS_UNKNOWN_SCRIPT' | 'CS_INVALID_SCRIPT',
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'ScriptLookupError';
  }
}

export interface Resolved {
  /** Every script loaded alongside (the bench runs them all, so numbers route as on a server). */
  readonly scripts: readonly Script[];
  /** Absent when `target` is a number no script lists (the call then gets the unknown-number hangup). */
  readonly script?: Script;
}

export async function resolveScript(target: string, dir: string, provider = 'hoiio'): Promise<Resolved> {
  const isFile = /\.ya?ml$/i.test(target) && (await stat(target).then((s) => s.isFile(), () => false));
  // The bench runs scripts on the provider's simulator: they are checked against its table.
  const loaded = await loadScripts([isFile ? target : dir], { provider: capabilitiesOf(provider) });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new ScriptLookupError('CS_INVALID_SCRIPT', `${errors.length} error(s) in the scripts:\n${errors.map(formatDiagnostic).join('\n')}`, errors);
  }
  if (isFile) {
    const [script] = loaded.scripts;
    if (script === undefined) throw new ScriptLookupError('CS_UNKNOWN_SCRIPT', `no script in ${target}`);
    return { scripts: loaded.scripts, script };
  }
  if (isE164(target)) {
    const script = loaded.scripts.find((s) => s.numbers.includes(target));
    return script !== undefined ? { scripts: loaded.scripts, script } : { scripts: loaded.scripts };
  }
  const script = loaded.scripts.find((s) => s.name === target);
  if (script === undefined) {
    const names = loaded.scripts.map((s) => s.name);
    const close = suggest(target, names);
    throw new ScriptLookupError(
      'CS_UNKNOWN_SCRIPT',
      `no script named "${target}" in ${dir}${close !== undefined ? `; did you mean "${close}"?` : names.length > 0 ? ` (there are: ${names.join(', ')})` : ''}`,
    );
  }
  return { scripts: loaded.scripts, script };
}
