/** `callscript graph <script>`: the flow as a mermaid or Graphviz diagram (or SVG), deterministic for git diffs. */
import { Option, type Command } from 'commander';

interface GraphFlags {
  readonly format: 'mermaid' | 'dot' | 'svg';
  readonly dir: string;
}

export function registerGraph(program: Command, setExit: (code: number) => void): void {
  program
    .command('graph')
    .description('print a script\'s flow: steps as nodes, edges labelled with digits, invalid, no_input, on_failure, next')
    .argument('<script>', 'a script name (in --dir) or a script file')
    .addOption(new Option('--format <format>', 'diagram format').choices(['mermaid', 'dot', 'svg']).default('mermaid'))
    .option('--dir <dir>', 'folder of scripts', 'examples/')
    .action(async (target: string, flags: GraphFlags) => {
      const [{ buildFlowGraph, toDot, toMermaid, toSvg }, { resolveScript, ScriptLookupError }] = await Promise.all([
        import('../../graph/index.js'),
        import('../../testbench/resolve-script.js'),
      ]);
      try {
        const { script } = await resolveScript(target, flags.dir);
        if (script === undefined) throw new ScriptLookupError('CS_UNKNOWN_SCRIPT', `no script in ${flags.dir} lists the number ${target}`);
        const graph = buildFlowGraph(script);
        const render = { mermaid: toMermaid, dot: toDot, svg: toSvg }[flags.format];
        process.stdout.write(render(graph));
        setExit(0);
      } catch (err) {
        if (!(err instanceof ScriptLookupError)) throw err;
        process.stderr.write(`callscript graph: ${err.message}\n`);
        setExit(2);
      }
    });
}
