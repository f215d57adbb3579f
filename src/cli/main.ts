import { Command } from 'commander';

/** Entry point for `callscript`; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('callscript');
  program.description('IVR call flows in YAML, run against the Hoiio IVR API').exitOverride();
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const { registerValidate } = await import('./commands/validate.js');
  registerValidate(program, setExit);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof Error && 'exitCode' in err && typeof err.exitCode === 'number') {
      // commander already printed usage / help; 0 for --help and --version.
      return err.exitCode === 0 ? 0 : 2;
    }
    throw err;
  }
  return exitCode;
}
