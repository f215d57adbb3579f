/**
 * `callscript phone --provider P --app-url URL`: rings any voice app (not only
 * callscript's) exactly as provider P would, from the terminal: its webhook
 * format, its signature, its execution rules and its errors, offline. The same
 * simulators serve `callscript dev --provider P`; here they point at the app.
 */
import { Option, type Command } from 'commander';
import { positiveInt } from '../server-options.js';
import { e164, httpUrl, outcomes, presses, seconds } from '../arg-parsers.js';
import { DEFAULT_CALLER } from '../../dev/phone-numbers.js';
import { PHONE_PROVIDERS, PhoneSetupError, startAppSimulator, type AppSimulator, type PhoneProvider } from '../../phone/app-simulator.js';
import { interactiveCaller } from '../../simulator/caller.js';
import type { DialOutcome } from '../../simulator/types.js';
import { startBrowserPhone } from '../../phone/browser-phone.js';
import { untilSignal } from '../signals.js';
import { driveCall } from '../../testbench/drive-call.js';
import { simulatorCall, type LiveCall } from '../../testbench/live-call.js';
import { chooseCaller, type TerminalCallerChoice } from '../terminal-call.js';

interface PhoneFlags {
  readonly provider: PhoneProvider;
  readonly appUrl: string;
  readonly statusUrl?: string;
  readonly fallbackUrl?: string;
  readonly from?: string;
  readonly to: string;
  readonly press?: string[];
  readonly transfer?: DialOutcome[];
  readonly json?: boolean;
  readonly timeout: number;
  readonly webhookTimeout?: number;
  readonly secret?: string;
  readonly authToken?: string;
  readonly appMethod?: 'GET' | 'POST';
  readonly keyFile?: string;
  readonly browser?: boolean;
  readonly port: number;
  readonly host: string;
}

export function registerPhone(program: Command, setExit: (code: number) => void): void {
  program
    .command('phone')
    .description('ring any voice app offline as Twilio, Telnyx, SignalWire or jambonz would: signed webhooks, their execution rules and errors (interactive, or scripted with --press)')
    .addOption(new Option('--provider <name>', 'the provider to play').choices(PHONE_PROVIDERS).makeOptionMandatory())
    .addOption(new Option('--app-url <url>', "the app's voice webhook (jambonz: the application's call hook)").argParser(httpUrl).makeOptionMandatory())
    .addOption(new Option('--status-url <url>', "the app's status callback (jambonz: call status hook)").argParser(httpUrl))
    .addOption(new Option('--app-method <method>', "TwiML providers: how the number's voice URL is requested (default POST)").choices(['GET', 'POST']))
    .addOption(new Option('--fallback-url <url>', "TwiML providers: the number's fallback URL, requested when the app's answer fails").argParser(httpUrl))
    .addOption(new Option('--from <number>', "the caller's number").argParser(e164))
    .addOption(new Option('--to <number>', 'the number dialled').argParser(e164).default('+15550001'))
    .addOption(new Option('--press <keys,...>', 'scripted: keys for each gather in turn, comma-separated; empty = no input').argParser(presses))
    .addOption(new Option('--transfer <outcome,...>', 'scripted: outcome of each <Dial> in turn (answered, busy, unanswered, failed)').argParser(outcomes))
    .option('--json', 'print the transcript as JSON lines')
    .addOption(new Option('--secret <value>', 'a throwaway signing secret instead of the environment\'s (Twilio auth token, SignalWire signing key, jambonz webhook secret)'))
    .addOption(new Option('--auth-token <value>', 'the same as --secret (Twilio\'s word for it)').conflicts('secret'))
    .addOption(new Option('--key-file <file>', 'Telnyx: the PEM file of the simulator\'s Ed25519 key (created when missing), so the app keeps one TELNYX_PUBLIC_KEY'))
    .addOption(new Option('--webhook-timeout <seconds>', "how long the provider waits for the app's answer (default: the provider's)").argParser(seconds))
    .addOption(new Option('--timeout <seconds>', 'hang up when the call makes no progress for this long').default(30).argParser(seconds))
    .option('--browser', 'serve the browser phone for the app instead of calling from the terminal (until Ctrl-C)')
    .addOption(new Option('--port <port>', '--browser: the port of the page').default(3100).argParser(positiveInt))
    .option('--host <host>', '--browser: the address to listen on', '127.0.0.1')
    .action(async (flags: PhoneFlags) => {
      const out = (text: string): void => void process.stdout.write(text);
      const err = (text: string): void => void process.stderr.write(text);
      let started: AppSimulator | undefined;
      let live: LiveCall | undefined;
      let caller: TerminalCallerChoice | undefined;
      try {
        started = await startAppSimulator({
          provider: flags.provider,
          appUrl: flags.appUrl,
          ...(flags.statusUrl !== undefined ? { statusUrl: flags.statusUrl } : {}),
          ...(flags.fallbackUrl !== undefined ? { fallbackUrl: flags.fallbackUrl } : {}),
          ...((flags.secret ?? flags.authToken) !== undefined ? { secret: flags.secret ?? flags.authToken } : {}),
          ...(flags.appMethod !== undefined ? { appMethod: flags.appMethod } : {}),
          ...(flags.keyFile !== undefined ? { keyFile: flags.keyFile } : {}),
          ...(flags.webhookTimeout !== undefined ? { timing: { notifyTimeoutMs: flags.webhookTimeout * 1000 } } : {}),
          env: (name) => process.env[name],
        });
        for (const line of started.setup) err(`callscript phone: the ${flags.provider} simulator ${line}\n`);
        if (flags.browser === true) {
          const page = await startBrowserPhone({ simulator: started.simulator, provider: flags.provider, appUrl: flags.appUrl, host: flags.host, port: flags.port });
          err(`callscript phone: the browser phone for ${flags.appUrl} is at ${page.url}/phone (Ctrl-C to stop)\n`);
          await untilSignal();
          await page.close();
          return;
        }
        const call = started.simulator.ring({ to: flags.to, from: flags.from ?? DEFAULT_CALLER, caller: interactiveCaller() });
        live = simulatorCall(call);
        const scripted = flags.press !== undefined || flags.transfer !== undefined;
        caller = chooseCaller(scripted ? { presses: flags.press ?? [], transfers: flags.transfer ?? [] } : undefined, err);
        const result = await driveCall(live, { decide: caller.decide, json: flags.json === true, write: out, idleMs: flags.timeout * 1000, hungUpOnPurpose: caller.hungUpOnPurpose });
        const end = await call.ended;
        if (end.error !== undefined) err(`callscript phone: ${flags.provider} gave up on the app: ${end.error}\n`);
        setExit(result.clean ? 0 : 1);
      } catch (e) {
        if (e instanceof PhoneSetupError) {
          err(`callscript phone: ${e.message}\n`);
          setExit(2);
        } else {
          throw e;
        }
      } finally {
        caller?.close();
        await live?.close();
        await started?.simulator.close();
      }
    });
}
