import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { isoTime } from '../now-option.js';
import { createLogger } from '../../log/logger.js';
import { formatDiagnostic } from '../../script/diagnostic.js';
import { loadScripts } from '../../script-files/load.js';
import { capabilitiesOf } from '../../provider/registry.js';
import { reloadOnSighup } from '../../reload/sighup.js';
import { DEV_EVENTS_SECRET, startDevServer } from '../../dev/server.js';
import { describeMissing, missingEnv } from '../../script/env-refs.js';
import { DEFAULT_EVENTS_SECRET_ENV } from '../../script/limits.js';
import { refuseUnsimulated } from '../simulated-provider.js';
import { addServerOptions, refuseOnStoreError, type ServerFlags } from '../server-options.js';
import { untilSignal } from '../signals.js';

/** `callscript dev [dir]`: the server on a built-in provider simulator (Hoiio's unless --provider); no credentials, no phone needed. */
export function registerDev(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('dev')
    .description('run call scripts against a built-in provider simulator: Hoiio, or --provider twilio|telnyx|signalwire|jambonz (`npm start` runs it on Hoiio)')
    .argument('[dir]', 'folder (or file) of call scripts', 'examples/');
  addServerOptions(cmd, { port: 3000, host: '127.0.0.1' });
  cmd.addOption(new Option('--now <time>', 'start the clock `hours` steps see at this time (e.g. 2026-12-25T10:00:00+08:00); it runs on from there').argParser(isoTime));
  cmd.action(async (dir: string, flags: ServerFlags & { now?: number }) => {
    if (refuseUnsimulated('dev', flags.provider, setExit)) return;
    const provider = capabilitiesOf(flags.provider);
    const loaded = await loadScripts([dir], { provider });
    for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (loaded.scripts.length === 0) {
      process.stderr.write(`callscript dev: no valid call scripts in ${dir}.\n`);
      setExit(2);
      return;
    }
    const missing = missingEnv(loaded.scripts, (name) => process.env[name] ?? (name === DEFAULT_EVENTS_SECRET_ENV ? DEV_EVENTS_SECRET : undefined));
    if (missing.length > 0) {
      process.stderr.write(`Warning: the scripts read environment variables that are not set (their http requests will fail):\n${describeMissing(missing)}\n`);
    }
    const log = createLogger({ level: flags.logLevel });
    const apiToken = process.env.CALLSCRIPT_API_TOKEN || 'dev-token';
    const dev = await startDevServer({
      flags,
      scripts: loaded.scripts,
      log,
      provider: flags.provider,
      apiToken,
      accessToken: randomBytes(16).toString('hex'),
      reload: { paths: [dir], watch: flags.watch, provider },
      ...(flags.now !== undefined ? { clock: shiftedClock(flags.now) } : {}),
    }).catch(refuseOnStoreError('dev', setExit));
    if (dev === undefined) return;
    const stopReloading = dev.reloader !== undefined ? reloadOnSighup(dev.reloader) : undefined;
    if (flags.watch) process.stderr.write(`Watching ${dir} for changes: saved scripts go live for new calls (GET /scripts shows what is live).\n`);
    process.stderr.write(devBanner(dev.url, apiToken, loaded.scripts.map((s) => ({ name: s.name, numbers: s.numbers })), flags.provider));
    const signal = await untilSignal();
    log.info({ signal }, 'server.stopping');
    stopReloading?.();
    await dev.close();
    log.flush();
  });
}

/** A clock that reads `start` now and runs on in real time. */
function shiftedClock(start: number): () => number {
  const offset = start - Date.now();
  return () => Date.now() + offset;
}

const TITLES: Readonly<Record<string, string>> = { hoiio: 'Hoiio', twilio: 'Twilio', telnyx: 'Telnyx TeXML', signalwire: 'SignalWire', jambonz: 'jambonz' };

function devBanner(url: string, apiToken: string, scripts: ReadonlyArray<{ name: string; numbers: readonly string[] }>, provider: string): string {
  const lines = [
    '',
    `callscript dev server on ${url} (${TITLES[provider] ?? provider} simulator built in; no credentials needed)`,
    '',
    'Scripts:',
    ...scripts.map((s) => `  ${s.name.padEnd(16)} ${s.numbers.length > 0 ? s.numbers.join(', ') : '(outbound only)'}`),
    '',
    `Browser phone: ${url}/phone`,
    '',
    'Place a simulated call from a second terminal:',
    `  npx callscript call ${scripts[0]?.name ?? 'acme'} --server ${url} --press 1`,
    '  or ring a number through the simulator\'s HTTP control plane:',
    `  curl -s -X POST ${url}/sim/calls -H 'content-type: application/json' -d '{"to":"${scripts.find((s) => s.numbers.length > 0)?.numbers[0] ?? '+6560000001'}","interactive":true}'`,
    'Outbound:',
    `  curl -s -X POST ${url}/calls -H 'authorization: Bearer ${apiToken}' -H 'content-type: application/json' -d '{"script":"reminder","to":"+6591234567","vars":{"name":"Bob"}}'`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
