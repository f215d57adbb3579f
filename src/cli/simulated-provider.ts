/**
 * `--provider` on the commands that run calls on a built-in simulator (`dev`,
 * `call`, `test`). Only Hoiio has a simulator so far; the others are refused
 * with a clear message (exit 2) rather than silently simulated as Hoiio.
 */
import { Option } from 'commander';
import { DEFAULT_PROVIDER, PROVIDER_NAMES } from '../provider/capability-tables.js';

/** Providers with a built-in simulator. */
const SIMULATED: ReadonlySet<string> = new Set(['hoiio']);

export function simulatedProviderOption(): Option {
  return new Option('--provider <name>', 'the provider whose simulator runs the calls').env('CALLSCRIPT_PROVIDER').choices(PROVIDER_NAMES).default(DEFAULT_PROVIDER);
}

/** True (after printing why and setting exit 2) when `provider` has no simulator yet. */
export function refuseUnsimulated(command: string, provider: string, setExit: (code: number) => void): boolean {
  if (SIMULATED.has(provider)) return false;
  process.stderr.write(
    `callscript ${command}: there is no ${provider} simulator yet (it is coming); run \`callscript ${command}\` on the Hoiio simulator, \`callscript validate --provider ${provider}\` to check scripts, or \`callscript serve --provider ${provider}\` against the real service.\n`,
  );
  setExit(2);
  return true;
}
