/**
 * Why a provider request failed, with what the engine may do about it.
 *
 * `retryable` is true only where the block provably did not run (the connection
 * never opened, the provider said it is rate limited or not ready); anything else
 * might have run, and repeating it could make the caller hear a message twice.
 */
export class ProviderError extends Error {
  constructor(
    /** Stable code: the provider's own status (`error_session_ended`) or one of ours (`E_PROVIDER_*`). */
    readonly code: string,
    message: string,
    readonly options: {
      readonly retryable: boolean;
      /** The session no longer exists: sending anything else is pointless. */
      readonly sessionGone?: boolean;
      /**
       * The session is still running an earlier block, so this one did not run. Recovery after a
       * crash reads it as proof that the block it sends again had reached the provider already.
       */
      readonly sessionBusy?: boolean;
      readonly httpStatus?: number;
      readonly cause?: unknown;
    },
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ProviderError';
  }

  get retryable(): boolean {
    return this.options.retryable;
  }

  get sessionGone(): boolean {
    return this.options.sessionGone === true;
  }

  get sessionBusy(): boolean {
    return this.options.sessionBusy === true;
  }
}

/** Our own transport-level codes. */
export const ProviderErrorCode = {
  unreachable: 'E_PROVIDER_UNREACHABLE',
  timeout: 'E_PROVIDER_TIMEOUT',
  connectionReset: 'E_PROVIDER_CONNECTION_RESET',
  badResponse: 'E_PROVIDER_BAD_RESPONSE',
  closed: 'E_PROVIDER_CLOSED',
} as const;

/**
 * A variable a provider needs is not set (or not usable): `serve` prints it and
 * refuses to start. Credentials come only from the environment.
 */
export class ProviderEnvError extends Error {
  readonly code = 'CS_PROVIDER_ENV';
  constructor(
    readonly provider: string,
    readonly variable: string,
    message?: string,
  ) {
    super(message ?? `${variable} must be set to run with --provider ${provider}`);
    this.name = 'ProviderEnvError';
  }
}
