import type { V1Pod } from '@kubernetes/client-node';
import { BackupError } from './backup-error.js';

/** Options of {@link pickEtcdPod}. */
export interface PickEtcdPodOptions {
  /** Pods of the namespace; only `kube-etcd-N` ones are considered. */
  pods: V1Pod[];
  /** The namespace, for messages. */
  namespace: string;
}

/** Pure: true when the pod's Ready condition is True (else when every container reports ready). */
export function isPodReady(pod: V1Pod): boolean {
  const condition = pod.status?.conditions?.find((entry) => entry.type === 'Ready');
  if (condition) return condition.status === 'True';
  const containers = pod.status?.containerStatuses ?? [];
  return containers.length > 0 && containers.every((container) => container.ready);
}

const memberName = /^kube-etcd-(\d+)$/;

/** Pure: the `kube-etcd-N` pods, by member number. */
export function kubeEtcdPods(pods: V1Pod[]): V1Pod[] {
  return pods
    .filter((pod) => memberName.test(pod.metadata?.name ?? ''))
    .sort((left, right) => ordinalOf(left) - ordinalOf(right));
}

function ordinalOf(pod: V1Pod): number {
  return Number(memberName.exec(pod.metadata?.name ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Pure: the member to snapshot, as the runbook says: `kube-etcd-0` when Ready, else the first Ready member.
 * @throws BackupError `BACKUP_POD_NOT_FOUND` when there is no `kube-etcd-N` pod, `BACKUP_ETCD_UNHEALTHY` when
 * none is Ready.
 */
export function pickEtcdPod(options: PickEtcdPodOptions): V1Pod {
  const members = kubeEtcdPods(options.pods);
  if (members.length === 0) {
    throw new BackupError({
      code: 'BACKUP_POD_NOT_FOUND',
      step: 'find-etcd',
      object: `pods ${options.namespace}/kube-etcd-*`,
      message: `no kube-etcd-N pod in namespace ${options.namespace} of the admin cluster`,
      remedy: 'check userCluster.name in etcd-dr.yaml and that adminCluster.kubeconfig is the admin cluster',
    });
  }
  const ready = members.find(isPodReady);
  if (!ready) {
    const states = members.map((pod) => `${pod.metadata?.name} ${podState(pod)}`).join(', ');
    throw new BackupError({
      code: 'BACKUP_ETCD_UNHEALTHY',
      step: 'find-etcd',
      object: `pods ${options.namespace}/kube-etcd-*`,
      message: `no Ready etcd member in namespace ${options.namespace} (${states})`,
      remedy:
        'etcd is down: a backup needs one healthy member; if the data is damaged, restore from an earlier bundle',
    });
  }
  return ready;
}

function podState(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.find((container) => container.state?.waiting)?.state?.waiting
    ?.reason;
  return waiting ?? pod.status?.phase ?? 'Unknown';
}
