import { createRequire } from 'node:module';
import { Command } from 'commander';

/** Entry point for `callscript`; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('callscript');
  const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  program
    .description('IVR call flows in YAML, run against the Hoiio IVR API')
    .version(version)
    .exitOverride()
    .showHelpAfterError();
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const commands = await Promise.all([import('./commands/validate.js'), import('./commands/serve.js'), import('./commands/dev.js')]);
  const [validate, serve, dev] = commands;
  validate.registerValidate(program, setExit);
  serve.registerServe(program, setExit);
  dev.registerDev(program, setExit);
  (await import('./commands/fmt.js')).registerFmt(program, setExit);
  (await import('./commands/test.js')).registerTest(program, setExit);
  (await import('./commands/graph.js')).registerGraph(program, setExit);
  (await import('./commands/call.js')).registerCall(program, setExit);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof Error && 'exitCode' in err && typeof err.exitCode === 'number') {
      // commander has printed help or the usage error already.
      return err.exitCode === 0 ? 0 : 2;
    }
    throw err;
  }
  return exitCode;
}
