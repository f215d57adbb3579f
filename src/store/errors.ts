/**
 * Why a store refused or failed. Each has a stable `code` the runner, the CLI and
 * the HTTP layer branch on.
 */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** A call's lock stayed held by someone else for longer than the caller was willing to wait. */
export class LockTimeoutError extends StoreError {
  constructor(
    readonly id: string,
    readonly waitedMs: number,
  ) {
    super('CS_LOCK_TIMEOUT', `call ${id} stayed locked by another holder for ${waitedMs} ms`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * A write carried a lease that is no longer the call's current one: the lock
 * expired and another holder took it (or the lease was released). The write was
 * not applied, so a stale holder can never overwrite a newer state.
 */
export class StaleLeaseError extends StoreError {
  constructor(
    readonly id: string,
    readonly fence: number,
  ) {
    super('CS_STALE_LEASE', `call ${id}: lease ${fence} is no longer current; the write was refused`);
    this.name = 'StaleLeaseError';
  }
}

/** `--store` could not be understood. */
export class StoreSpecError extends StoreError {
  constructor(
    readonly spec: string,
    message: string,
  ) {
    super('CS_BAD_STORE', message);
    this.name = 'StoreSpecError';
  }
}

/** Another process already runs on this SQLite file (a single-server store). */
export class StoreInUseError extends StoreError {
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      'CS_STORE_IN_USE',
      `${path} is in use by another callscript process; a SQLite store serves one server ` +
        '(use another file, or a redis:// store to share calls between servers)',
      options,
    );
    this.name = 'StoreInUseError';
  }
}

/** The store could not be opened or reached (bad path, Redis down, unknown schema). */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CS_STORE_UNAVAILABLE', message, options);
    this.name = 'StoreUnavailableError';
  }
}
