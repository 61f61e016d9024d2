/**
 * @etcd-dr/verify: proves a cluster is healthy after a restore.
 *
 * Today: running and parsing `gkectl diagnose cluster`. The native etcd/Kubernetes checks come later.
 */
export type { DecideVerdictOptions, Decision } from './gkectl/decide-verdict.js';
export { decideVerdict } from './gkectl/decide-verdict.js';
export type {
  DiagnoseCategory,
  DiagnoseCheck,
  DiagnoseCheckStatus,
  DiagnoseOutput,
  DiagnoseVerdict,
  UnparsedLine,
} from './gkectl/diagnose-output.js';
export type { LineSplitter } from './gkectl/line-splitter.js';
export { createLineSplitter } from './gkectl/line-splitter.js';
export { parseDiagnoseOutput } from './gkectl/parse-diagnose-output.js';
export type { DiagnoseReport, ParseDiagnoseReportOptions } from './gkectl/parse-diagnose-report.js';
export { parseDiagnoseReport } from './gkectl/parse-diagnose-report.js';
export type { DiagnoseReportResult, ReadDiagnoseReportOptions } from './gkectl/read-diagnose-report.js';
export { readDiagnoseReport } from './gkectl/read-diagnose-report.js';
export type {
  DiagnoseLineEvent,
  GkectlDiagnoseResult,
  RunGkectlDiagnoseOptions,
} from './gkectl/run-gkectl-diagnose.js';
export { runGkectlDiagnose } from './gkectl/run-gkectl-diagnose.js';
export type { VerifyErrorCode, VerifyErrorOptions } from './verify-error.js';
export { VerifyError } from './verify-error.js';
