/** The script format: compiling YAML call flows and loading them from disk. */
export { compile, scriptVersion, type CompileOptions, type CompileResult } from './compile.js';
export { loadScripts, type LoadResult } from './load.js';
export { ScriptError, formatDiagnostic, type Diagnostic, type Severity } from './diagnostic.js';
export type {
  GatherInvalid,
  GatherStep,
  HangupStep,
  MonitorStep,
  PlayStep,
  RecordStep,
  Script,
  Step,
  StepId,
  StepKind,
  TransferStep,
  VarValue,
} from './model.js';
export { CALL_FIELDS, MAX_MESSAGE_LENGTH, MAX_TAG_LENGTH, RESERVED_NAMES, STEP_KINDS } from './limits.js';
