/** The script format: compiling YAML call flows (loading them from disk is src/script-files). */
export { compile, scriptVersion, type CompileOptions, type CompileResult } from './compile.js';
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
export { CALL_FIELDS, RESERVED_NAMES, STEP_KINDS } from './limits.js';
