/**
 * The structure of src/, checked on its import graph so that it stays the way it was
 * made: a provider-neutral core (the engine and the script compiler) that does no I/O and
 * knows nothing of servers, providers or stores; provider adapters that do not reach into
 * each other; and no import cycles. Type-only and dynamic imports count too: they are
 * dependencies all the same. Each rule is first shown catching a violation in a small
 * graph built in memory, so that a broken parser or resolver cannot make it pass vacuously.
 */
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { findCycles } from './helpers/import-cycles.js';
import { graphOf, isRelative, readImportGraph, type ImportEdge, type ImportGraph } from './helpers/import-graph.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** The provider-neutral core. */
const CORE = ['src/engine/', 'src/script/'];

/** What the core must not import: everything that serves, stores, runs, watches, delivers or loads files. */
const OUTSIDE_CORE = [
  'src/server/',
  'src/provider/',
  'src/store/',
  'src/runtime/',
  'src/reload/',
  'src/simulator/',
  'src/cli/',
  'src/dev/',
  'src/script-files/',
  'src/http-step/',
  'src/events/',
  'src/log/',
  'src/metrics/',
];

/** Builtins the core may use: hashing is computation, not I/O (compile.ts's script versions). */
const CORE_BUILTINS = new Set(['node:crypto']);

/** Packages that do network, database, file-watching or log I/O. */
const IO_PACKAGES = new Set(['undici', 'hono', '@hono/node-server', 'ioredis', 'better-sqlite3', 'pino', 'chokidar']);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

function where(e: ImportEdge): string {
  const resolved = e.target !== e.specifier ? ` (${e.target})` : '';
  return `${e.from}:${e.line} imports '${e.specifier}'${resolved}`;
}

/** Rule (a): the engine and the script compiler import nothing outside the core and do no I/O. */
function coreViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const e of graph.edges) {
    if (!CORE.some((dir) => e.from.startsWith(dir))) continue;
    if (isRelative(e.specifier)) {
      const outside = OUTSIDE_CORE.find((dir) => e.target.startsWith(dir));
      if (outside !== undefined) out.push(`${where(e)}: the core must not depend on ${outside}`);
    } else if (isBuiltin(e.specifier)) {
      const name = e.specifier.startsWith('node:') ? e.specifier : `node:${e.specifier}`;
      if (!CORE_BUILTINS.has(name)) out.push(`${where(e)}: the core does no I/O; its only builtins are ${[...CORE_BUILTINS].join(', ')}`);
    } else if (IO_PACKAGES.has(packageName(e.specifier))) {
      out.push(`${where(e)}: the core does no I/O`);
    }
  }
  return out;
}

/** `hoiio` for `src/provider/hoiio/client.ts`; undefined for the shared `src/provider/*.ts`. */
function adapterOf(file: string): string | undefined {
  const match = /^src\/provider\/([^/]+)\//.exec(file);
  return match?.[1];
}

/** Rule (b): an adapter folder uses the shared provider files, never another adapter. */
function adapterViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const e of graph.edges) {
    const from = adapterOf(e.from);
    const to = adapterOf(e.target);
    if (from !== undefined && to !== undefined && from !== to) {
      out.push(`${where(e)}: the ${from} adapter must not use the ${to} adapter (shared code goes in src/provider/*.ts)`);
    }
  }
  return out;
}

/** Rule (c): no file reaches itself through its imports. */
/** What a simulator may use besides itself: the shared pure helpers, never the engine, the runtime, an adapter or a server. */
const SIMULATOR_MAY_USE = ['src/simulator/', 'src/util/', 'src/voices/', 'src/markup/'];

/** `twiml` for `src/simulator/twiml/player.ts`; undefined for the shared network in `src/simulator/*.ts`. */
function dialectOf(file: string): string | undefined {
  return /^src\/simulator\/([^/]+)\//.exec(file)?.[1];
}

/**
 * Rule (c): the simulators are black boxes to the engine (HTTP only), so they
 * can catch it being wrong; sharing its code would make them agree with it.
 */
function simulatorViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const e of graph.edges) {
    if (!e.from.startsWith('src/simulator/') || !isRelative(e.specifier)) continue;
    if (!SIMULATOR_MAY_USE.some((dir) => e.target.startsWith(dir))) out.push(`${where(e)}: a simulator uses only ${SIMULATOR_MAY_USE.join(', ')}`);
    // One dialect per folder on one shared network: what two dialects need lives in src/simulator/ itself.
    const from = dialectOf(e.from);
    const to = dialectOf(e.target);
    if (to !== undefined && from !== to) out.push(`${where(e)}: the ${from ?? 'network'} side must not use the ${to} dialect (shared parts go in src/simulator/*.ts)`);
  }
  return out;
}

function cycleViolations(graph: ImportGraph): string[] {
  return findCycles(graph.files, graph.edges).map((cycle) => `import cycle: ${cycle.join(' → ')}`);
}

/** Relative imports that name no file: the resolver would silently drop those edges. */
function unresolved(graph: ImportGraph): string[] {
  const known = new Set(graph.files);
  return graph.edges
    .filter((e) => isRelative(e.specifier) && !known.has(e.target) && !existsSync(join(ROOT, e.target)))
    .map((e) => `${where(e)}: no such file`);
}

describe('the rules catch violations (an in-memory graph)', () => {
  test('the core importing a server, a provider, the dev folder or a file loader', () => {
    const graph = graphOf({
      'src/engine/a.ts': "import { startServer } from '../server/start.js';\nimport type { Provider } from '../provider/provider.js';",
      'src/script/b.ts': "export { startDevServer } from '../dev/server.js';\nconst load = () => import('../script-files/load.js');",
      'src/engine/fine.ts': "import { compile } from '../script/compile.js';\nimport { Template } from '../template/template.js';",
      'src/server/start.ts': '',
      'src/provider/provider.ts': '',
      'src/dev/server.ts': '',
      'src/script-files/load.ts': '',
      'src/script/compile.ts': '',
      'src/template/template.ts': '',
    });
    expect(coreViolations(graph)).toEqual([
      "src/engine/a.ts:1 imports '../server/start.js' (src/server/start.ts): the core must not depend on src/server/",
      "src/engine/a.ts:2 imports '../provider/provider.js' (src/provider/provider.ts): the core must not depend on src/provider/",
      "src/script/b.ts:1 imports '../dev/server.js' (src/dev/server.ts): the core must not depend on src/dev/",
      "src/script/b.ts:2 imports '../script-files/load.js' (src/script-files/load.ts): the core must not depend on src/script-files/",
    ]);
  });

  test('the core doing I/O through a builtin or a package; hashing is allowed', () => {
    const graph = graphOf({
      'src/script/a.ts': [
        "import { readFileSync } from 'node:fs';",
        "import { readFile } from 'fs/promises';",
        "import { request } from 'undici';",
        "import { serve } from '@hono/node-server';",
        "import { bodyLimit } from 'hono/body-limit';",
        "import { createHash } from 'node:crypto';",
        "import { parseDocument } from 'yaml';",
      ].join('\n'),
      // Outside the core the same imports are fine.
      'src/server/a.ts': "import { readFileSync } from 'node:fs';\nimport { Hono } from 'hono';",
    });
    expect(coreViolations(graph)).toEqual([
      "src/script/a.ts:1 imports 'node:fs': the core does no I/O; its only builtins are node:crypto",
      "src/script/a.ts:2 imports 'fs/promises': the core does no I/O; its only builtins are node:crypto",
      "src/script/a.ts:3 imports 'undici': the core does no I/O",
      "src/script/a.ts:4 imports '@hono/node-server': the core does no I/O",
      "src/script/a.ts:5 imports 'hono/body-limit': the core does no I/O",
    ]);
  });

  test('an adapter using another adapter; shared provider files are fine', () => {
    const graph = graphOf({
      'src/provider/provider.ts': '',
      'src/provider/twilio/client.ts': "import { sign } from '../hoiio/signature.js';\nimport type { Provider } from '../provider.js';",
      'src/provider/hoiio/signature.ts': "import type { Provider } from '../provider.js';\nimport { x } from './status.js';",
      'src/provider/hoiio/status.ts': '',
    });
    expect(adapterViolations(graph)).toEqual([
      "src/provider/twilio/client.ts:1 imports '../hoiio/signature.js' (src/provider/hoiio/signature.ts): the twilio adapter must not use the hoiio adapter (shared code goes in src/provider/*.ts)",
    ]);
  });

  test('a simulator using the engine, the runtime, an adapter or another dialect; shared pure helpers are fine', () => {
    const graph = graphOf({
      'src/simulator/twiml/player.ts': "import { formatParts } from '../../engine/parts.js';\nimport { isE164 } from '../../util/e164.js';\nimport { POLLY_VOICES } from '../../voices/polly.js';",
      'src/simulator/jambonz/verbs.ts': "import type { Block } from '../../provider/twiml/render.js';\nimport { x } from '../session.js';\nimport { y } from '../twiml/heard.js';",
      'src/simulator/twiml/heard.ts': '',
      'src/simulator/network.ts': "import { z } from './twiml/heard.js';",
      'src/engine/parts.ts': '',
      'src/util/e164.ts': '',
      'src/voices/polly.ts': '',
      'src/provider/twiml/render.ts': '',
      'src/simulator/session.ts': '',
    });
    expect(simulatorViolations(graph)).toEqual([
      "src/simulator/jambonz/verbs.ts:1 imports '../../provider/twiml/render.js' (src/provider/twiml/render.ts): a simulator uses only src/simulator/, src/util/, src/voices/, src/markup/",
      "src/simulator/jambonz/verbs.ts:3 imports '../twiml/heard.js' (src/simulator/twiml/heard.ts): the jambonz side must not use the twiml dialect (shared parts go in src/simulator/*.ts)",
      "src/simulator/network.ts:1 imports './twiml/heard.js' (src/simulator/twiml/heard.ts): the network side must not use the twiml dialect (shared parts go in src/simulator/*.ts)",
      "src/simulator/twiml/player.ts:1 imports '../../engine/parts.js' (src/engine/parts.ts): a simulator uses only src/simulator/, src/util/, src/voices/, src/markup/",
    ]);
  });

  test('a cycle, through a type-only import and a re-export, is reported with its path', () => {
    const graph = graphOf({
      'src/phone/routes.ts': "import { DEFAULT_CALLER } from '../testbench/bench.js';",
      'src/testbench/bench.ts': "import type { DevServer } from '../server/dev.js';",
      'src/server/dev.ts': "export { phoneRoutes } from '../phone/routes.js';",
      'src/server/self.ts': "import { me } from './self.js';",
      'src/leaf.ts': "import { DEFAULT_CALLER } from './testbench/bench.js';",
    });
    expect(cycleViolations(graph)).toEqual([
      'import cycle: src/phone/routes.ts → src/testbench/bench.ts → src/server/dev.ts → src/phone/routes.ts',
      'import cycle: src/server/self.ts → src/server/self.ts',
    ]);
  });

  test('imports in comments and strings are not imports', () => {
    const graph = graphOf({
      'src/engine/a.ts': "// import { x } from '../server/app.js';\nconst s = \"import '../server/app.js'\";\n/* export * from '../dev/server.js' */",
    });
    expect(graph.edges).toEqual([]);
  });
});

describe('src/', () => {
  const graph = readImportGraph(ROOT, 'src');

  test('the graph is the real one: every relative import resolves, and the core is in it', () => {
    expect(unresolved(graph)).toEqual([]);
    expect(graph.files).toContain('src/engine/interpreter.ts');
    expect(graph.files).toContain('src/script/compile.ts');
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'src/script/compile.ts', specifier: 'node:crypto' }));
  });

  test('the engine and the script compiler import nothing that serves, stores or does I/O', () => {
    expect(coreViolations(graph)).toEqual([]);
  });

  test('provider adapters do not import each other', () => {
    expect(adapterViolations(graph)).toEqual([]);
  });

  test('the simulators import nothing of the engine, the runtime, the adapters or the servers, nor one dialect another', () => {
    expect(graph.files).toContain('src/simulator/twiml/player.ts');
    expect(simulatorViolations(graph)).toEqual([]);
  });

  test('there are no import cycles', () => {
    expect(cycleViolations(graph)).toEqual([]);
  });
});
