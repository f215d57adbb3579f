/**
 * The `yaml` package, loaded the first time something needs it. Script files
 * are read by the quick reader (src/script/quick-yaml.ts), and `yaml` is only
 * needed for a file that reader declines or for the positions of a
 * diagnostic: `validate` on scripts with nothing to report, the pre-commit
 * hook's usual case, never loads it (it is most of the compiler's load time).
 * Loading a library is not I/O of the kind the core avoids; it lives outside
 * src/script only because the core's one builtin is node:crypto.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yamlPackage(): typeof Yaml {
  // Synchronous, because compile() is; `yaml` is CommonJS under Node.
  loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return loaded;
}
