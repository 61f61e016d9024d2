import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { BundleMember } from '../bundle/bundle-manifest.js';

/** Options of {@link kubeceptionMembers}. */
export interface KubeceptionMembersOptions {
  /** The `kube-etcd` StatefulSet. */
  statefulSet: V1StatefulSet;
  /** The `kube-etcd-N` pods (for the node each runs on). */
  pods: V1Pod[];
}

/**
 * Pure: the etcd members of a Kubeception user cluster: from the StatefulSet's `--initial-cluster` flag when
 * its command spells one out, else one member per replica with the peer URL
 * `https://kube-etcd-N.SERVICE:2380` that the StatefulSet's stable network identity gives.
 */
export function kubeceptionMembers(options: KubeceptionMembersOptions): BundleMember[] {
  const { statefulSet, pods } = options;
  const container = statefulSet.spec?.template.spec?.containers.find((entry) => entry.name === 'kube-etcd');
  const words = [...(container?.command ?? []), ...(container?.args ?? [])].join(' ');
  const initialCluster = /--initial-cluster[= ]"?([^\s"]+)/.exec(words)?.[1];
  const nodeOf = (name: string) => pods.find((pod) => pod.metadata?.name === name)?.spec?.nodeName;
  const entries: Array<{ name: string; peerUrl: string }> = initialCluster
    ? initialCluster.split(',').flatMap((entry) => {
        const at = entry.indexOf('=');
        return at > 0 ? [{ name: entry.slice(0, at), peerUrl: entry.slice(at + 1) }] : [];
      })
    : Array.from({ length: statefulSet.spec?.replicas ?? 1 }, (_, ordinal) => ({
        name: `kube-etcd-${ordinal}`,
        peerUrl: `https://kube-etcd-${ordinal}.${statefulSet.spec?.serviceName ?? 'kube-etcd'}:2380`,
      }));
  return entries.map((entry) => {
    const node = nodeOf(entry.name);
    return node ? { ...entry, node } : entry;
  });
}
