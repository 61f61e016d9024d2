import type { EtcdPodCommand, EtcdPodSnapshotPlan } from './plan-etcd-pod-snapshot.js';
import { etcdClientCertificates, planEtcdPodSnapshot } from './plan-etcd-pod-snapshot.js';

/** Options of {@link planKubeceptionBackup}. */
export interface PlanKubeceptionBackupOptions {
  /** The user cluster's namespace in the admin cluster. */
  namespace: string;
  /** The etcd member to snapshot, e.g. `kube-etcd-0`. */
  pod: string;
  /** The snapshot's temporary path in the pod, e.g. `/tmp/etcd-dr-0123456789abcdef.db`. */
  temporaryFile: string;
  /** Shown in the audit commands. Default `ADMIN_KUBECONFIG`. */
  kubeconfigPath?: string;
}

/** One command a Kubeception backup runs in the etcd container. */
export type KubeceptionBackupCommand = EtcdPodCommand;

/** The commands of a Kubeception backup, by purpose. */
export interface KubeceptionBackupPlan extends EtcdPodSnapshotPlan {
  container: 'kube-etcd';
}

/**
 * Pure: the commands a Kubeception backup runs in the etcd pod (container `kube-etcd`), with the
 * certificates of the runbook and the equivalent `kubectl exec` lines, so that what `backupCluster` does can
 * be read (and done by hand) before anything runs.
 */
export function planKubeceptionBackup(options: PlanKubeceptionBackupOptions): KubeceptionBackupPlan {
  const plan = planEtcdPodSnapshot({
    namespace: options.namespace,
    pod: options.pod,
    container: 'kube-etcd',
    certificates: etcdClientCertificates.kubeception,
    temporaryFile: options.temporaryFile,
    kubeconfigPath: options.kubeconfigPath ?? 'ADMIN_KUBECONFIG',
  });
  return { ...plan, container: 'kube-etcd' };
}
