import type { ClusterConfig } from '../cluster/cluster-config.js';
import { connectSsh } from '../transport/ssh/connect-ssh.js';
import type { SshConnection } from '../transport/ssh/ssh-connection.js';
import { RestoreError } from './restore-error.js';

/** Options of {@link connectConfigNode}. */
export interface ConnectConfigNodeOptions {
  config: ClusterConfig;
  /** A user control-plane node or the admin control-plane node, by its name in the config. */
  nodeName: string;
  signal?: AbortSignal;
}

/**
 * Opens SSH to a node the config lists, through its jump host, checking the pinned host key when there is one.
 * @throws RestoreError `RESTORE_OBJECT_NOT_FOUND` for a node the config does not list; SshError.
 */
export async function connectConfigNode(options: ConnectConfigNodeOptions): Promise<SshConnection> {
  const { config, nodeName } = options;
  const node = [
    ...config.userCluster.controlPlaneNodes,
    ...(config.adminCluster.controlPlaneNode ? [config.adminCluster.controlPlaneNode] : []),
  ].find((entry) => entry.name === nodeName);
  if (!node) {
    throw new RestoreError({
      code: 'RESTORE_OBJECT_NOT_FOUND',
      object: `node ${nodeName}`,
      message: `node ${nodeName} is not in the config's controlPlaneNodes`,
      remedy: 'add it to etcd-dr.yaml',
    });
  }
  return connectSsh({
    node,
    ...(config.jumpHost ? { jumpHost: config.jumpHost } : {}),
    ...(node.hostKey ? { expectedHostKey: node.hostKey } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
