import type { ProviderCapabilities } from '../../src/engine/capabilities.js';
import { compile } from '../../src/script/compile.js';
import type { Script } from '../../src/script/model.js';
import { formatDiagnostic } from '../../src/script/diagnostic.js';

/** Compiles YAML that a test knows to be valid for `provider` (its call fields, its limits). */
export function mustCompileFor(provider: ProviderCapabilities, source: string, file = 'test.yaml'): Script {
  const result = compile(source, { file, provider });
  if (!result.ok) throw new Error(`test script does not compile:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`);
  return result.script;
}

/** Compiles YAML that a test knows to be valid; fails the test loudly otherwise. */
export function mustCompile(source: string, file = 'test.yaml'): Script {
  const result = compile(source, { file });
  if (!result.ok) throw new Error(`test script does not compile:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`);
  return result.script;
}
