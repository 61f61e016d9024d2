import type { SshNode } from '../cluster/cluster-config.js';
import { connectSsh } from '../transport/ssh/connect-ssh.js';
import type { SshConnection } from '../transport/ssh/ssh-connection.js';

/** Options of {@link connectBackupNodes}. */
export interface ConnectBackupNodesOptions {
  /** The nodes to read over SSH (user control-plane nodes, the admin control-plane node). */
  nodes: SshNode[];
  /** Reach every node through this host. */
  jumpHost?: SshNode;
  /** Per hop, for connect and handshake. Default 20 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Open SSH connections, checked for passwordless sudo. */
export interface BackupNodeConnections {
  /** By node name. */
  connections: Map<string, SshConnection>;
  /** Host keys accepted on first use (no pinned fingerprint), by node or jump host name, for the manifest. */
  hostKeys: Record<string, string>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/**
 * Connects to every node (through the jump host when given), checking each pinned host key, and checks that
 * `sudo -n` works there, before anything is read: a refused key, a changed host key or a sudo that asks for
 * a password fails the backup before a snapshot is taken. Connections that did open are closed on failure.
 * @throws SshError `SSH_AUTH_FAILED`, `SSH_HOST_KEY_MISMATCH`, `SSH_SUDO_PASSWORD_REQUIRED`,
 * `SSH_SUDO_NOT_ALLOWED`, `SSH_UNREACHABLE`, ... of the first node (in the given order) that failed.
 */
export async function connectBackupNodes(options: ConnectBackupNodesOptions): Promise<BackupNodeConnections> {
  const connections = new Map<string, SshConnection>();
  const close = async () => {
    await Promise.all([...connections.values()].map((connection) => connection.close()));
  };
  const results = await Promise.allSettled(
    options.nodes.map(async (node) => {
      const connection = await connectSsh({
        node,
        ...(options.jumpHost ? { jumpHost: options.jumpHost } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      connections.set(node.name, connection);
      await connection.exec({
        command: 'true',
        sudo: true,
        timeoutMs: 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return connection;
    }),
  );
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await close();
    throw failure.reason;
  }
  const hostKeys: Record<string, string> = {};
  for (const connection of connections.values()) {
    if (connection.hostKey.trust === 'first-use') hostKeys[connection.node] = connection.hostKey.fingerprint;
    if (options.jumpHost && connection.jumpHostKey?.trust === 'first-use') {
      hostKeys[options.jumpHost.name] = connection.jumpHostKey.fingerprint;
    }
  }
  return { connections, hostKeys, close };
}
