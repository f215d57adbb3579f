#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { nodeProblem } from './node-check.js';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const problem = nodeProblem(process.versions.node, engines?.node);
if (problem !== undefined) {
  console.error(problem);
  process.exit(1);
}

// Loaded only once the version is known to be good: an older Node cannot even parse the build.
const { main } = await import('../dist/cli/main.js');
main(process.argv).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
