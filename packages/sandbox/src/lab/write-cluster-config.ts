import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ClusterConfigInput, SshNode } from '@etcd-dr/sdk';
import { stringify } from 'yaml';
import type { LabNode } from '../runtime/node/start-node.js';
import { hostKeyFingerprint } from './host-key-fingerprint.js';

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

/** Writes `DIR/etcd-dr.yaml` (mode 0600), the lab's description for `--config`; returns its path. */
export async function writeClusterConfig(options: {
  dir: string;
  config: ClusterConfigInput;
}): Promise<string> {
  const path = join(options.dir, 'etcd-dr.yaml');
  await writeFile(
    path,
    `# Written by etcd-dr sandbox up: the lab's clusters, for --config.\n${stringify(options.config)}`,
    { mode: 0o600 },
  );
  return path;
}
