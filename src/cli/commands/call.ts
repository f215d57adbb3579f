/**
 * `callscript call <script|number>`: a phone call from the terminal, against the built-in
 * simulator (the scripts in --dir run in this process) or a running `callscript dev`
 * (--server). Interactive by default; scripted with --press / --transfer / --dial.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { e164, outcome, outcomes, presses, seconds } from '../arg-parsers.js';
import { refuseUnsimulated, simulatedProviderOption } from '../simulated-provider.js';
import { Bench } from '../../testbench/bench.js';
import { driveCall } from '../../testbench/drive-call.js';
import { LiveCallError, localCall, remoteCall, remoteScripts, type LiveCall } from '../../testbench/live-call.js';
import { resolveScript, ScriptLookupError } from '../../testbench/resolve-script.js';
import { isE164 } from '../../util/e164.js';
import { chooseCaller, type TerminalCallerChoice } from '../terminal-call.js';
import { PlaceCallError } from '../../testbench/bench.js';
import { DEFAULT_CALLER } from '../../dev/phone-numbers.js';
import type { DialOutcome } from '../../simulator/types.js';
import { isoTime } from '../now-option.js';

interface CallFlags {
  readonly dir: string;
  readonly server?: string;
  readonly token: string;
  readonly outbound?: boolean;
  readonly from?: string;
  readonly to?: string;
  readonly var: Record<string, string>;
  readonly press?: string[];
  readonly transfer?: DialOutcome[];
  readonly dial?: DialOutcome;
  readonly json?: boolean;
  readonly timeout: number;
  readonly now?: number;
}

function variable(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected name=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

class UsageError extends Error {}

export function registerCall(program: Command, setExit: (code: number) => void): void {
  program
    .command('call')
    .description('place a simulated call and hear (read) the script: interactive, or scripted with --press')
    .argument('<target>', 'a script name (in --dir), a script file, or a number to ring')
    .option('--dir <dir>', 'folder of scripts for the built-in simulator', 'examples/')
    .option('--server <url>', 'call through a running `callscript dev` instead of the built-in simulator')
    .addOption(new Option('--token <token>', 'bearer token of POST /calls on --server (outbound)').env('CALLSCRIPT_API_TOKEN').default('dev-token'))
    .option('--outbound', 'the engine calls out, as with POST /calls (the default for scripts without numbers)')
    .addOption(new Option('--from <number>', 'inbound: the caller\'s number; outbound: the caller id').argParser(e164))
    .addOption(new Option('--to <number>', 'inbound: the number dialled; outbound: the callee').argParser(e164))
    .addOption(new Option('--var <name=value>', 'an outbound call\'s variable (repeatable)').argParser(variable).default({}))
    .addOption(new Option('--press <keys,...>', 'scripted: keys for each gather in turn, comma-separated; empty = no input (e.g. 1,,9,1)').argParser(presses))
    .addOption(new Option('--transfer <outcome,...>', 'scripted: outcome of each transfer in turn (answered, busy, unanswered, failed)').argParser(outcomes))
    .addOption(new Option('--dial <outcome>', 'scripted: how the callee answers an outbound call').argParser(outcome))
    .option('--json', 'print the transcript as JSON lines')
    .addOption(simulatedProviderOption())
    .addOption(new Option('--timeout <seconds>', 'hang up when the call makes no progress for this long').default(30).argParser(seconds))
    .addOption(new Option('--now <time>', 'the time `hours` steps see (e.g. 2026-12-25T10:00:00+08:00); not with --server (start `callscript dev --now` instead)').argParser(isoTime))
    .action(async (target: string, flags: CallFlags & { provider: string }) => {
      if (refuseUnsimulated('call', flags.provider, setExit)) return;
      const scripted = flags.press !== undefined || flags.transfer !== undefined || flags.dial !== undefined;
      const out = (text: string): void => void process.stdout.write(text);
      const err = (text: string): void => void process.stderr.write(text);
      let bench: Bench | undefined;
      let live: LiveCall | undefined;
      let caller: TerminalCallerChoice | undefined;
      try {
        let outbound = flags.outbound === true;
        if (flags.server !== undefined && flags.now !== undefined) {
          throw new UsageError('--now sets the clock of the built-in simulator\'s calls; for a running server, start it with `callscript dev --now`');
        }
        if (flags.server !== undefined) {
          let to = flags.to;
          if (!isE164(target)) {
            const scripts = await remoteScripts(flags.server);
            const script = scripts?.find((s) => s.name === target);
            if (scripts !== undefined && script === undefined) throw new UsageError(`${flags.server} runs no script named "${target}" (it runs: ${scripts.map((s) => s.name).join(', ')})`);
            if (script !== undefined && script.numbers.length === 0) outbound = true;
            if (!outbound) {
              if (script === undefined) throw new UsageError(`cannot look up the numbers of "${target}" on ${flags.server}: give the number to ring instead`);
              to ??= script.numbers[0];
            }
          } else if (outbound) {
            throw new UsageError('an outbound call runs a script: give its name, and the callee with --to');
          } else {
            to = target;
          }
          live = await remoteCall({
            server: flags.server,
            outbound,
            ...(outbound ? { script: target } : {}),
            ...(flags.from !== undefined ? { from: flags.from } : {}),
            to: (outbound ? flags.to : to) ?? DEFAULT_CALLER,
            vars: flags.var,
            token: flags.token,
          });
        } else {
          const resolved = await resolveScript(target, flags.dir, flags.provider);
          const script = resolved.script;
          if (script !== undefined && script.numbers.length === 0) outbound = true;
          if (outbound && script === undefined) throw new UsageError('an outbound call runs a script: give its name, and the callee with --to');
          bench = await Bench.start({ scripts: resolved.scripts, provider: flags.provider });
          live = await localCall(bench, {
            outbound,
            // A number rings as dialled (routed like on a server); a script name rings that script.
            ...(isE164(target) ? {} : script !== undefined ? { script } : {}),
            ...(flags.from !== undefined ? { from: flags.from } : {}),
            ...(isE164(target) && !outbound ? { to: target } : flags.to !== undefined ? { to: flags.to } : {}),
            vars: flags.var,
            ...(flags.now !== undefined ? { setup: { clock: flags.now } } : {}),
          });
        }
        caller = chooseCaller(scripted ? { presses: flags.press ?? [], transfers: flags.transfer ?? [], ...(flags.dial !== undefined ? { dial: flags.dial } : {}) } : undefined, err);
        const result = await driveCall(live, { decide: caller.decide, json: flags.json === true, write: out, idleMs: flags.timeout * 1000, hungUpOnPurpose: caller.hungUpOnPurpose });
        setExit(result.clean ? 0 : 1);
      } catch (e) {
        if (e instanceof UsageError || e instanceof ScriptLookupError) {
          err(`callscript call: ${e.message}\n`);
          setExit(2);
        } else if (e instanceof LiveCallError || e instanceof PlaceCallError) {
          err(`callscript call: ${e.message}\n`);
          setExit(e instanceof LiveCallError && !e.usage ? 1 : 2);
        } else {
          throw e;
        }
      } finally {
        caller?.close();
        await live?.close();
        await bench?.close();
      }
    });
}
