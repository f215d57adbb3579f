/**
 * Script tests as parsed from a `*.test.yaml` file: which script, and per case the
 * caller, the caller's actions and the expected transcript. Positions are kept so
 * failures point back into the file.
 */
import type { Outcome } from '../engine/state.js';
import type { BlockName } from '../simulator/types.js';
import type { CallerMove, ParamName } from './transcript.js';
import type { ServiceSpec } from './services.js';

export type Matcher =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'contains'; readonly value: string }
  | { readonly kind: 'matches'; readonly regex: RegExp }
  /** `- monitor:` with nothing: any message, or none. */
  | { readonly kind: 'any' };

/** Blocks a test can expect (hold/unhold are never sent by the engine). */
export const EXPECTABLE_BLOCKS = ['dial', 'play', 'gather', 'record', 'monitor', 'transfer', 'hangup'] as const;
export type ExpectableBlock = (typeof EXPECTABLE_BLOCKS)[number] & BlockName;

export interface ExpectedTurn {
  readonly block: ExpectableBlock;
  readonly message: Matcher;
  readonly params: Readonly<Partial<Record<ParamName, Matcher>>>;
  /** The caller's action at this block. */
  readonly caller?: CallerMove;
  readonly line: number;
}

export interface CallerSpec {
  readonly from?: string;
  readonly to?: string;
  /** Absent: outbound when the script has no numbers, inbound otherwise. */
  readonly outbound?: boolean;
  readonly vars: Readonly<Record<string, string>>;
}

export interface TestCase {
  readonly name: string;
  readonly line: number;
  readonly caller: CallerSpec;
  /** The caller's actions when they are not attached to expectations. */
  readonly actions?: readonly CallerMove[];
  readonly expect?: readonly ExpectedTurn[];
  readonly outcome?: Outcome;
  readonly vars?: Readonly<Record<string, Matcher>>;
  /** Index of the case in the file's `cases` (for --update). */
  readonly index: number;
  /** The wall-clock time (ms) `hours` steps see during this case's call. */
  readonly now?: number;
}

export interface TestFile {
  readonly file: string;
  readonly script: string;
  readonly cases: readonly TestCase[];
  /** Canned HTTP services started for this file's cases. */
  readonly services: readonly ServiceSpec[];
  /** Variables every case's call starts with (`{{services.x}}` not yet expanded). */
  readonly vars: Readonly<Record<string, string>>;
  /** Environment values for `{ env: NAME }` headers. */
  readonly env: Readonly<Record<string, string>>;
  /** The default `now` of the file's cases (ms). */
  readonly now?: number;
}

export function describeMatcher(m: Matcher): string {
  switch (m.kind) {
    case 'exact':
      return JSON.stringify(m.value);
    case 'contains':
      return `contains ${JSON.stringify(m.value)}`;
    case 'matches':
      return `matches /${m.regex.source}/${m.regex.flags}`;
    case 'any':
      return 'anything';
  }
}

export function matches(m: Matcher, actual: string | undefined): boolean {
  switch (m.kind) {
    case 'any':
      return true;
    case 'exact':
      return (actual ?? '') === m.value;
    case 'contains':
      return actual !== undefined && actual.includes(m.value);
    case 'matches':
      return actual !== undefined && m.regex.test(actual);
  }
}
