import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { createLogger } from '../../log/logger.js';
import { formatDiagnostic } from '../../script/diagnostic.js';
import { loadScripts } from '../../script/load.js';
import { reloadOnSighup } from '../../reload/sighup.js';
import { startDevServer } from '../../server/dev.js';
import { addServerOptions, refuseOnStoreError, type ServerFlags } from '../server-options.js';
import { untilSignal } from '../signals.js';

/** `callscript dev [dir]`: the server on a built-in Hoiio simulator; no credentials, no phone needed. */
export function registerDev(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('dev')
    .description('run call scripts against the built-in Hoiio simulator (what `npm start` runs)')
    .argument('[dir]', 'folder (or file) of call scripts', 'examples/');
  addServerOptions(cmd, { port: 3000, host: '127.0.0.1' });
  cmd.action(async (dir: string, flags: ServerFlags) => {
    const loaded = await loadScripts([dir]);
    for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (loaded.scripts.length === 0) {
      process.stderr.write(`callscript dev: no valid call scripts in ${dir}.\n`);
      setExit(2);
      return;
    }
    const log = createLogger({ level: flags.logLevel });
    const apiToken = process.env.CALLSCRIPT_API_TOKEN || 'dev-token';
    const dev = await startDevServer({
      flags,
      scripts: loaded.scripts,
      log,
      apiToken,
      accessToken: randomBytes(16).toString('hex'),
      reload: { paths: [dir], watch: flags.watch },
    }).catch(refuseOnStoreError('dev', setExit));
    if (dev === undefined) return;
    const stopReloading = dev.reloader !== undefined ? reloadOnSighup(dev.reloader) : undefined;
    if (flags.watch) process.stderr.write(`Watching ${dir} for changes: saved scripts go live for new calls (GET /scripts shows what is live).\n`);
    process.stderr.write(devBanner(dev.url, apiToken, loaded.scripts.map((s) => ({ name: s.name, numbers: s.numbers }))));
    const signal = await untilSignal();
    log.info({ signal }, 'server.stopping');
    stopReloading?.();
    await dev.close();
    log.flush();
  });
}

function devBanner(url: string, apiToken: string, scripts: ReadonlyArray<{ name: string; numbers: readonly string[] }>): string {
  const lines = [
    '',
    `callscript dev server on ${url} (Hoiio simulator built in; no credentials needed)`,
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
