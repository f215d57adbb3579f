/** What the soak's simulator process reports, and the soak's own findings. */

export const SOAK_APP_ID = 'soak-app';
export const SOAK_ACCESS_TOKEN = 'soak-token';

export type ForgeKind = 'wrong-token' | 'unsigned' | 'other-session' | 'unknown-call';

export interface ForgeOutcome {
  readonly kind: ForgeKind;
  /** The call whose notify URL was forged. */
  readonly session: string;
  /** The status the engine must answer (it must never be 2xx). */
  readonly expected: number;
  readonly status: number;
}

export interface ViolationReport {
  readonly seq: number;
  readonly kind: string;
  readonly block: string | null;
  readonly detail: string;
}

export interface SimCallReport {
  readonly session: string;
  readonly direction: 'inbound' | 'outbound';
  readonly to: string;
  readonly state: string;
  readonly endReason: string | null;
  readonly blocks: number;
  /** Simulator seq of the first block that ran but whose answer a fault lost (the engine could not know it ran). */
  readonly answerLostAt: number | null;
  readonly violations: readonly ViolationReport[];
}

export interface SimReport {
  readonly calls: readonly SimCallReport[];
  /** Violations of requests without a known session. */
  readonly unattributed: readonly ViolationReport[];
  /** Faults injected, by kind. */
  readonly injected: Readonly<Record<string, number>>;
  readonly forged: readonly ForgeOutcome[];
  readonly requests: number;
}

/** The engine's side of a call, from the runner's hooks. */
export interface EngineCall {
  readonly id: string;
  session: string;
  readonly direction: string;
  readonly script: string;
  outcome: string | null;
}

export interface Invariant {
  readonly name: string;
  readonly checked: number;
  readonly broken: number;
  /** Up to a few broken cases, for the summary. */
  readonly examples: readonly string[];
  /** Cases set aside with the reason (not counted as broken). */
  readonly excused?: number;
  readonly excusedWhy?: string;
}
