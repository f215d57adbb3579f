/** Types of tools/generate-validators.mjs, for the test that checks its output is current. */
export interface ValidatorSpec {
  readonly schema: string;
  readonly module: string;
  readonly keywords: readonly string[];
}

export declare const VALIDATORS: readonly ValidatorSpec[];

/** Every validator module as it should be, paths relative to the repository root. */
export declare function generateValidators(): Array<{ readonly module: string; readonly text: string }>;
