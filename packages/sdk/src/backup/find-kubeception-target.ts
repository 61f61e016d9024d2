import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import { readKubeceptionObjects } from '../cluster/read-kubeception-objects.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { BackupError } from './backup-error.js';
import type { BackupUserTarget } from './backup-user-target.js';
import { kubeceptionMembers } from './kubeception-members.js';
import { kubeEtcdPods, pickEtcdPod } from './pick-etcd-pod.js';
import { etcdClientCertificates, planEtcdPodSnapshot } from './plan-etcd-pod-snapshot.js';
import type { RunBackupStep } from './snapshot-etcd-pod.js';

/**
 * Finds the Kubeception member to snapshot (`kube-etcd-0`, else the first Ready one) in the user cluster's
 * namespace of the admin cluster, and reads the objects a restore needs (steps `find-etcd`, `save-objects`).
 * @throws BackupError `BACKUP_POD_NOT_FOUND`, `BACKUP_ETCD_UNHEALTHY`, `BACKUP_OBJECT_NOT_FOUND`; KubeError.
 */
export async function findKubeceptionTarget(options: {
  config: ClusterConfig;
  admin: KubeConnection;
  step: RunBackupStep;
  temporaryFile: string;
}): Promise<BackupUserTarget> {
  const { admin, step, config } = options;
  const namespace = config.userCluster.name;
  const found = await step(
    'find-etcd',
    async () => {
      const pods = await admin.getJson<V1PodList>(
        `list pods in ${namespace}`,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      );
      const pod = pickEtcdPod({ pods: pods.items, namespace });
      return { pod, members: kubeEtcdPods(pods.items) };
    },
    (value) => value.pod.metadata?.name ?? '',
  );
  const saved = await step('save-objects', () =>
    readRestoreObjects({ admin, namespace, pods: found.members }),
  );
  return {
    kube: admin,
    plan: planEtcdPodSnapshot({
      namespace,
      pod: found.pod.metadata?.name as string,
      container: 'kube-etcd',
      certificates: etcdClientCertificates.kubeception,
      temporaryFile: options.temporaryFile,
      kubeconfigPath: config.adminCluster.kubeconfig,
    }),
    ha: saved.ha,
    members: saved.members,
    nodes: [],
    kubeception: saved,
  };
}

/** What a Kubeception restore needs besides the snapshot, read from the admin cluster. */
export interface KubeceptionRestoreObjects {
  ha: boolean;
  members: ReturnType<typeof kubeceptionMembers>;
  replicas: Record<string, number | null>;
  pdb: unknown;
  secret: unknown;
}

async function readRestoreObjects(options: {
  admin: KubeConnection;
  namespace: string;
  pods: V1Pod[];
}): Promise<KubeceptionRestoreObjects> {
  const { admin, namespace } = options;
  const {
    etcdSet,
    apiserverSet,
    maintenance,
    apiserverPdb: pdb,
    secrets,
  } = await readKubeceptionObjects({
    admin,
    namespace,
  });
  if (!etcdSet) throw objectNotFound(namespace, 'statefulset', 'kube-etcd');
  const secret = secrets.items.find((item) => item.metadata?.name?.startsWith('kube-etcd-certs'));
  if (!secret) throw objectNotFound(namespace, 'secret', 'kube-etcd-certs-*');
  return {
    ha: (etcdSet.spec?.replicas ?? 1) > 1,
    members: kubeceptionMembers({ statefulSet: etcdSet, pods: options.pods }),
    replicas: {
      'statefulset/kube-etcd': etcdSet.spec?.replicas ?? 1,
      'statefulset/kube-apiserver': apiserverSet?.spec?.replicas ?? null,
      'deployment/gke-master-etcd-maintenance': maintenance?.spec?.replicas ?? null,
    },
    pdb: pdb ? forRecreation(pdb) : undefined,
    secret: forRecreation(secret),
  };
}

function objectNotFound(namespace: string, kind: string, name: string): BackupError {
  return new BackupError({
    code: 'BACKUP_OBJECT_NOT_FOUND',
    step: 'save-objects',
    object: `${kind} ${namespace}/${name}`,
    message: `${kind} ${name} is missing from namespace ${namespace} of the admin cluster; a restore needs it`,
    remedy: 'check userCluster.name in etcd-dr.yaml and that the admin kubeconfig is the admin cluster',
  });
}

/** Strips what the server sets, so the saved object can be created again as is. */
function forRecreation(object: object): unknown {
  const plain = JSON.parse(JSON.stringify(object)) as {
    metadata?: Record<string, unknown>;
    status?: unknown;
  };
  for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation']) {
    delete plain.metadata?.[field];
  }
  delete plain.status;
  return plain;
}
