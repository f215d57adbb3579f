import type { Command } from 'commander';
import { createLogger } from '../../log/logger.js';
import { formatDiagnostic } from '../../script/diagnostic.js';
import { loadScripts } from '../../script-files/load.js';
import { ProviderEnvError } from '../../provider/errors.js';
import type { ProviderAdapter } from '../../provider/port.js';
import { adapterFromEnv, capabilitiesOf } from '../../provider/registry.js';
import { describeMissing, missingEnv } from '../../script/env-refs.js';
import { reloadOnSighup } from '../../reload/sighup.js';
import { startServer } from '../../server/start.js';
import { addServerOptions, refuseOnStoreError, type ServerFlags } from '../server-options.js';
import { untilSignal } from '../signals.js';

/** `callscript serve [dir]`: the production server, against the real provider (Hoiio, Twilio, Telnyx TeXML, SignalWire or jambonz). */
export function registerServe(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('serve')
    .description(
      "run call scripts for real calls (Hoiio: set the number's Voice Notify URL to <public-url>/hoiio/incoming; Twilio, Telnyx, SignalWire: its voice webhook to <public-url>/<provider>/voice; jambonz: the application's call hook to <public-url>/jambonz/voice and its call status hook to <public-url>/jambonz/status; see docs/providers/)",
    )
    .argument('[dir]', 'folder (or file) of call scripts', 'examples/');
  addServerOptions(cmd, { port: 3000, host: '0.0.0.0' });
  cmd.action(async (dir: string, flags: ServerFlags) => {
    const appId = process.env.HOIIO_APP_ID ?? '';
    const accessToken = process.env.HOIIO_ACCESS_TOKEN ?? '';
    let adapter: ProviderAdapter | undefined;
    if (flags.provider === 'hoiio') {
      if (appId === '' || accessToken === '') {
        process.stderr.write(
          'callscript serve: HOIIO_APP_ID and HOIIO_ACCESS_TOKEN must be set (your Hoiio application\'s credentials).\n' +
            'To try scripts without Hoiio, run `callscript dev` instead.\n',
        );
        setExit(2);
        return;
      }
    } else {
      if (flags.publicUrl === undefined) {
        process.stderr.write(
          `callscript serve: --provider ${flags.provider} needs --public-url (or PUBLIC_URL): the provider signs the exact URL it requests, and every reply names URLs under it.\n`,
        );
        setExit(2);
        return;
      }
      try {
        adapter = adapterFromEnv(flags.provider, { env: (name) => process.env[name], ...(flags.providerApiUrl !== undefined ? { apiUrl: flags.providerApiUrl } : {}) });
      } catch (err) {
        if (!(err instanceof ProviderEnvError)) throw err;
        process.stderr.write(`callscript serve: ${err.message} [${err.code}]\n`);
        setExit(2);
        return;
      }
    }
    const provider = capabilitiesOf(flags.provider);
    const loaded = await loadScripts([dir], { provider });
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 || loaded.scripts.length === 0) {
      for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      process.stderr.write(
        errors.length > 0
          ? `callscript serve: ${errors.length} error(s) in the scripts; not starting.\n`
          : `callscript serve: no call scripts found in ${dir}.\n`,
      );
      setExit(2);
      return;
    }
    const missing = missingEnv(loaded.scripts, (name) => process.env[name]);
    if (missing.length > 0) {
      process.stderr.write(
        `callscript serve: the scripts read environment variables that are not set:\n${describeMissing(missing)}\nSet them (they hold secrets kept out of the scripts) or change the scripts; not starting.\n`,
      );
      setExit(2);
      return;
    }
    const log = createLogger({ level: flags.logLevel });
    const server = await startServer({
      config: {
        port: flags.port,
        host: flags.host,
        ...(flags.publicUrl !== undefined ? { publicUrl: flags.publicUrl } : {}),
        hoiio: { baseUrl: flags.hoiioUrl, appId, accessToken, timeoutMs: flags.hoiioTimeout, signatureMode: flags.signatureMode },
        ...(process.env.CALLSCRIPT_API_TOKEN ? { apiToken: process.env.CALLSCRIPT_API_TOKEN } : {}),
        ...(process.env.CALLSCRIPT_METRICS_TOKEN ? { metricsToken: process.env.CALLSCRIPT_METRICS_TOKEN } : {}),
        maxBodyBytes: flags.maxBody,
        maxSteps: flags.maxSteps,
        store: { spec: flags.store, idleTtlMs: flags.sessionTtl, endedRetentionMs: flags.endedRetention },
      },
      scripts: loaded.scripts,
      log,
      ...(adapter !== undefined ? { adapter } : {}),
      reload: { paths: [dir], watch: flags.watch, provider },
    }).catch(refuseOnStoreError('serve', setExit));
    if (server === undefined) return;
    if (adapter !== undefined) {
      const name = provider.name;
      log.info({ provider: name, voiceUrl: `${server.publicUrl}/${name}/voice`, statusUrl: `${server.publicUrl}/${name}/status` }, 'provider.webhooks');
    }
    const stopReloading = server.reloader !== undefined ? reloadOnSighup(server.reloader) : undefined;
    const signal = await untilSignal();
    log.info({ signal }, 'server.stopping');
    stopReloading?.();
    await server.close();
    log.flush();
  });
}
