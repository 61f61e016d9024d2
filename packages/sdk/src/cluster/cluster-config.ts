import { z } from 'zod';

/** How etcd-dr reaches one machine over SSH. */
export const sshNodeSchema = z.object({
  /** Kubernetes node name (for a control-plane node) or a label for a jump host. */
  name: z.string().min(1),
  /** IP address or DNS name that SSH connects to. */
  address: z.string().min(1),
  /** Default 22. */
  port: z.number().int().min(1).max(65535).default(22),
  /** Login user; GDC nodes use `ubuntu`. */
  user: z.string().min(1).default('ubuntu'),
  /** Private key file, relative to the config file's folder when not absolute. */
  identityFile: z.string().min(1),
  /**
   * Pinned host key fingerprint as OpenSSH prints it (`SHA256:base64`). When absent, the first key seen is
   * trusted and recorded in the bundle (trust on first use).
   */
  hostKey: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must look like SHA256:<base64> as printed by ssh-keygen -l')
    .optional(),
});

export const topologySchema = z.enum(['auto', 'kubeception', 'controlplane-v2']);

/**
 * `etcd-dr.yaml`: the description of a target that every command takes with `--config`. The sandbox
 * writes one for its lab; users write one for a real cluster.
 */
export const clusterConfigSchema = z
  .object({
    apiVersion: z.literal('etcd-dr/v1'),
    kind: z.literal('ClusterConfig'),
    adminCluster: z.object({
      /** Kubeconfig of the admin cluster, relative to the config file's folder when not absolute. */
      kubeconfig: z.string().min(1),
      /** The admin cluster's control-plane node, for its PKI backup over SSH. */
      controlPlaneNode: sshNodeSchema.optional(),
    }),
    userCluster: z.object({
      name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes name (lower case, digits, -)'),
      kubeconfig: z.string().min(1),
      /** Default `auto`: read `spec.enableControlplaneV2` of the OnPremUserCluster object. */
      topology: topologySchema.default('auto'),
      /** Controlplane V2 only: every control-plane node of the user cluster. */
      controlPlaneNodes: z.array(sshNodeSchema).default([]),
    }),
    /** Reach every node through this host (like `ssh -J`). */
    jumpHost: sshNodeSchema.optional(),
    /** The etcd-util image used by restores, e.g. `gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.75`. */
    etcdUtilImage: z.string().min(1).optional(),
  })
  .strict();

export type SshNode = z.infer<typeof sshNodeSchema>;
export type Topology = z.infer<typeof topologySchema>;
/** The parsed, defaulted config. Paths are still as written; see `loadClusterConfig` for resolved ones. */
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
/** The config as written in YAML, before defaults. */
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
