import type { StepExecutor } from '../../apply/step-executor.js';
import { startControlPlaneExecutor, stopControlPlaneExecutor } from './control-plane-executors.js';
import { cleanupExecutor, restoreMemberExecutor, swapDataExecutor } from './member-data-executors.js';
import { restorePkiExecutor } from './restore-pki-executor.js';
import { uploadSnapshotExecutor } from './upload-snapshot-executor.js';
import { waitHealthyExecutor } from './wait-healthy-executor.js';

/**
 * The executors of the `controlplane-v2.*` step kinds that `planControlplaneV2Restore` plans, for the restore
 * engine's registry. Every `apply` is idempotent; `undo` (where present) also works after a partial apply.
 */
export const controlplaneV2StepExecutors: Record<string, StepExecutor> = {
  'controlplane-v2.upload-snapshot': uploadSnapshotExecutor,
  'controlplane-v2.restore-pki': restorePkiExecutor,
  'controlplane-v2.stop-control-plane': stopControlPlaneExecutor,
  'controlplane-v2.restore-member': restoreMemberExecutor,
  'controlplane-v2.swap-data': swapDataExecutor,
  'controlplane-v2.start-control-plane': startControlPlaneExecutor,
  'controlplane-v2.wait-healthy': waitHealthyExecutor,
  'controlplane-v2.cleanup': cleanupExecutor,
} as unknown as Record<string, StepExecutor>;
