/**
 * The public API of @etcd-dr/sdk, grouped by folder (kept in this order by the import sorter): apply/
 * (applyRestore, restoreCluster, journal, lock), backup/ (backupCluster and its pieces), bundle-crypto/
 * (age), bundle/ (writer, reader, manifest), cluster/ (etcd-dr.yaml), errors/, plan/, restore/
 * (prepareRestore, gatherRestoreTarget, planRestore, step executors), snapshot/ (offline inspection), tar/,
 * transport/kube and transport/ssh.
 */
export type {
  ApplyRestoreOptions,
  FailedRestoreError,
  RestoreResult,
  RestoreStepResult,
} from './apply/apply-restore.js';
export { applyRestore } from './apply/apply-restore.js';
export { groupSteps } from './apply/group-steps.js';
export type { RestoreClusterOptions } from './apply/restore-cluster.js';
export { restoreCluster } from './apply/restore-cluster.js';
export type { JournalStep, RestoreJournal } from './apply/restore-journal.js';
export { journalFileName, planIdOf, readRestoreJournal } from './apply/restore-journal.js';
export type { AcquireRestoreLockOptions, RestoreLockInfo } from './apply/restore-lock.js';
export { acquireRestoreLock, lockFileName } from './apply/restore-lock.js';
export type { RestoreProgressEvent } from './apply/restore-progress.js';
export type { StepContext, StepExecutor, StepProgressEvent } from './apply/step-executor.js';
export type { WaitUntilOptions } from './apply/wait-until.js';
export { waitUntil } from './apply/wait-until.js';
export type {
  BackupClusterOptions,
  BackupClusterResult,
} from './backup/backup-cluster.js';
export { backupCluster } from './backup/backup-cluster.js';
export type { BackupErrorCode, BackupStep } from './backup/backup-error.js';
export { BackupError } from './backup/backup-error.js';
export type {
  BackupNodePkiOptions,
  NodePkiBackup,
} from './backup/backup-node-pki.js';
export { backupNodePki, etcdManifestPath, nodePkiDirectory } from './backup/backup-node-pki.js';
export type { BackupProgressEvent } from './backup/backup-progress.js';
export type {
  BackupNodeConnections,
  ConnectBackupNodesOptions,
} from './backup/connect-backup-nodes.js';
export { connectBackupNodes } from './backup/connect-backup-nodes.js';
export type { CheckControlplaneV2EtcdPodsOptions } from './backup/controlplane-v2-etcd-pods.js';
export {
  checkControlplaneV2EtcdPods,
  etcdMemberOfCommand,
  etcdPodMember,
  etcdPodSelector,
} from './backup/controlplane-v2-etcd-pods.js';
export type { DetectedTopology, DetectTopologyOptions } from './backup/detect-topology.js';
export { detectTopology, topologyOfOnPremUserCluster } from './backup/detect-topology.js';
export type { KubeceptionMembersOptions } from './backup/kubeception-members.js';
export { kubeceptionMembers } from './backup/kubeception-members.js';
export type { PickEtcdPodOptions } from './backup/pick-etcd-pod.js';
export { isPodReady, kubeEtcdPods, pickEtcdPod } from './backup/pick-etcd-pod.js';
export type {
  BackupPlan,
  BackupPlanStepKind,
  PlanBackupOptions,
} from './backup/plan-backup.js';
export { planBackup, sshLine } from './backup/plan-backup.js';
export type {
  EtcdClientCertificates,
  EtcdPodCommand,
  EtcdPodSnapshotPlan,
  PlanEtcdPodSnapshotOptions,
  SnapshotMarkers,
} from './backup/plan-etcd-pod-snapshot.js';
export {
  etcdClientCertificates,
  parseSnapshotMarkers,
  planEtcdPodSnapshot,
  snapshotMarkers,
} from './backup/plan-etcd-pod-snapshot.js';
export type {
  KubeceptionBackupCommand,
  KubeceptionBackupPlan,
  PlanKubeceptionBackupOptions,
} from './backup/plan-kubeception-backup.js';
export { planKubeceptionBackup } from './backup/plan-kubeception-backup.js';
export type {
  EtcdPodSnapshot,
  RunBackupStep,
  SnapshotEtcdPodOptions,
} from './backup/snapshot-etcd-pod.js';
export { parseEndpointDbSize, parseEndpointVersion, snapshotEtcdPod } from './backup/snapshot-etcd-pod.js';
export type { SnapshotStreamHashResult } from './backup/snapshot-stream-hash.js';
export { SnapshotStreamHash } from './backup/snapshot-stream-hash.js';
export type { StreamEtcdPodSnapshotOptions } from './backup/stream-etcd-pod-snapshot.js';
export { streamEtcdPodSnapshot } from './backup/stream-etcd-pod-snapshot.js';
export type { StreamPodFileOptions } from './backup/stream-pod-file.js';
export { streamPodFile } from './backup/stream-pod-file.js';
export type { BundleErrorCode } from './bundle/bundle-error.js';
export { BundleError } from './bundle/bundle-error.js';
export type { BundleFilePathOptions } from './bundle/bundle-file-path.js';
export { bundleFilePath } from './bundle/bundle-file-path.js';
export type {
  BundleEncryption,
  BundleFile,
  BundleFileRole,
  BundleManifest,
  BundleManifestInput,
  BundleMember,
  BundleRestoreReport,
} from './bundle/bundle-manifest.js';
export {
  bundleEncryptionSchema,
  bundleFilePathSchema,
  bundleFileRoleSchema,
  bundleFileSchema,
  bundleFormatVersion,
  bundleManifestSchema,
  bundleMemberSchema,
  bundleRestoreReportSchema,
} from './bundle/bundle-manifest.js';
export type {
  AddBundleFileOptions,
  BundleContent,
  BundleFormat,
  BundleWriter,
  CommitBundleOptions,
  CommitBundleResult,
  CreateBundleWriterOptions,
} from './bundle/create-bundle-writer.js';
export { createBundleWriter } from './bundle/create-bundle-writer.js';
export type { ParseBundleManifestOptions } from './bundle/parse-bundle-manifest.js';
export { parseBundleManifest } from './bundle/parse-bundle-manifest.js';
export type {
  Bundle,
  BundleFileLocation,
  BundleStoredEntry,
  ReadBundleOptions,
} from './bundle/read-bundle.js';
export { readBundle } from './bundle/read-bundle.js';
export type {
  BundleFileVerification,
  BundleVerification,
  VerifyBundleOptions,
} from './bundle/verify-bundle.js';
export { verifyBundle } from './bundle/verify-bundle.js';
export type { WithBundleFileOnDiskOptions } from './bundle/with-bundle-file-on-disk.js';
export { withBundleFileOnDisk } from './bundle/with-bundle-file-on-disk.js';
export type { AgeDecryptOptions, AgeDecryptResult } from './bundle-crypto/age-decrypt.js';
export { ageDecrypt } from './bundle-crypto/age-decrypt.js';
export type { AgeEncryptOptions, AgeEncryptResult } from './bundle-crypto/age-encrypt.js';
export { ageEncrypt } from './bundle-crypto/age-encrypt.js';
export type { CryptoErrorCode, CryptoErrorOptions } from './bundle-crypto/crypto-error.js';
export { CryptoError } from './bundle-crypto/crypto-error.js';
export type { LoadAgeIdentitiesOptions, LoadAgeRecipientsOptions } from './bundle-crypto/load-age-keys.js';
export { loadAgeIdentities, loadAgeRecipients } from './bundle-crypto/load-age-keys.js';
export type { ParseAgeIdentitiesOptions } from './bundle-crypto/parse-age-identities.js';
export { parseAgeIdentities } from './bundle-crypto/parse-age-identities.js';
export type { ParseAgeRecipientsOptions } from './bundle-crypto/parse-age-recipients.js';
export { parseAgeRecipients } from './bundle-crypto/parse-age-recipients.js';
export type { ClusterConfig, ClusterConfigInput, SshNode, Topology } from './cluster/cluster-config.js';
export { clusterConfigSchema, sshNodeSchema, topologySchema } from './cluster/cluster-config.js';
export type { ConfigErrorCode } from './cluster/config-error.js';
export { ConfigError } from './cluster/config-error.js';
export type { LoadClusterConfigOptions } from './cluster/load-cluster-config.js';
export { loadClusterConfig } from './cluster/load-cluster-config.js';
export type {
  KubeceptionObjects,
  ReadKubeceptionObjectsOptions,
} from './cluster/read-kubeception-objects.js';
export { readKubeceptionObjects, unlessNotFound } from './cluster/read-kubeception-objects.js';
export type { EtcdDrErrorOptions } from './errors/etcd-dr-error.js';
export { EtcdDrError } from './errors/etcd-dr-error.js';
export { formatBytes } from './format/format-bytes.js';
export type { PlanStep, PlanStepUndo } from './plan/plan-step.js';
export type { ConnectConfigNodeOptions } from './restore/connect-config-node.js';
export { connectConfigNode } from './restore/connect-config-node.js';
export type { GatherRestoreTargetOptions } from './restore/gather-restore-target.js';
export { gatherRestoreTarget } from './restore/gather-restore-target.js';
export { kubeceptionStepExecutors } from './restore/kubeception/kubeception-step-executors.js';
export type { MemberStatus } from './restore/kubeception/parse-member-status.js';
export { membersProblem, parseMemberStatus } from './restore/kubeception/parse-member-status.js';
export type {
  PdbParams,
  PlanKubeceptionRestoreOptions,
  RemoveOldDataParams,
  RestoreMemberParams,
  ScaleParams,
  WaitControlPlaneParams,
  WaitEtcdHealthyParams,
} from './restore/kubeception/plan-kubeception-restore.js';
export { planKubeceptionRestore } from './restore/kubeception/plan-kubeception-restore.js';
export type {
  PlanRestoreOptions,
  TopologyRestorePlanner,
  TopologyRestorePlannerOptions,
} from './restore/plan-restore.js';
export { planRestore, restoreIdOf, restorePlanners, targetDifferences } from './restore/plan-restore.js';
export type { PreflightCheck, PreparedRestore, PrepareRestoreOptions } from './restore/prepare-restore.js';
export { prepareRestore } from './restore/prepare-restore.js';
export type { RestoreErrorCode } from './restore/restore-error.js';
export { RestoreError } from './restore/restore-error.js';
export type { RestorePlan } from './restore/restore-plan.js';
export { restoreStepExecutors } from './restore/restore-step-executors.js';
export type { KubeceptionTargetFacts, RestoreTarget } from './restore/restore-target.js';
export type { BboltMeta, DecodedBboltMeta } from './snapshot/bbolt-meta.js';
export { decodeBboltMeta } from './snapshot/bbolt-meta.js';
export type {
  BboltBucket,
  BboltReader,
  BboltVisitor,
  DeferredValue,
  ForEachOptions,
  OpenBboltReaderOptions,
} from './snapshot/bbolt-reader.js';
export { openBboltReader } from './snapshot/bbolt-reader.js';
export type {
  CheckSnapshotHashOptions,
  SnapshotHashCheck,
  SnapshotLayout,
} from './snapshot/check-snapshot-hash.js';
export { checkSnapshotHash, classifySnapshotLayout } from './snapshot/check-snapshot-hash.js';
export type { RegistryKeyClass } from './snapshot/classify-registry-key.js';
export { classifyRegistryKey } from './snapshot/classify-registry-key.js';
export { Crc32c, combineCrc32c } from './snapshot/crc32c.js';
export type { KeyValue } from './snapshot/decode-key-value.js';
export { decodeKeyValue } from './snapshot/decode-key-value.js';
export type { InspectSnapshotOptions, SnapshotInspection } from './snapshot/inspect-snapshot.js';
export { inspectSnapshot } from './snapshot/inspect-snapshot.js';
export type { RevisionKey } from './snapshot/revision-key.js';
export { decodeRevisionKey } from './snapshot/revision-key.js';
export type {
  EtcdBackendScan,
  ScanEtcdBackendOptions,
  SnapshotStatus,
} from './snapshot/scan-etcd-backend.js';
export { scanEtcdBackend } from './snapshot/scan-etcd-backend.js';
export type { SnapshotErrorCode } from './snapshot/snapshot-error.js';
export { SnapshotError } from './snapshot/snapshot-error.js';
export type {
  NamespaceSummary,
  RegistrySummary,
  ResourceSummary,
} from './snapshot/summarize-registry-keys.js';
export { summarizeRegistryKeys } from './snapshot/summarize-registry-keys.js';
export type { CreateTarStreamOptions, TarContent, TarWriteEntry } from './tar/create-tar-stream.js';
export { createTarStream } from './tar/create-tar-stream.js';
export type { OpenTarEntryOptions } from './tar/open-tar-entry.js';
export { openTarEntry } from './tar/open-tar-entry.js';
export type { ReadTarIndexOptions, TarEntry } from './tar/read-tar-index.js';
export { readTarIndex } from './tar/read-tar-index.js';
export type { TarErrorCode } from './tar/tar-error.js';
export { TarError } from './tar/tar-error.js';
export type { TarEntryType, TarHeaderFields } from './tar/tar-header.js';
export type { ConnectKubeOptions, KubeConnection } from './transport/kube/connect-kube.js';
export { connectKube } from './transport/kube/connect-kube.js';
export type { ExecInPodOptions, ExecInPodResult } from './transport/kube/exec-in-pod.js';
export type { KubeErrorCode } from './transport/kube/kube-error.js';
export { KubeError } from './transport/kube/kube-error.js';
export type { ConnectSshOptions } from './transport/ssh/connect-ssh.js';
export { connectSsh } from './transport/ssh/connect-ssh.js';
export { hostKeyFingerprint, sameHostKey } from './transport/ssh/host-key-fingerprint.js';
export type { DiskFree } from './transport/ssh/parse-disk-free.js';
export { parseDiskFree } from './transport/ssh/parse-disk-free.js';
export { shellQuote } from './transport/ssh/shell-quote.js';
export type {
  SshConnection,
  SshExecOptions,
  SshExecResult,
  SshHostKeyCheck,
  SshOperationOptions,
  SshReadFileOptions,
  SshReadTarOptions,
  SshStatDiskFreeOptions,
  SshTransferResult,
  SshWriteFileOptions,
} from './transport/ssh/ssh-connection.js';
export type { SshErrorCode, SshErrorOptions } from './transport/ssh/ssh-error.js';
export { SshError } from './transport/ssh/ssh-error.js';
export type { SudoFailure } from './transport/ssh/sudo-failure.js';
export { sudoFailure } from './transport/ssh/sudo-failure.js';
