import type { BundleMember } from '../bundle/bundle-manifest.js';
import type { ControlplaneV2Facts } from './controlplane-v2/controlplane-v2-facts.js';

/**
 * The live facts a restore is planned from, gathered by `gatherRestoreTarget` before anything changes.
 * Plain JSON: `planRestore` is a pure function of these, the bundle's manifest and the flags.
 */
export interface RestoreTarget {
  /** The user cluster's name from the config (its namespace in the admin cluster on Kubeception). */
  clusterName: string;
  topology: 'kubeception' | 'controlplane-v2';
  /** The etcd members as the live cluster defines them (names, peer URLs, nodes). */
  members: BundleMember[];
  /** The admin cluster's kubeconfig path (for the kubectl commands the plan prints). */
  adminKubeconfig: string;
  /** The user cluster's kubeconfig path. */
  userKubeconfig: string;
  /** True when the user cluster's API answered `/version` during the gathering (often false: etcd is down). */
  userApiReachable: boolean;
  /** etcd version of the live members, from their image tag (e.g. `3.4.27`), when it can be told. */
  etcdVersion?: string;
  /** The etcd-util image utility pods (or `docker run`) use: from the config, else discovered. */
  etcdUtilImage?: string;
  /** Where `etcdUtilImage` came from, for the plan's text. */
  etcdUtilImageSource?: 'config' | 'gke-master-etcd-maintenance' | 'onpremusercluster';
  /** Kubeception facts (namespace USER of the admin cluster). */
  kubeception?: KubeceptionTargetFacts;
  /** Controlplane V2 facts: every control-plane node's manifests, missing PKI, free space, docker (over SSH). */
  controlplaneV2?: ControlplaneV2Facts;
}

/** What a Kubeception restore needs from namespace USER of the admin cluster. */
export interface KubeceptionTargetFacts {
  namespace: string;
  /** `--initial-cluster-token` of the kube-etcd StatefulSet (the runbook's `etcd-cluster-1` when absent). */
  initialClusterToken: string;
  /** Replica counts to scale back to after the restore (live, else the bundle's when live is 0). */
  replicas: {
    kubeEtcd: number;
    kubeApiserver: number | null;
    etcdMaintenance: number | null;
  };
  /** The PDB `kube-apiserver-pdb` as it can be created again (server fields stripped), when it exists. */
  apiserverPdb?: Record<string, unknown>;
  /** Name of the Secret `kube-etcd-certs-*` mounted into utility pods. */
  certsSecret: string;
  /** The `kube-etcd-N` pods now, with their node and state. */
  pods: Array<{ name: string; node?: string; phase: string; ready: boolean }>;
  /** The `data-kube-etcd-N` claims that exist. */
  claims: string[];
  /** The admin cluster's nodes and whether each is Ready (utility pods must run on the members' nodes). */
  nodes?: Array<{ name: string; ready: boolean }>;
}
