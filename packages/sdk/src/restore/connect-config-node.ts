import type { ClusterConfig } from '../cluster/cluster-config.js';
import { connectSsh } from '../transport/ssh/connect-ssh.js';
import type { SshConnection } from '../transport/ssh/ssh-connection.js';
import { RestoreError } from './restore-error.js';

/** Options of {@link connectConfigNode}. */
export interface ConnectConfigNodeOptions {
  config: ClusterConfig;
  /** A user control-plane node or the admin control-plane node, by its name in the config. */
  nodeName: string;
  /**
   * Host keys recorded by the backup (trust on first use; the bundle manifest's `hostKeys`), by node or jump
   * host name: checked for every hop the config does not pin, so a restore talks to the machines the backup
   * saw. Default none.
   */
  recordedHostKeys?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Opens SSH to a node the config lists, through its jump host, checking each hop's host key: the one pinned
 * in the config, else the one the backup recorded.
 * @throws RestoreError `RESTORE_OBJECT_NOT_FOUND` for a node the config does not list; SshError
 * (`SSH_HOST_KEY_MISMATCH` when a host key changed since it was pinned or recorded).
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
  const recorded = options.recordedHostKeys ?? {};
  const expectedHostKey = node.hostKey ?? recorded[node.name];
  const jumpHost = config.jumpHost && {
    ...config.jumpHost,
    ...((config.jumpHost.hostKey ?? recorded[config.jumpHost.name])
      ? { hostKey: config.jumpHost.hostKey ?? recorded[config.jumpHost.name] }
      : {}),
  };
  return connectSsh({
    node,
    ...(jumpHost ? { jumpHost } : {}),
    ...(expectedHostKey ? { expectedHostKey } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
