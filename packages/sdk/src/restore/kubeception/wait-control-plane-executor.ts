import type { V1Pod } from '@kubernetes/client-node';
import type { StepExecutor } from '../../apply/step-executor.js';
import { waitUntil } from '../../apply/wait-until.js';
import { isPodReady } from '../../backup/pick-etcd-pod.js';
import type { WaitControlPlaneParams } from './plan-kubeception-restore.js';

/**
 * `kubeception.wait-control-plane`: waits until the named control-plane pods are Ready in the admin cluster
 * and the user cluster's API answers a list of namespaces. Changes nothing.
 */
export const waitControlPlaneExecutor: StepExecutor<WaitControlPlaneParams> = {
  async apply(step, context) {
    const admin = await context.adminKube();
    const { namespace, pods: wanted } = step.params;
    let notReady: string[] = wanted;
    await waitUntil({
      step: step.id,
      what: `pods ${wanted.join(', ')} to be Ready`,
      timeoutMs: step.params.timeoutMs,
      signal: context.signal,
      describe: () => `not Ready: ${notReady.join(', ')}`,
      check: async () => {
        const pods = await admin.call(`list pods in ${namespace}`, () =>
          admin.core.listNamespacedPod({ namespace }),
        );
        const byName = new Map(pods.items.map((pod: V1Pod) => [pod.metadata?.name, pod]));
        notReady = wanted.filter((name) => {
          const pod = byName.get(name);
          return !pod || !isPodReady(pod);
        });
        return notReady.length === 0 ? true : undefined;
      },
    });
    const user = await context.userKube();
    let lastError = '';
    const started = Date.now();
    await waitUntil({
      step: step.id,
      what: "the user cluster's API to answer",
      timeoutMs: step.params.timeoutMs,
      signal: context.signal,
      describe: () => lastError,
      check: async () => {
        try {
          await user.call('list namespaces', () => user.core.listNamespace({ limit: 1 }));
          return true;
        } catch (error) {
          lastError = (error as Error).message;
          return undefined;
        }
      },
    });
    return { userApiAnsweredAfterMs: Date.now() - started };
  },
};
