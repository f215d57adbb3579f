/**
 * `callscript test`'s defaults, apart from the runner: the command shows them in
 * its options without loading the simulator, runtime and stores the runner needs.
 */
export const DEFAULT_JOBS = 4;
export const DEFAULT_CASE_TIMEOUT_MS = 15_000;
