import type { BundleMember } from '../bundle/bundle-manifest.js';
import type { SshNode } from '../cluster/cluster-config.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import type { KubeceptionRestoreObjects } from './find-kubeception-target.js';
import type { EtcdPodSnapshotPlan } from './plan-etcd-pod-snapshot.js';

/** The user cluster's side of a backup, found before anything is taken. */
export interface BackupUserTarget {
  /** The connection the etcd pod is reached through (admin cluster for Kubeception, user cluster for CPv2). */
  kube: KubeConnection;
  /** The commands that snapshot the chosen member. */
  plan: EtcdPodSnapshotPlan;
  ha: boolean;
  members: BundleMember[];
  /** Control-plane nodes whose PKI and etcd manifest are saved (Controlplane V2). */
  nodes: SshNode[];
  /** Version read while checking every member (Controlplane V2). */
  etcdVersion?: string;
  /** Database size of the chosen member read with the version, in bytes (Controlplane V2). */
  etcdDbSize?: number;
  /** Kubeception: the objects a restore needs, read before the snapshot. */
  kubeception?: KubeceptionRestoreObjects;
}
