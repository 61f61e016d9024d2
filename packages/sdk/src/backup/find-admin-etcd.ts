import type { V1Pod } from '@kubernetes/client-node';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { BackupError } from './backup-error.js';
import { isPodReady } from './pick-etcd-pod.js';
import {
  type EtcdPodSnapshotPlan,
  etcdClientCertificates,
  planEtcdPodSnapshot,
} from './plan-etcd-pod-snapshot.js';

/**
 * Finds the admin cluster's etcd static pod `etcd-NODE` in kube-system and plans its snapshot with the
 * healthcheck-client certificate, as the runbook's script does.
 * @throws BackupError `BACKUP_POD_NOT_FOUND`, `BACKUP_ETCD_UNHEALTHY` (not Ready); KubeError.
 */
export async function findAdminEtcd(options: {
  admin: KubeConnection;
  node: string;
  kubeconfigPath: string;
  temporaryFile: string;
}): Promise<EtcdPodSnapshotPlan> {
  const { admin } = options;
  const name = `etcd-${options.node}`;
  const object = `pod kube-system/${name} of the admin cluster`;
  const pod = await admin
    .getJson<V1Pod>(
      `get pod kube-system/${name} in the admin cluster`,
      `/api/v1/namespaces/kube-system/pods/${encodeURIComponent(name)}`,
    )
    .catch((error: unknown) => {
      if (KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND') {
        throw new BackupError({
          code: 'BACKUP_POD_NOT_FOUND',
          step: 'find-etcd',
          object,
          message: `no ${object} (the etcd static pod of admin control-plane node ${options.node})`,
          remedy:
            'check adminCluster.controlPlaneNode.name in etcd-dr.yaml against `kubectl get pods -n kube-system -l component=etcd,tier=control-plane` on the admin cluster, or pass --no-admin',
          cause: error,
        });
      }
      throw error;
    });
  if (!isPodReady(pod)) {
    throw new BackupError({
      code: 'BACKUP_ETCD_UNHEALTHY',
      step: 'find-etcd',
      object,
      message: `the admin cluster's etcd member ${name} is not Ready`,
      remedy: 'repair the admin cluster first, or back up the user cluster alone with --no-admin',
    });
  }
  return planEtcdPodSnapshot({
    namespace: 'kube-system',
    pod: name,
    container: 'etcd',
    certificates: etcdClientCertificates.admin,
    temporaryFile: options.temporaryFile,
    kubeconfigPath: options.kubeconfigPath,
  });
}
