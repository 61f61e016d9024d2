import type { StepExecutor } from '../../apply/step-executor.js';
import { removeOldDataScript } from './kubeception-restore-scripts.js';
import type { RemoveOldDataParams } from './plan-kubeception-restore.js';

/**
 * `kubeception.remove-old-data`: once the restored cluster is healthy, deletes the member's data moved aside
 * (in `kube-etcd-N` itself, which has the PVC). Never fails the restore: a problem comes back as a `warning`
 * output (the cluster is healthy; rolling it back to leftovers would be worse).
 */
export const removeOldDataExecutor: StepExecutor<RemoveOldDataParams> = {
  async apply(step, context) {
    const { namespace, pod, restoreId } = step.params;
    try {
      const kube = await context.adminKube();
      const result = await kube.exec({
        namespace,
        pod,
        container: 'kube-etcd',
        command: ['/bin/sh', '-ec', removeOldDataScript({ restoreId })],
        timeoutMs: 120_000,
        signal: context.signal,
      });
      if (result.exitCode === 0) return { removed: true };
      return {
        removed: false,
        warning: `could not remove the old data of ${pod} (exit ${result.exitCode}: ${result.stderr.trim().split('\n').at(-1)}); remove /var/lib/etcd/member.before-restore-${restoreId} by hand`,
      };
    } catch (error) {
      return {
        removed: false,
        warning: `could not remove the old data of ${pod} (${(error as Error).message}); remove /var/lib/etcd/member.before-restore-${restoreId} by hand`,
      };
    }
  },
};
