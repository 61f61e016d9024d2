import type {
  V1Deployment,
  V1PodDisruptionBudget,
  V1SecretList,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';

/** Options of {@link readKubeceptionObjects}. */
export interface ReadKubeceptionObjectsOptions {
  /** The admin cluster. */
  admin: KubeConnection;
  /** The user cluster's namespace in the admin cluster (its name). */
  namespace: string;
}

/** The objects of a Kubeception control plane that backup saves and restore scales, deletes and re-creates. */
export interface KubeceptionObjects {
  /** StatefulSet `kube-etcd`, undefined when absent. */
  etcdSet?: V1StatefulSet;
  /** StatefulSet `kube-apiserver`, undefined when absent. */
  apiserverSet?: V1StatefulSet;
  /** Deployment `gke-master-etcd-maintenance`, undefined when absent. */
  maintenance?: V1Deployment;
  /** PDB `kube-apiserver-pdb`, undefined when absent (a restore deletes it while it runs). */
  apiserverPdb?: V1PodDisruptionBudget;
  /** Every Secret of the namespace (the `kube-etcd-certs-*` one among them). */
  secrets: V1SecretList;
}

/**
 * Reads, in parallel, the Kubeception control-plane objects of namespace USER in the admin cluster; an absent
 * object is undefined, any other failure is thrown.
 * @throws KubeError (`KUBE_UNREACHABLE`, `KUBE_UNAUTHORIZED`, ...).
 */
export async function readKubeceptionObjects(
  options: ReadKubeceptionObjectsOptions,
): Promise<KubeceptionObjects> {
  const { admin, namespace } = options;
  const inNamespace = `namespaces/${encodeURIComponent(namespace)}`;
  const [etcdSet, apiserverSet, maintenance, apiserverPdb, secrets] = await Promise.all([
    unlessNotFound(
      admin.getJson<V1StatefulSet>(
        `get statefulset ${namespace}/kube-etcd`,
        `/apis/apps/v1/${inNamespace}/statefulsets/kube-etcd`,
      ),
    ),
    unlessNotFound(
      admin.getJson<V1StatefulSet>(
        `get statefulset ${namespace}/kube-apiserver`,
        `/apis/apps/v1/${inNamespace}/statefulsets/kube-apiserver`,
      ),
    ),
    unlessNotFound(
      admin.getJson<V1Deployment>(
        `get deployment ${namespace}/gke-master-etcd-maintenance`,
        `/apis/apps/v1/${inNamespace}/deployments/gke-master-etcd-maintenance`,
      ),
    ),
    unlessNotFound(
      admin.getJson<V1PodDisruptionBudget>(
        `get pdb ${namespace}/kube-apiserver-pdb`,
        `/apis/policy/v1/${inNamespace}/poddisruptionbudgets/kube-apiserver-pdb`,
      ),
    ),
    admin.getJson<V1SecretList>(`list secrets in ${namespace}`, `/api/v1/${inNamespace}/secrets`),
  ]);
  return {
    ...(etcdSet ? { etcdSet } : {}),
    ...(apiserverSet ? { apiserverSet } : {}),
    ...(maintenance ? { maintenance } : {}),
    ...(apiserverPdb ? { apiserverPdb } : {}),
    secrets,
  };
}

/** The call's result, or undefined when the object does not exist (`KUBE_NOT_FOUND`). */
export function unlessNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  return promise.catch((error: unknown) => {
    if (KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND') return undefined;
    throw error;
  });
}
