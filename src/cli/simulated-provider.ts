/**
 * `--provider` on the commands that run calls on a built-in simulator (`dev`,
 * `call`, `test`). Hoiio, the TwiML family (Twilio, Telnyx, SignalWire) and
 * jambonz have one; a provider added without one is refused with a clear
 * message (exit 2) rather than silently simulated as another provider. The
 * names are listed here, not read from src/dev/simulated-providers.ts, so that
 * parsing flags loads no simulator; a test holds the two lists together.
 */
import { Option } from 'commander';
import { DEFAULT_PROVIDER, PROVIDER_NAMES } from '../provider/capability-tables.js';

/** Providers with a built-in simulator. */
export const SIMULATED: ReadonlySet<string> = new Set(['hoiio', 'twilio', 'telnyx', 'signalwire', 'jambonz']);

export function simulatedProviderOption(): Option {
  return new Option('--provider <name>', 'the provider whose simulator runs the calls').env('CALLSCRIPT_PROVIDER').choices(PROVIDER_NAMES).default(DEFAULT_PROVIDER);
}

/** True (after printing why and setting exit 2) when `provider` has no simulator yet. */
export function refuseUnsimulated(command: string, provider: string, setExit: (code: number) => void): boolean {
  if (SIMULATED.has(provider)) return false;
  process.stderr.write(
    `callscript ${command}: there is no ${provider} simulator yet (simulated: ${[...SIMULATED].join(', ')}); run \`callscript ${command}\` on the Hoiio simulator, \`callscript validate --provider ${provider}\` to check scripts, or \`callscript serve --provider ${provider}\` against the real service.\n`,
  );
  setExit(2);
  return true;
}
