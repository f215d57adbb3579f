/** The Hoiio IVR simulator: public API. */
export { startSimulator, DEFAULT_TIMING } from './simulator.js';
export { createSimulatorControl, summarize, type CallSummary } from './control.js';
export {
  scriptedCaller,
  interactiveCaller,
  randomCaller,
  type CallerScript,
  type InteractiveOptions,
  type RandomCallerOptions,
} from './caller.js';
export { randomFaults, type RandomFaultOptions, type DelayChance } from './faults.js';
export { allowedActions, parseCallerAction } from './actions.js';
export { sign as signNotification } from './notifier.js';
export { checkMsg, spokenText, MSG_MAX_LENGTH } from './markup.js';
export { silentMp3 } from './recordings.js';
export { createPrng, hashSeed, type Prng } from './prng.js';
export {
  SimulatorError,
  NoPendingDecisionError,
  ActionMismatchError,
  InvalidActionError,
  CallEndedError,
  UnknownCallError,
  NoVoiceNotifyUrlError,
  InvalidRingError,
  SimulatorClosedError,
  WaitTimeoutError,
} from './errors.js';
export type * from './types.js';
