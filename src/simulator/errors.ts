/**
 * Errors thrown by the simulator's own API (not Hoiio API errors, which are `status` strings).
 * `code` is stable: the control plane returns it and UIs switch on it.
 */
export class SimulatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** `call.act()` with no decision pending. */
export class NoPendingDecisionError extends SimulatorError {
  constructor(session: string) {
    super('no_pending_decision', `call ${session} is not waiting for a caller decision`);
  }
}

/** `call.act()` with an action that does not fit the pending block (e.g. press during play). */
export class ActionMismatchError extends SimulatorError {
  constructor(session: string, block: string, action: string) {
    super('action_not_allowed', `call ${session}: action "${action}" does not fit the pending ${block}`);
  }
}

/** A caller action that is malformed whatever the block (bad digits, unknown type). */
export class InvalidActionError extends SimulatorError {
  constructor(detail: string) {
    super('invalid_action', detail);
  }
}

export class CallEndedError extends SimulatorError {
  constructor(session: string) {
    super('call_ended', `call ${session} has ended`);
  }
}

export class UnknownCallError extends SimulatorError {
  constructor(session: string) {
    super('unknown_call', `no call ${session}`);
  }
}

/** `ring()` without a Voice Notify URL for the number. */
export class NoVoiceNotifyUrlError extends SimulatorError {
  constructor(to: string) {
    super('no_voice_notify_url', `no Voice Notify URL configured for ${to}`);
  }
}

export class InvalidRingError extends SimulatorError {
  constructor(detail: string) {
    super('invalid_ring', detail);
  }
}

export class SimulatorClosedError extends SimulatorError {
  constructor() {
    super('simulator_closed', 'the simulator is closed');
  }
}

export class WaitTimeoutError extends SimulatorError {
  constructor(what: string, ms: number) {
    super('wait_timeout', `timed out after ${ms} ms waiting for ${what}`);
  }
}
