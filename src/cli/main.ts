import { createRequire } from 'node:module';
import { Command } from 'commander';

type Register = (program: Command, setExit: (code: number) => void) => void;

/**
 * Each command's module, in the order help lists them. Only the command being run
 * is loaded: `validate` in a pre-commit hook or an editor pays for the compiler,
 * not for the server, the stores, the providers' HTTP clients and the simulator.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['validate', async () => (await import('./commands/validate.js')).registerValidate],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['dev', async () => (await import('./commands/dev.js')).registerDev],
  ['fmt', async () => (await import('./commands/fmt.js')).registerFmt],
  ['test', async () => (await import('./commands/test.js')).registerTest],
  ['graph', async () => (await import('./commands/graph.js')).registerGraph],
  ['call', async () => (await import('./commands/call.js')).registerCall],
  ['phone', async () => (await import('./commands/phone.js')).registerPhone],
];

/** The commands to register for `argv`: the one it names, or all (help, a typo, no command). */
function commandsFor(argv: readonly string[]): ReadonlyArray<readonly [string, () => Promise<Register>]> {
  const named = COMMANDS.find(([name]) => name === argv[2]);
  return named !== undefined ? [named] : COMMANDS;
}

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
  const registers = await Promise.all(commandsFor(argv).map(([, load]) => load()));
  for (const register of registers) register(program, setExit);
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
