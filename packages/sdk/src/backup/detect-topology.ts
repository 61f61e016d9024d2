import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { BackupError } from './backup-error.js';

/** A topology etcd-dr knows how to back up. */
export type DetectedTopology = 'kubeception' | 'controlplane-v2';

/** Options of {@link detectTopology}. */
export interface DetectTopologyOptions {
  /** A connection to the USER cluster (the OnPremUserCluster object lives there, in kube-system). */
  userCluster: KubeConnection;
  /** The user cluster's name; the object of that name is read, else the only one in kube-system. */
  clusterName: string;
}

/** Pure: the topology an OnPremUserCluster object describes (`spec.enableControlplaneV2`, default false). */
export function topologyOfOnPremUserCluster(object: unknown): DetectedTopology {
  const spec = (object as { spec?: { enableControlplaneV2?: unknown } } | undefined)?.spec;
  return spec?.enableControlplaneV2 === true ? 'controlplane-v2' : 'kubeception';
}

/**
 * Reads the OnPremUserCluster object (group `onprem.cluster.gke.io`, namespace `kube-system`) of the user
 * cluster and returns its topology.
 * @throws BackupError `BACKUP_TOPOLOGY_UNKNOWN` when there is no such object; KubeError when the API fails.
 */
export async function detectTopology(options: DetectTopologyOptions): Promise<DetectedTopology> {
  const { userCluster, clusterName } = options;
  const list = (await userCluster
    .getJson<unknown>(
      'list onpremuserclusters in kube-system',
      '/apis/onprem.cluster.gke.io/v1alpha1/namespaces/kube-system/onpremuserclusters',
    )
    .catch((error: unknown) => {
      if (KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND') return { items: [] };
      throw error;
    })) as { items?: Array<{ metadata?: { name?: string } }> };
  const items = list.items ?? [];
  const object =
    items.find((item) => item.metadata?.name === clusterName) ?? (items.length === 1 ? items[0] : undefined);
  if (!object) {
    throw new BackupError({
      code: 'BACKUP_TOPOLOGY_UNKNOWN',
      step: 'detect-topology',
      object: `onpremusercluster kube-system/${clusterName}`,
      message: `no OnPremUserCluster ${clusterName} in kube-system of the user cluster (${userCluster.server})`,
      remedy: 'set userCluster.topology to kubeception or controlplane-v2 in etcd-dr.yaml',
    });
  }
  return topologyOfOnPremUserCluster(object);
}
