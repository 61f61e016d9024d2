import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabState } from '../lab-state.js';

/** What the client side needs to know about one node. */
export interface SshConfigNode {
  name: string;
  ip: string;
  privateKeyPath: string;
  /** `ssh-ed25519 AAAA...` */
  hostPublicKey: string;
}

/** Options of {@link renderSshConfig}. */
export interface RenderSshConfigOptions {
  nodes: SshConfigNode[];
  /** The known_hosts file holding every node's host key ({@link renderKnownHosts}). */
  knownHostsPath: string;
  /** Name of the node every other node is reached through (`ProxyJump`). Default: none. */
  jumpHost?: string;
}

/**
 * An OpenSSH client config with one `Host NAME` entry per node (HostName, User ubuntu, the node's key
 * only, host keys pinned to the lab's known_hosts, `ProxyJump` through the jump host when there is one),
 * so that `ssh -F DIR/ssh_config NODE` and `scp -F DIR/ssh_config NODE:PATH .` work.
 */
export function renderSshConfig(options: RenderSshConfigOptions): string {
  const blocks = options.nodes.map((node) => {
    const lines = [
      `Host ${node.name}`,
      `  HostName ${node.ip}`,
      '  User ubuntu',
      `  IdentityFile ${node.privateKeyPath}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${options.knownHostsPath}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
    ];
    if (options.jumpHost && node.name !== options.jumpHost) lines.push(`  ProxyJump ${options.jumpHost}`);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** known_hosts lines `NAME,IP KEY` for every node. */
export function renderKnownHosts(options: { nodes: SshConfigNode[] }): string {
  return options.nodes.map((node) => `${node.name},${node.ip} ${node.hostPublicKey}\n`).join('');
}

/** Options of {@link writeSshConfig}. */
export interface WriteSshConfigOptions {
  /** The lab journal: both files are recorded (and live in the lab DIR). */
  state: LabState;
  nodes: SshConfigNode[];
  /** Name of the jump host node. Default: none. */
  jumpHost?: string;
}

/** Writes `DIR/ssh_config` and `DIR/known_hosts` (mode 0644) and returns their paths. */
export async function writeSshConfig(
  options: WriteSshConfigOptions,
): Promise<{ sshConfigPath: string; knownHostsPath: string }> {
  const sshConfigPath = join(options.state.dir, 'ssh_config');
  const knownHostsPath = join(options.state.dir, 'known_hosts');
  options.state.record({ kind: 'file', path: sshConfigPath });
  options.state.record({ kind: 'file', path: knownHostsPath });
  await writeFile(knownHostsPath, renderKnownHosts({ nodes: options.nodes }), { mode: 0o644 });
  await writeFile(
    sshConfigPath,
    renderSshConfig({
      nodes: options.nodes,
      knownHostsPath,
      ...(options.jumpHost ? { jumpHost: options.jumpHost } : {}),
    }),
    { mode: 0o644 },
  );
  return { sshConfigPath, knownHostsPath };
}
