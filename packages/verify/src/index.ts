/**
 * @etcd-dr/verify: proves a cluster is healthy after a restore.
 *
 * `verifyCluster` runs `gkectl diagnose cluster` (when available) and the native checks (etcd members, control
 * plane pods, user API, inventory against a bundle); `runDrill` proves a bundle restores.
 */

export type { FindExecutableOptions } from './cluster/find-executable.js';
export { findExecutable } from './cluster/find-executable.js';
export type {
  ClusterVerification,
  GkectlOptions,
  GkectlOutcome,
  VerifyClusterOptions,
} from './cluster/verify-cluster.js';
export { verifyCluster } from './cluster/verify-cluster.js';
export type { CreateSdkDrillRestoreOptions } from './drill/create-sdk-drill-restore.js';
export { createSdkDrillRestore } from './drill/create-sdk-drill-restore.js';
export type {
  DrillOptionsBase,
  RunDrillOptions,
  SandboxDrillOptions,
  TargetDrillOptions,
} from './drill/drill-options.js';
export type {
  DrillReport,
  DrillRestore,
  DrillRestoreArguments,
  DrillRestoreResult,
  DrillSandbox,
  DrillSandboxStarter,
  DrillStep,
  DrillStepEvent,
} from './drill/drill-report.js';
export { formatDuration, renderDrillMarkdown } from './drill/render-drill-markdown.js';
export { runDrill } from './drill/run-drill.js';
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
export type {
  CompareInventoriesOptions,
  InventoryDiffRow,
} from './native/compare-inventories.js';
export { compareInventories, summarizeInventoryDiff } from './native/compare-inventories.js';
export type { ControlPlaneLayout, EtcdCertificates } from './native/control-plane-layout.js';
export {
  controlPlaneLayout,
  etcdProbeCommand,
  etcdProbeSeparator,
  listKeysCommand,
} from './native/control-plane-layout.js';
export type { ControlPlanePod } from './native/control-plane-pod.js';
export type { JudgeControlPlanePodsOptions } from './native/judge-control-plane-pods.js';
export { isReady, judgeControlPlanePods } from './native/judge-control-plane-pods.js';
export type {
  EtcdMemberJudgement,
  EtcdMemberProbe,
  EtcdMemberState,
  JudgeEtcdMembersOptions,
} from './native/judge-etcd-members.js';
export { judgeEtcdMembers } from './native/judge-etcd-members.js';
export type { NativeCheck, NativeCheckName, NativeCheckOutcome } from './native/native-check.js';
export type { EtcdEndpointHealth, EtcdEndpointStatus } from './native/parse-etcd-endpoint-output.js';
export { parseEtcdEndpointHealth, parseEtcdEndpointStatus } from './native/parse-etcd-endpoint-output.js';
export type { BundleInventory, ReadBundleInventoryOptions } from './native/read-bundle-inventory.js';
export { readBundleInventory } from './native/read-bundle-inventory.js';
export type { LiveInventory, ReadLiveInventoryOptions } from './native/read-live-inventory.js';
export { readLiveInventory } from './native/read-live-inventory.js';
export type {
  InventoryComparison,
  NativeVerification,
  RunNativeChecksOptions,
} from './native/run-native-checks.js';
export { runNativeChecks } from './native/run-native-checks.js';
export type { VerifyErrorCode, VerifyErrorOptions } from './verify-error.js';
export { VerifyError } from './verify-error.js';
