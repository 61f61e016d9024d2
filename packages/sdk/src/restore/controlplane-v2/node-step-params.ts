/** Where a Controlplane V2 restore works on one node; shared by every per-node step's params. */
export interface ControlplaneV2NodePaths {
  /** Node name (the config's control-plane node; `context.ssh(node)`). */
  node: string;
  /** The kubelet's static pod folder, `/etc/kubernetes/manifests`. */
  manifestsDirectory: string;
  /**
   * Root-only (0700) folder the manifests are moved to while etcd is stopped: `/etc/kubernetes/etcd-dr-restore`,
   * on the same filesystem as the manifests (moves are atomic renames) and outside the kubelet's folder.
   */
  asideDirectory: string;
  /** etcd's data directory on the node (the hostPath behind `--data-dir`), e.g. `/opt/data/var/lib/etcd`. */
  dataHostPath: string;
  /**
   * Root-only (0700) folder beside the data directory, same filesystem: the uploaded snapshot, the restored
   * member and the old member moved aside, e.g. `/opt/data/var/lib/etcd-dr-restore`.
   */
  stagingDirectory: string;
}

/** Params of `controlplane-v2.upload-snapshot`. */
export interface UploadSnapshotParams extends ControlplaneV2NodePaths {
  /** Path of the snapshot inside the bundle, e.g. `snapshot.db.age`. */
  bundleFile: string;
  /** `age` when the stored snapshot is encrypted (decrypted as it streams to the node). */
  encryption: 'none' | 'age';
  /** Free space needed on the staging filesystem: the snapshot, the restored member and a margin. */
  requiredBytes: number;
}

/** Params of `controlplane-v2.restore-pki`. */
export interface RestorePkiParams extends ControlplaneV2NodePaths {
  /** Path of the node's PKI archive inside the bundle, e.g. `pki/user-cluster-1-cp1.tar.age`. */
  bundleFile: string;
  encryption: 'none' | 'age';
  /** The files found missing when the plan was made, relative to `/etc/kubernetes/pki`. */
  missing: string[];
}

/** Params of `controlplane-v2.stop-control-plane` and `controlplane-v2.start-control-plane`. */
export interface ControlPlaneManifestParams extends ControlplaneV2NodePaths {
  /** Manifest files moved, in the order they are moved aside (`kube-apiserver.yaml` first). */
  manifests: string[];
  /** etcd's client and peer ports on the node: the member is gone once nothing listens on them. */
  ports: number[];
  /** How long to wait for the etcd container to be gone. */
  timeoutMs: number;
  /** The `--initial-cluster-state` written into the restored member's manifest (start only). */
  initialClusterState?: 'new' | 'existing';
}

/** Params of `controlplane-v2.restore-member`. */
export interface RestoreMemberParams extends ControlplaneV2NodePaths {
  /** The etcd-util image run with `docker run`. */
  image: string;
  /** `etcdutl` for etcd 3.5 and later, `etcdctl` (with `ETCDCTL_API=3`) for 3.4. */
  tool: 'etcdctl' | 'etcdutl';
  memberName: string;
  peerUrl: string;
  /** `--initial-cluster` value, `name=url,...`, the same on every member. */
  initialCluster: string;
  /** `--initial-cluster-token`, the same on every member. */
  initialClusterToken: string;
  /**
   * Passes `--skip-hash-check`. The plan sets it: the upload step checked the node's copy, and a copied db file
   * has no trailing SHA-256 to check. False (plans of older versions, hashed snapshots) lets etcd check it.
   */
  skipHashCheck: boolean;
}

/** Params of `controlplane-v2.wait-healthy`. */
export interface WaitHealthyParams {
  /** Every member: the node it runs on and its client URL. */
  members: Array<{ node: string; memberName: string; clientUrl: string }>;
  image: string;
  /** The snapshot's revision: every member must report at least this. */
  revision: number;
  /** Overall limit. */
  timeoutMs: number;
  /** Also wait for the user cluster's API and the control-plane pods `etcd-NODE`, `kube-apiserver-NODE` Ready. */
  checkApi: boolean;
}

/** Default folder names; see {@link ControlplaneV2NodePaths}. */
export const asideDirectoryDefault = '/etc/kubernetes/etcd-dr-restore';
export const manifestsDirectoryDefault = '/etc/kubernetes/manifests';
