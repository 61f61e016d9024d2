import type { StepExecutor } from '../apply/step-executor.js';
import { controlplaneV2StepExecutors } from './controlplane-v2/controlplane-v2-step-executors.js';
import { kubeceptionStepExecutors } from './kubeception/kubeception-step-executors.js';

/**
 * Every step executor `applyRestore` knows, by step kind (`kubeception.*`, `controlplane-v2.*`): the one place
 * a topology's executors are plugged in.
 */
export const restoreStepExecutors: Record<string, StepExecutor> = {
  ...kubeceptionStepExecutors,
  ...controlplaneV2StepExecutors,
};
