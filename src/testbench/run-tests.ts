/**
 * `callscript test`: finds `*.test.yaml` files beside the scripts, checks them, runs
 * every case as a real call (engine + simulator over loopback HTTP, several at once),
 * compares each call's transcript with the expectations, records coverage, and with
 * `update` writes the transcripts of cases that have no expectations yet.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Outcome } from '../engine/state.js';
import type { Logger } from '../log/logger.js';
import type { Diagnostic } from '../script/diagnostic.js';
import { loadScripts } from '../script-files/load.js';
import type { Script } from '../script/model.js';
import { Bench, finalVars, PlaceCallError } from './bench.js';
import { planAgent, positionalPlan, queuePlan } from './caller-plan.js';
import type { CoverageReport } from './coverage.js';
import { checkCase, type CaseVerdict } from './match.js';
import { parseTestFile } from './parse-test-file.js';
import type { TestCase, TestFile } from './test-file.js';
import { buildTranscript, type Transcript } from './transcript.js';
import { writeGolden, type GoldenCase } from './update.js';
import { CannedServices } from './services.js';
import { DEFAULT_CASE_TIMEOUT_MS, DEFAULT_JOBS } from './run-defaults.js';
import type { CallSetup } from '../runtime/call-features.js';
import { capabilitiesOf } from '../provider/capability-tables.js';

export interface RunTestsOptions {
  /** Folders (their `*.test.yaml` and scripts) or test files (scripts from their folder). */
  readonly paths: readonly string[];
  /** Write the transcripts of cases without `expect:` into their files. */
  readonly update?: boolean;
  /** Cases run at once. */
  readonly jobs?: number;
  /** A call that has not ended after this long is hung up and fails its case. */
  readonly caseTimeoutMs?: number;
  readonly log?: Logger;
  /** Paths are shown relative to this. */
  readonly display?: (file: string) => string;
  /** Called as each case finishes (for live output). */
  readonly onCase?: (result: CaseResult) => void;
  /** `--now`: the wall-clock time (ms) `hours` steps see in cases that give no `now:` of their own. */
  readonly now?: number;
  /** The provider whose simulator runs the calls (`--provider`); default hoiio. Scripts are checked against its capability table. */
  readonly provider?: string;
}

/** `skipped`: the script needs what the provider's capability table says it cannot do; the case did not run. */
export type CaseStatus = 'passed' | 'failed' | 'updated' | 'skipped';

export interface CaseResult {
  readonly file: string;
  readonly name: string;
  readonly line: number;
  readonly status: CaseStatus;
  readonly verdict?: CaseVerdict;
  readonly transcript: Transcript;
  readonly outcome?: Outcome;
  readonly durationMs: number;
  /** Why a skipped case did not run. */
  readonly reason?: string;
}

export interface FileReport {
  readonly file: string;
  readonly script: string;
  readonly cases: readonly CaseResult[];
}

export interface TestRunReport {
  readonly files: readonly FileReport[];
  /** Problems in scripts or test files: nothing of theirs ran. */
  readonly diagnostics: readonly Diagnostic[];
  readonly coverage?: CoverageReport;
  readonly passed: number;
  readonly failed: number;
  readonly updated: number;
  readonly skipped: number;
  readonly durationMs: number;
  /** The provider the calls ran on. */
  readonly provider: string;
  /** Expected parameters not compared: the provider never receives them (tags on a TwiML provider). */
  readonly unseenParams: readonly string[];
}

const TEST_FILE = /\.test\.ya?ml$/i;
/** What `validate --provider` reports when a script needs what the provider lacks (src/script/checks/capabilities.ts). */
const CAPABILITY_CODES: ReadonlySet<string> = new Set(['CS_PROVIDER_UNSUPPORTED', 'CS_PROVIDER_LIMIT', 'CS_MESSAGE_TOO_LONG']);
export { DEFAULT_CASE_TIMEOUT_MS, DEFAULT_JOBS };

function fileDiagnostic(file: string, message: string): Diagnostic {
  return { code: 'CS_FILE', severity: 'error', message, file, line: 1, column: 1, path: '' };
}

