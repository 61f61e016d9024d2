import type { V1Pod } from '@kubernetes/client-node';
import type { StepContext, StepExecutor } from '../../apply/step-executor.js';
import { waitUntil } from '../../apply/wait-until.js';
import { isPodReady } from '../../backup/pick-etcd-pod.js';
import type { PlanStep } from '../../plan/plan-step.js';
import type { KubeConnection } from '../../transport/kube/connect-kube.js';
import { KubeError } from '../../transport/kube/kube-error.js';
import type { ScaleParams } from './plan-kubeception-restore.js';

const scaleWaitMs = 180_000;

async function scaleTo(options: {
  kube: KubeConnection;
  params: ScaleParams;
  replicas: number;
  stepId: string;
  context: StepContext;
}): Promise<void> {
  const { kube, params, replicas } = options;
  const { namespace, name } = params;
  if (replicas === 0 && params.stopGracePeriodSeconds !== undefined) {
    await stopPods({ kube, params, gracePeriodSeconds: params.stopGracePeriodSeconds });
  }
  const body = {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace },
    spec: { replicas },
  };
  await kube.call(`scale ${params.workload} ${namespace}/${name} to ${replicas}`, () =>
    params.workload === 'statefulset'
      ? kube.apps.replaceNamespacedStatefulSetScale({ name, namespace, body })
      : kube.apps.replaceNamespacedDeploymentScale({ name, namespace, body }),
  );
  options.context.onProgress({
    stepId: options.stepId,
    message: `waiting for ${name} pods to be ${replicas === 0 ? 'gone' : `Ready (${replicas})`}`,
  });
  let last: V1Pod[] = [];
  await waitUntil({
    step: options.stepId,
    what: replicas === 0 ? `the pods of ${name} to be gone` : `${replicas} Ready pods of ${name}`,
    timeoutMs: scaleWaitMs,
    intervalMs: 500,
    signal: options.context.signal,
    describe: () =>
      last
        .map((pod) => `${pod.metadata?.name} ${isPodReady(pod) ? 'Ready' : (pod.status?.phase ?? '?')}`)
        .join(', ') || 'no pods',
    check: async () => {
      const pods = await kube.call(`list pods in ${namespace}`, () =>
        kube.core.listNamespacedPod({ namespace }),
      );
      last = pods.items.filter((pod) => podBelongs(pod.metadata?.name ?? '', params));
      if (replicas === 0) return last.length === 0 ? true : undefined;
      return last.filter(isPodReady).length >= replicas ? true : undefined;
    },
  });
}

/**
 * Deletes the workload's pods with a short grace period. Before the scale-down, so that the pods are already
 * terminating when the controller would delete them with their own; a pod deleted before the scale is not
 * re-created meanwhile, as a StatefulSet re-creates a pod only once its old one is gone.
 */
async function stopPods(options: {
  kube: KubeConnection;
  params: ScaleParams;
  gracePeriodSeconds: number;
}): Promise<void> {
  const { kube, params, gracePeriodSeconds } = options;
  const { namespace } = params;
  const pods = await kube.call(`list pods in ${namespace}`, () => kube.core.listNamespacedPod({ namespace }));
  const names = pods.items
    .map((pod) => pod.metadata?.name ?? '')
    .filter((podName) => podBelongs(podName, params));
  await Promise.all(
    names.map((podName) =>
      kube
        .call(`delete pod ${namespace}/${podName}`, () =>
          kube.core.deleteNamespacedPod({ name: podName, namespace, gracePeriodSeconds }),
        )
        .catch((error: unknown) => {
          if (!(KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND')) throw error;
        }),
    ),
  );
}

function podBelongs(podName: string, params: ScaleParams): boolean {
  if (!podName.startsWith(params.podPrefix)) return false;
  const rest = podName.slice(params.podPrefix.length);
  return params.workload === 'statefulset' ? /^\d+$/.test(rest) : rest.length > 0;
}

/**
 * `kubeception.scale`: sets a StatefulSet's or Deployment's replicas through the scale subresource and waits
 * until its pods are gone (0) or Ready; with `stopGracePeriodSeconds`, a scale to 0 first deletes the pods
 * with that grace period. Idempotent. Undo scales back to `previousReplicas`.
 */
export const scaleExecutor: StepExecutor<ScaleParams> = {
  async apply(step: PlanStep<string, ScaleParams>, context) {
    const kube = await context.adminKube();
    await scaleTo({ kube, params: step.params, replicas: step.params.replicas, stepId: step.id, context });
    return { replicas: step.params.replicas };
  },
  async undo(step: PlanStep<string, ScaleParams>, context) {
    const kube = await context.adminKube();
    await scaleTo({
      kube,
      params: step.params,
      replicas: step.params.previousReplicas,
      stepId: step.id,
      context,
    });
  },
};
