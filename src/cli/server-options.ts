import { InvalidArgumentError, Option, type Command } from 'commander';
import type { SignatureMode } from '../provider/hoiio/signature.js';
import { DEFAULT_PROVIDER, PROVIDER_NAMES } from '../provider/registry.js';
import { DEFAULT_HOIIO_URL } from '../server/config.js';
import { DurationError, parseDuration } from '../store/duration.js';
import { StoreError, StoreSpecError } from '../store/errors.js';
import { DEFAULT_STORE, parseStoreSpec } from '../store/open-store.js';
import { isHttpUrl } from '../util/http-url.js';

/** Options shared by `serve` and `dev`, each with its environment variable. */
export interface ServerFlags {
  port: number;
  host: string;
  publicUrl?: string;
  hoiioUrl: string;
  hoiioTimeout: number;
  signatureMode: SignatureMode;
  maxSteps: number;
  maxBody: number;
  logLevel: string;
  /** Hot reload on file changes (`--no-watch` turns it off; SIGHUP reloads either way). */
  watch: boolean;
  /** `memory`, `sqlite:<file>` or `redis://…` (see src/store/open-store.ts). */
  store: string;
  /** Active calls idle this long expire (ms). */
  sessionTtl: number;
  /** Ended calls stay inspectable this long (ms). */
  endedRetention: number;
  /** One of PROVIDER_NAMES: the provider the server drives, and whose capabilities the scripts are checked against. */
  provider: string;
  /** The provider's REST API root, replacing its real one (tests and simulators stand in for it). */
  providerApiUrl?: string;
}

/**
 * For `.catch()` on server start: a store that cannot be opened (in use, unreachable)
 * is a refusal to start (exit 2) with a one-line reason, not a stack trace.
 */
export function refuseOnStoreError(command: string, setExit: (code: number) => void): (err: unknown) => undefined {
  return (err) => {
    if (!(err instanceof StoreError)) throw err;
    process.stderr.write(`callscript ${command}: ${err.message} [${err.code}]\n`);
    setExit(2);
    return undefined;
  };
}

function storeSpec(value: string): string {
  try {
    parseStoreSpec(value);
  } catch (err) {
    if (err instanceof StoreSpecError) throw new InvalidArgumentError(err.message);
    throw err;
  }
  return value;
}

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    if (err instanceof DurationError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function url(value: string): string {
  if (!isHttpUrl(value)) throw new InvalidArgumentError('expected an http(s) URL');
  return value;
}

export function addServerOptions(cmd: Command, defaults: { port: number; host: string }): Command {
  return cmd
    .addOption(new Option('--port <port>', 'port to listen on').env('PORT').default(defaults.port).argParser(positiveInt))
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST').default(defaults.host))
    .addOption(
      new Option('--public-url <url>', 'base URL the provider reaches this server at (default http://localhost:<port>)')
        .env('PUBLIC_URL')
        .argParser(url),
    )
    .addOption(
      new Option('--hoiio-url <url>', "Hoiio API base URL; block paths such as 'ivr/middle/play' are appended")
        .env('HOIIO_API_URL')
        .default(DEFAULT_HOIIO_URL)
        .argParser(url),
    )
    .addOption(
      new Option('--hoiio-timeout <ms>', 'per-request timeout for Hoiio API calls')
        .env('HOIIO_TIMEOUT_MS')
        .default(10_000)
        .argParser(positiveInt),
    )
    .addOption(
      new Option('--signature-mode <mode>', 'X-Hoiio-Signature check on notifications')
        .env('HOIIO_SIGNATURE_MODE')
        .choices(['off', 'log', 'enforce'])
        .default('log'),
    )
    .addOption(
      new Option('--max-steps <n>', 'steps a call may take before it is ended politely (runaway-loop guard)')
        .env('CALLSCRIPT_MAX_STEPS')
        .default(200)
        .argParser(positiveInt),
    )
    .addOption(
      new Option('--max-body <bytes>', 'largest request body accepted').env('CALLSCRIPT_MAX_BODY').default(65_536).argParser(positiveInt),
    )
    .addOption(
      new Option('--store <store>', 'where calls live: memory[?ended_limit=<count>], sqlite:<file> or redis://host:port[/db]')
        .env('CALLSCRIPT_STORE')
        .default(DEFAULT_STORE)
        .argParser(storeSpec),
    )
    .addOption(
      new Option('--session-ttl <duration>', 'active calls with no event for this long expire (e.g. 4h, 30m)')
        .env('CALLSCRIPT_SESSION_TTL')
        .default(4 * 3_600_000, '4h')
        .argParser(duration),
    )
    .addOption(
      new Option('--ended-retention <duration>', 'ended calls stay inspectable at GET /calls/<session> this long (e.g. 10m, 0s)')
        .env('CALLSCRIPT_ENDED_RETENTION')
        .default(10 * 60_000, '10m')
        .argParser(duration),
    )
    .addOption(
      new Option('--provider <name>', 'the telephony provider the server drives; scripts that need what it cannot do are refused at load and on reload')
        .env('CALLSCRIPT_PROVIDER')
        .choices(PROVIDER_NAMES)
        .default(DEFAULT_PROVIDER),
    )
    .addOption(
      new Option('--provider-api-url <url>', "the provider's REST API root instead of its real one (a stand-in for tests; not for Hoiio, which has --hoiio-url)")
        .env('CALLSCRIPT_PROVIDER_API_URL')
        .argParser(url),
    )
    .addOption(new Option('--log-level <level>', 'log level').env('LOG_LEVEL').default('info').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addOption(new Option('--no-watch', 'do not reload scripts when their files change (SIGHUP still reloads)').env('CALLSCRIPT_NO_WATCH'));
}