/** Test files and the script folders they belong to. */
async function discover(paths: readonly string[], problems: Diagnostic[]): Promise<{ testFiles: string[]; scriptDirs: string[] }> {
  const testFiles: string[] = [];
  const scriptDirs: string[] = [];
  const addDir = (dir: string): void => {
    if (!scriptDirs.some((d) => resolve(d) === resolve(dir))) scriptDirs.push(dir);
  };
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) {
        addDir(path);
        const names = (await readdir(path)).filter((n) => TEST_FILE.test(n)).sort();
        for (const name of names) testFiles.push(join(path, name));
      } else {
        addDir(dirname(path));
        testFiles.push(path);
      }
    } catch {
      problems.push(fileDiagnostic(path, `cannot read ${path}: no such file or directory`));
    }
  }
  return { testFiles, scriptDirs };
}

/** Runs `work` over `items`, at most `jobs` at a time, keeping the results in order. */
async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

interface CaseRun {
  readonly result: CaseResult;
  readonly golden?: GoldenCase;
}

/** What a case's call starts with: the file's vars (services expanded), its env, and the case's (or file's, or run's) `now`. */
function caseSetup(file: TestFile, test: TestCase, services: CannedServices | undefined, o: RunTestsOptions): CallSetup | undefined {
  const vars = Object.fromEntries(Object.entries(file.vars).map(([k, v]) => [k, services?.expand(v) ?? v]));
  const clock = test.now ?? file.now ?? o.now;
  const setup: CallSetup = {
    ...(Object.keys(vars).length > 0 ? { vars } : {}),
    ...(Object.keys(file.env).length > 0 ? { env: file.env } : {}),
    ...(clock !== undefined ? { clock } : {}),
  };
  return Object.keys(setup).length > 0 ? setup : undefined;
}

async function runCase(bench: Bench, script: Script, test: TestCase, o: RunTestsOptions, shown: string, setup: CallSetup | undefined, unseen: ReadonlySet<string>): Promise<CaseRun> {
  const started = Date.now();
  const notes: string[] = [];
  const decide = test.actions !== undefined ? queuePlan(test.actions, (m) => notes.push(m)) : positionalPlan(test.expect ?? []);
  const base = { file: shown, name: test.name, line: test.line };
  const outbound = test.caller.outbound ?? script.numbers.length === 0;
  let call;
  try {
    call = await bench.place({
      script,
      outbound,
      ...(test.caller.from !== undefined ? { from: test.caller.from } : {}),
      ...(test.caller.to !== undefined ? { to: test.caller.to } : {}),
      vars: test.caller.vars,
      agent: planAgent(decide),
      ...(setup !== undefined ? { setup } : {}),
    });
  } catch (err) {
    const message = err instanceof PlaceCallError ? `${err.message} [${err.code}]` : String(err);
    const verdict: CaseVerdict = { passed: false, turns: [], vars: [], notes: [`the call could not be placed: ${message}`] };
    return { result: { ...base, status: 'failed', verdict, transcript: { turns: [] }, durationMs: Date.now() - started } };
  }
  const limit = o.caseTimeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  const timer = setTimeout(() => {
    notes.push(`the call had not ended after ${limit / 1000} s: the caller hung up`);
    call.hangup();
  }, limit);
  const finished = await bench.finished(call).finally(() => clearTimeout(timer));
  const transcript = buildTranscript(call.transcript, finished.outcome);
  const durationMs = Date.now() - started;
  const common = { ...base, transcript, durationMs, ...(finished.outcome !== undefined ? { outcome: finished.outcome } : {}) };
  if (test.expect === undefined) {
    if (o.update === true && notes.length === 0) {
      return {
        result: { ...common, status: 'updated' },
        golden: {
          index: test.index,
          transcript,
          ...(finished.outcome !== undefined ? { outcome: finished.outcome } : {}),
          hasActions: test.actions !== undefined,
          hasOutcome: test.outcome !== undefined,
        },
      };
    }
    notes.push('no expectations yet: run `callscript test --update` to write this call\'s transcript into the case');
    return { result: { ...common, status: 'failed', verdict: { passed: false, turns: [], vars: [], notes } } };
  }
  const verdict = checkCase(test, transcript, finished.outcome, finalVars(script, finished.state), notes, unseen);
  return { result: { ...common, status: verdict.passed ? 'passed' : 'failed', verdict } };
}

