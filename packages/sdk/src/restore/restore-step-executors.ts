import type { StepExecutor } from '../apply/step-executor.js';
import { kubeceptionStepExecutors } from './kubeception/kubeception-step-executors.js';

/**
 * Every step executor `applyRestore` knows, by step kind: the one place a topology's executors are plugged
 * in. Controlplane V2: spread `controlplaneV2StepExecutors` (packages/sdk/src/restore/controlplane-v2/) here.
 */
export const restoreStepExecutors: Record<string, StepExecutor> = {
  ...kubeceptionStepExecutors,
};
