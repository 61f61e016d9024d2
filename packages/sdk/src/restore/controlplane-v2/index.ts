export type { ControlplaneV2Facts, ControlplaneV2NodeFacts } from './controlplane-v2-facts.js';
export { requiredEtcdPki } from './controlplane-v2-facts.js';
export type { ControlplaneV2RestoreErrorCode } from './controlplane-v2-restore-error.js';
export { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
export { controlplaneV2StepExecutors } from './controlplane-v2-step-executors.js';
export type { GatherControlplaneV2FactsOptions } from './gather-controlplane-v2-facts.js';
export { gatherControlplaneV2Facts } from './gather-controlplane-v2-facts.js';
export type {
  ControlPlaneManifestParams,
  ControlplaneV2NodePaths,
  RestoreMemberParams,
  RestorePkiParams,
  UploadSnapshotParams,
  WaitHealthyParams,
} from './node-step-params.js';
export type { EtcdManifestFacts } from './parse-etcd-manifest.js';
export { parseEtcdManifest } from './parse-etcd-manifest.js';
export type { PlanControlplaneV2RestoreOptions } from './plan-controlplane-v2-restore.js';
export { planControlplaneV2Restore } from './plan-controlplane-v2-restore.js';
export { setInitialClusterState } from './set-initial-cluster-state.js';
export type { RestoredMember } from './wait-healthy-executor.js';
