/**
 * The script as YAML gives it (after `toJS`), before defaults and templates.
 * Semantic checks read it defensively (it may not match the schema yet), the
 * builder trusts it (it only runs when there are no errors).
 */
import type { VarValue } from './model.js';
import { STEP_KINDS } from './limits.js';
import type { StepKindName } from './schema.js';

export type RawRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property (never one inherited from Object.prototype, e.g. a step called `constructor`). */
export function own(record: RawRecord, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function ownString(record: RawRecord, key: string): string | undefined {
  const value = own(record, key);
  return typeof value === 'string' ? value : undefined;
}

export function ownRecord(record: RawRecord, key: string): RawRecord | undefined {
  const value = own(record, key);
  return isRecord(value) ? value : undefined;
}

/** The kind keys a step has, in the order of STEP_KINDS. */
export function kindsOf(step: RawRecord): StepKindName[] {
  return STEP_KINDS.filter((kind) => Object.hasOwn(step, kind));
}

export interface RawInvalid {
  readonly message?: string;
  readonly retries?: number;
  readonly goto?: string;
}

export interface RawDefaults {
  readonly gather?: { readonly max_digits?: number; readonly timeout?: number; readonly attempts?: number };
  readonly record?: { readonly max_duration?: number };
  readonly invalid?: { readonly message?: string; readonly retries?: number };
}

export interface RawScript {
  readonly name?: string;
  readonly description?: string;
  readonly numbers?: readonly string[];
  readonly vars?: Readonly<Record<string, VarValue>>;
  readonly defaults?: RawDefaults;
  readonly start?: string;
  readonly steps: Readonly<Record<string, RawRecord>>;
}