export async function runTests(o: RunTestsOptions): Promise<TestRunReport> {
  const started = Date.now();
  const show = o.display ?? ((f: string) => f);
  const diagnostics: Diagnostic[] = [];
  const { testFiles, scriptDirs } = await discover(o.paths, diagnostics);
  const provider = o.provider ?? 'hoiio';
  // The bench runs scripts on the provider's simulator: they are checked against its table.
  const loaded = await loadScripts(scriptDirs, { provider: capabilitiesOf(provider) });
  const scriptErrors = loaded.diagnostics.filter((d) => d.severity === 'error');
  const empty = { files: [], passed: 0, failed: 0, updated: 0, skipped: 0, provider, unseenParams: [] };
  // A script refused only for what the provider cannot do still has tests: they are skipped with the reason, not failed.
  const unsupported = scriptErrors.filter((d) => CAPABILITY_CODES.has(d.code));
  if (scriptErrors.length > unsupported.length) {
    return { ...empty, diagnostics: [...diagnostics, ...scriptErrors.map((d) => ({ ...d, file: show(d.file) }))], durationMs: Date.now() - started };
  }
  const everyScript = unsupported.length > 0 ? (await loadScripts(scriptDirs)).scripts : loaded.scripts;
  const refused = new Map<string, string>();
  for (const d of unsupported) {
    const name = everyScript.find((s) => s.file !== undefined && resolve(s.file) === resolve(d.file))?.name;
    if (name !== undefined && !refused.has(name)) refused.set(name, `${provider} cannot run it: ${d.message} [${d.code}] (${show(d.file)}:${d.line}:${d.column})`);
  }
  const scripts = new Map(everyScript.map((s) => [s.name, s]));
  const parsed: Array<{ file: TestFile; source: string }> = [];
  const skippedFiles: FileReport[] = [];
  for (const path of testFiles) {
    const source = await readFile(path, 'utf8');
    const result = parseTestFile(source, path, scripts);
    if (!result.ok) {
      diagnostics.push(...result.diagnostics.map((d) => ({ ...d, file: show(d.file) })));
      continue;
    }
    const reason = refused.get(result.testFile.script);
    if (reason === undefined) {
      parsed.push({ file: result.testFile, source });
      continue;
    }
    const file = show(result.testFile.file);
    const cases = result.testFile.cases.map((c): CaseResult => ({ file, name: c.name, line: c.line, status: 'skipped', reason, transcript: { turns: [] }, durationMs: 0 }));
    for (const c of cases) o.onCase?.(c);
    skippedFiles.push({ file, script: result.testFile.script, cases });
  }
  if (testFiles.length === 0 && diagnostics.length === 0) {
    diagnostics.push(fileDiagnostic(o.paths.join(', '), `no test files (*.test.yaml) in ${o.paths.join(', ')}`));
  }

  const bench = await Bench.start({ scripts: loaded.scripts, provider, ...(o.log !== undefined ? { log: o.log } : {}) });
  const unseen = new Set(bench.dev.simulated.unseenParams);
  // Each file's canned services, on loopback ports of their own.
  const services = new Map<TestFile, CannedServices>();
  try {
    for (const { file } of parsed) if (file.services.length > 0) services.set(file, await CannedServices.start(file.services));
    const jobs = parsed.flatMap(({ file }) => file.cases.map((test) => ({ file, test })));
    const runs = await pool(jobs, o.jobs ?? DEFAULT_JOBS, async ({ file, test }) => {
      const setup = caseSetup(file, test, services.get(file), o);
      const run = await runCase(bench, scripts.get(file.script) as Script, test, o, show(file.file), setup, unseen);
      o.onCase?.(run.result);
      return { file, run };
    });
    if (o.update === true) {
      for (const { file, source } of parsed) {
        const golden = runs.filter((r) => r.file === file && r.run.golden !== undefined).map((r) => r.run.golden as GoldenCase);
        if (golden.length > 0) await writeFile(file.file, writeGolden(source, golden), 'utf8');
      }
    }
    const files: FileReport[] = [...skippedFiles, ...parsed.map(({ file }) => ({
      file: show(file.file),
      script: file.script,
      cases: runs.filter((r) => r.file === file).map((r) => r.run.result),
    }))];
    const all = files.flatMap((f) => f.cases);
    return {
      files,
      diagnostics,
      coverage: bench.coverage.report(),
      passed: all.filter((c) => c.status === 'passed').length,
      failed: all.filter((c) => c.status === 'failed').length,
      updated: all.filter((c) => c.status === 'updated').length,
      skipped: all.filter((c) => c.status === 'skipped').length,
      durationMs: Date.now() - started,
      provider,
      unseenParams: [...unseen],
    };
  } finally {
    await bench.close();
    await Promise.all([...services.values()].map((s) => s.close()));
  }
}
