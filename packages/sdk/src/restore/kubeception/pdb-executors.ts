import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { StepContext, StepExecutor } from '../../apply/step-executor.js';
import type { PlanStep } from '../../plan/plan-step.js';
import { KubeError } from '../../transport/kube/kube-error.js';
import type { PdbParams } from './plan-kubeception-restore.js';

async function deletePdb(step: PlanStep<string, PdbParams>, context: StepContext): Promise<boolean> {
  const kube = await context.adminKube();
  const { namespace, name } = step.params;
  try {
    await kube.call(`delete pdb ${namespace}/${name}`, () =>
      kube.policy.deleteNamespacedPodDisruptionBudget({ name, namespace }),
    );
    return true;
  } catch (error) {
    if (KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND') return false;
    throw error;
  }
}

async function createPdb(step: PlanStep<string, PdbParams>, context: StepContext): Promise<boolean> {
  const kube = await context.adminKube();
  const { namespace, name } = step.params;
  try {
    await kube.call(`create pdb ${namespace}/${name}`, () =>
      kube.policy.createNamespacedPodDisruptionBudget({
        namespace,
        body: step.params.pdb as V1PodDisruptionBudget,
      }),
    );
    return true;
  } catch (error) {
    if (KubeError.isInstance(error) && error.code === 'KUBE_CONFLICT') return false;
    throw error;
  }
}

/** `kubeception.delete-pdb`: deletes the PDB saved in the step's params (absent is done). Undo creates it again. */
export const deletePdbExecutor: StepExecutor<PdbParams> = {
  async apply(step, context) {
    return { deleted: await deletePdb(step, context) };
  },
  async undo(step, context) {
    await createPdb(step, context);
  },
};

/** `kubeception.create-pdb`: creates the saved PDB again (already there is done). Undo deletes it. */
export const createPdbExecutor: StepExecutor<PdbParams> = {
  async apply(step, context) {
    return { created: await createPdb(step, context) };
  },
  async undo(step, context) {
    await deletePdb(step, context);
  },
};
