/**
 * The live facts of one Controlplane V2 control-plane node that a restore is planned from (plain JSON,
 * gathered over SSH by `gatherControlplaneV2Facts`).
 */
export interface ControlplaneV2NodeFacts {
  /** Node name, as in the config's `userCluster.controlPlaneNodes`. */
  name: string;
  /** The address SSH connects to (for the commands the plan prints). */
  address: string;
  /** SSH login user (for the commands the plan prints). */
  user: string;
  /**
   * The node's `etcd.yaml`: where it was found (`manifests`: `/etc/kubernetes/manifests`, `aside`: the
   * restore's folder, after an interrupted restore) and its text. Absent when the node has none.
   */
  etcdManifest?: { location: 'manifests' | 'aside'; text: string };
  /** Where `kube-apiserver.yaml` was found; absent when the node has none. */
  kubeApiserverManifest?: 'manifests' | 'aside';
  /** Files of `/etc/kubernetes/pki` an etcd member needs that the node lacks (relative, e.g. `etcd/peer.key`). */
  missingPki: string[];
  /** Free bytes on the filesystem of the etcd data directory's parent, when it could be measured. */
  availableBytes?: number;
  /** True when `docker` is on the node's PATH (the restore runs the etcd-util image with it). */
  hasDocker: boolean;
}

/** Everything `planControlplaneV2Restore` needs to know about the live Controlplane V2 cluster. */
export interface ControlplaneV2Facts {
  /** Every control-plane node of the config, in config order. */
  nodes: ControlplaneV2NodeFacts[];
}

/** The PKI files an etcd member and its health check need on every node, relative to `/etc/kubernetes/pki`. */
export const requiredEtcdPki = [
  'etcd/ca.crt',
  'etcd/server.crt',
  'etcd/server.key',
  'etcd/peer.crt',
  'etcd/peer.key',
  'etcd/healthcheck-client.crt',
  'etcd/healthcheck-client.key',
] as const;
