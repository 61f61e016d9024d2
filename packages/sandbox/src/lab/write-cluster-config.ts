import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ClusterConfigInput, SshNode } from '@etcd-dr/sdk';
import { stringify } from 'yaml';
import type { LabNode } from '../runtime/node/start-node.js';
import { hostKeyFingerprint } from './host-key-fingerprint.js';
import { labImages } from './lab-versions.js';

/** The `etcd-dr.yaml` entry of a lab node (key path relative to the lab DIR, host key pinned). */
export function sshNodeEntry(options: { dir: string; node: LabNode }): SshNode {
  const { node } = options;
  return {
    name: node.name,
    address: node.ip,
    port: 22,
    user: 'ubuntu',
    identityFile: relative(options.dir, node.privateKeyPath),
    hostKey: hostKeyFingerprint(node.hostPublicKey),
  };
}

/** Options of {@link writeClusterConfig}: the lab's facts, from which the whole file is derived. */
export interface WriteClusterConfigOptions {
  dir: string;
  /** The admin cluster's control-plane node (its PKI is backed up over SSH). */
  adminNode: LabNode;
  userCluster: { name: string; topology: 'kubeception' | 'controlplane-v2'; controlPlaneNodes?: LabNode[] };
  jumpHost?: LabNode;
}

/**
 * Writes `DIR/etcd-dr.yaml` (mode 0600), the lab's description for `--config`, next to the kubeconfigs
 * `admin.kubeconfig` and `user.kubeconfig`; returns its path.
 */
export async function writeClusterConfig(options: WriteClusterConfigOptions): Promise<string> {
  const { dir } = options;
  const entry = (node: LabNode) => sshNodeEntry({ dir, node });
  const config: ClusterConfigInput = {
    apiVersion: 'etcd-dr/v1',
    kind: 'ClusterConfig',
    adminCluster: { kubeconfig: 'admin.kubeconfig', controlPlaneNode: entry(options.adminNode) },
    userCluster: {
      name: options.userCluster.name,
      kubeconfig: 'user.kubeconfig',
      topology: options.userCluster.topology,
      ...(options.userCluster.controlPlaneNodes
        ? { controlPlaneNodes: options.userCluster.controlPlaneNodes.map(entry) }
        : {}),
    },
    ...(options.jumpHost ? { jumpHost: entry(options.jumpHost) } : {}),
    etcdUtilImage: labImages.etcdUtil,
  };
  const path = join(dir, 'etcd-dr.yaml');
  await writeFile(
    path,
    `# Written by etcd-dr sandbox up: the lab's clusters, for --config.\n${stringify(config)}`,
    {
      mode: 0o600,
    },
  );
  return path;
}
