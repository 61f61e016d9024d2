import type { StepExecutor } from '../../apply/step-executor.js';
import { createPdbExecutor, deletePdbExecutor } from './pdb-executors.js';
import { removeOldDataExecutor } from './remove-old-data-executor.js';
import { restoreMemberExecutor } from './restore-member-executor.js';
import { scaleExecutor } from './scale-executor.js';
import { waitControlPlaneExecutor } from './wait-control-plane-executor.js';
import { waitEtcdHealthyExecutor } from './wait-etcd-healthy-executor.js';

/** The executors of `kubeception.*` steps, by kind. */
export const kubeceptionStepExecutors: Record<string, StepExecutor> = {
  'kubeception.scale': scaleExecutor as unknown as StepExecutor,
  'kubeception.delete-pdb': deletePdbExecutor as unknown as StepExecutor,
  'kubeception.create-pdb': createPdbExecutor as unknown as StepExecutor,
  'kubeception.restore-member': restoreMemberExecutor as unknown as StepExecutor,
  'kubeception.wait-etcd-healthy': waitEtcdHealthyExecutor as unknown as StepExecutor,
  'kubeception.wait-control-plane': waitControlPlaneExecutor as unknown as StepExecutor,
  'kubeception.remove-old-data': removeOldDataExecutor as unknown as StepExecutor,
};
